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

/* Index order = the loader's names[]. */
#define IT_COUNTED(X)							\
	X(0, ioasid_alloc) X(1, ioasid_free) X(2, ioasid_free_locked)	\
	X(3, default_free) X(4, ioasid_notify) X(5, ioasid_add_notifier) \
	X(6, ioasid_remove_notifier) X(7, blocking_notifier_call_chain)	\
	X(8, ioasid_alloc_set) X(9, ioasid_free_set)			\
	X(10, ioasid_attach_data) X(11, harness_kvm_notify)		\
	X(12, harness_iommu_notify) X(13, harness_vdcm_notify)
#define NFUNCS 14

/* [0, NFUNCS): calls (fentry); [NFUNCS, 2 * NFUNCS): returns (fexit). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * NFUNCS);
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

/* The fexit programs load only with --fexit (the loader sets autoload). */
#define IT_PAIR(i, fn)							\
	SEC("fentry/" #fn) int BPF_PROG(c##i) { return hit(i); }	\
	SEC("fexit/" #fn) int BPF_PROG(x##i) { return hit(NFUNCS + i); }
IT_COUNTED(IT_PAIR)
