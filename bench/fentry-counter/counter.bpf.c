// SPDX-License-Identifier: GPL-2.0
/*
 * The floor row of `make bench`: one bare fentry program per function that
 * ioasid-trace traces, each doing nothing but count its calls in a per-CPU
 * array.  No fexit, no timestamps, no ring buffer: what any BPF tracer pays
 * at least.  The three harness callbacks are module functions: libbpf finds
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
