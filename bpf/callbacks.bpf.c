// SPDX-License-Identifier: GPL-2.0
/*
 * Callbacks registered on ioasid_chain: int fn(struct notifier_block *nb,
 * unsigned long action, void *data).
 *
 * fentry/fexit programs are bound to ONE target function at load time, so
 * user space opens and loads this object once per traced callback, with the
 * target set by bpf_program__set_attach_target() (libbpf finds module
 * functions in the module's BTF) and the maps of the events object reused.
 * The kprobe pair needs no clone (one program serves every callback, its
 * cookie says whose), so it lives in events.bpf.c: loaded with the rest,
 * it costs no second object load at start-up.  When hist times callbacks
 * by their chain (cfg.cb_chained), only the entry program is attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * nb is a BTF pointer here (the target's own argument type): nb->next is a
 * plain load the verifier guards, not a probe-read helper call.
 */
SEC("fentry")
int BPF_PROG(cb_fentry, struct notifier_block *nb, __u64 action, __u64 data)
{
	if (cfg.cb_chained)
		return it_cb_enter_chained(ctx, 0, (__u64)nb, (__u64)nb->next);
	return it_enter(ctx, 0, IT_K_CALLBACK, (__u64)nb, action, data, 0);
}

SEC("fexit")
int BPF_PROG(cb_fexit, __u64 nb, __u64 action, __u64 data, __u64 ret)
{
	return it_exit(ctx, 0, IT_K_CALLBACK, ret);
}
