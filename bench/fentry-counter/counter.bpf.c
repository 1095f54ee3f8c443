// SPDX-License-Identifier: GPL-2.0
/*
 * The floor row of `make bench`: one bare fentry program per function that
 * ioasid-trace traces, each doing nothing but count its calls in a per-CPU
 * array.  No fexit, no timestamps, no ring buffer: what any BPF tracer pays
 * at least.  With --fexit (the "pair" row) each function also gets an fexit
 * program counting its returns: the trampolines any latency measurement
 * needs, still without a clock read or a map keyed by task.  The three harness callbacks are module functions: libbpf finds
 * them in ioasid_harness's BTF (the module must be loaded first).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define NFUNCS 14

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NFUNCS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline int hit(__u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &i);

	if (c)
		(*c)++;
	return 0;
}

/* Index order = the loader's names[]. */
SEC("fentry/ioasid_alloc") int BPF_PROG(c0) { return hit(0); }
SEC("fentry/ioasid_free") int BPF_PROG(c1) { return hit(1); }
SEC("fentry/ioasid_free_locked") int BPF_PROG(c2) { return hit(2); }
SEC("fentry/default_free") int BPF_PROG(c3) { return hit(3); }
SEC("fentry/ioasid_notify") int BPF_PROG(c4) { return hit(4); }
SEC("fentry/ioasid_add_notifier") int BPF_PROG(c5) { return hit(5); }
SEC("fentry/ioasid_remove_notifier") int BPF_PROG(c6) { return hit(6); }
SEC("fentry/blocking_notifier_call_chain") int BPF_PROG(c7) { return hit(7); }
SEC("fentry/ioasid_alloc_set") int BPF_PROG(c8) { return hit(8); }
SEC("fentry/ioasid_free_set") int BPF_PROG(c9) { return hit(9); }
SEC("fentry/ioasid_attach_data") int BPF_PROG(c10) { return hit(10); }
SEC("fentry/harness_kvm_notify") int BPF_PROG(c11) { return hit(11); }
SEC("fentry/harness_iommu_notify") int BPF_PROG(c12) { return hit(12); }
SEC("fentry/harness_vdcm_notify") int BPF_PROG(c13) { return hit(13); }

/* --fexit only (autoload off otherwise): the same functions' returns. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NFUNCS);
	__type(key, __u32);
	__type(value, __u64);
} exits SEC(".maps");

static __always_inline int ret(__u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&exits, &i);

	if (c)
		(*c)++;
	return 0;
}

SEC("fexit/ioasid_alloc") int BPF_PROG(x0) { return ret(0); }
SEC("fexit/ioasid_free") int BPF_PROG(x1) { return ret(1); }
SEC("fexit/ioasid_free_locked") int BPF_PROG(x2) { return ret(2); }
SEC("fexit/default_free") int BPF_PROG(x3) { return ret(3); }
SEC("fexit/ioasid_notify") int BPF_PROG(x4) { return ret(4); }
SEC("fexit/ioasid_add_notifier") int BPF_PROG(x5) { return ret(5); }
SEC("fexit/ioasid_remove_notifier") int BPF_PROG(x6) { return ret(6); }
SEC("fexit/blocking_notifier_call_chain") int BPF_PROG(x7) { return ret(7); }
SEC("fexit/ioasid_alloc_set") int BPF_PROG(x8) { return ret(8); }
SEC("fexit/ioasid_free_set") int BPF_PROG(x9) { return ret(9); }
SEC("fexit/ioasid_attach_data") int BPF_PROG(x10) { return ret(10); }
SEC("fexit/harness_kvm_notify") int BPF_PROG(x11) { return ret(11); }
SEC("fexit/harness_iommu_notify") int BPF_PROG(x12) { return ret(12); }
SEC("fexit/harness_vdcm_notify") int BPF_PROG(x13) { return ret(13); }
