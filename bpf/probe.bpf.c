// SPDX-License-Identifier: GPL-2.0
/*
 * Feature probes: empty programs that src/attach.c loads and attaches to
 * one function at a time.  fentry works for a function only if the kernel
 * has its BTF, it is not inlined or notrace, and the trampoline can be
 * installed; the only reliable test is to do it.  The kprobe is tried
 * likewise when fentry fails (notifier internals are NOKPROBE, module
 * functions without BTF have no fentry).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("fentry")
int BPF_PROG(probe_fentry)
{
	return 0;
}

SEC("fexit")
int BPF_PROG(probe_fexit)
{
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(probe_kprobe)
{
	return 0;
}
