// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up snapshot of kernel state user space cannot read itself:
 *  - which version of the series' struct ioasid_nb_args the kernel has;
 *  - the callbacks on ioasid_chain (struct blocking_notifier_head: head ->
 *    notifier_block -> next ...), with their priorities;
 *  - the active allocator's ops->free (active_allocator is a static
 *    pointer in drivers/iommu/ioasid.c).
 *
 * Why a raw_tp program run with BPF_PROG_TEST_RUN: it runs once,
 * synchronously, in our own task, right when user space asks, with
 * bpf_probe_read_kernel available; it needs no attach point and nothing has
 * to trigger it.  Linux 6.1 has no BPF iterator over an arbitrary kernel
 * list, and an fentry program would need something to call its target.
 *
 * The walk does not take the chain's rwsem: a registration racing with it
 * may be missed or seen twice, which the follower of ioasid_add_notifier /
 * ioasid_remove_notifier (attached BEFORE the walk) reconciles.  Reads of a
 * block freed meanwhile fault harmlessly inside bpf_probe_read_kernel.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ioasid_trace.h"
#include "ioasid_core.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 chain_addr = 0;		/* &ioasid_chain */
const volatile __u64 active_allocator_addr = 0;	/* &active_allocator */

struct it_chain_entry chain[IT_MAX_CALLBACKS] = {};
__u32 chain_len = 0;
__u32 chain_truncated = 0;
__u64 allocator_ops = 0;
__u64 allocator_free = 0;
__u32 done = 0;
__u32 series = 0;	/* 1 v1 (sid, set_token), 2 v2+ (spid, set), 0 neither */

SEC("raw_tp")
int snapshot(void *ctx)
{
	struct blocking_notifier_head *head = (void *)chain_addr;
	struct notifier_block *nb = NULL;
	__u32 i;

	if (head)
		nb = BPF_CORE_READ(head, head);
	for (i = 0; i < IT_MAX_CALLBACKS && nb; i++) {
		chain[i].nb = (__u64)nb;
		chain[i].cb = (__u64)BPF_CORE_READ(nb, notifier_call);
		chain[i].prio = BPF_CORE_READ(nb, priority);
		nb = BPF_CORE_READ(nb, next);
	}
	chain_len = i;
	chain_truncated = nb != NULL;

	if (active_allocator_addr &&
	    bpf_core_type_exists(struct ioasid_allocator_data___it)) {
		struct ioasid_allocator_data___it *d = NULL;

		bpf_probe_read_kernel(&d, sizeof(d), (void *)active_allocator_addr);
		if (d) {
			allocator_ops = (__u64)BPF_CORE_READ(d, ops);
			allocator_free = (__u64)BPF_CORE_READ(d, ops, free);
		}
	}
	/*
	 * Which version of struct ioasid_nb_args the kernel has, by the same
	 * CO-RE field tests the event programs use: libbpf has the kernel's
	 * BTF parsed for this object anyway, so user space need not parse it
	 * a second time only to ask.
	 */
	if (bpf_core_field_exists(struct ioasid_nb_args___v1, sid) &&
	    bpf_core_field_exists(struct ioasid_nb_args___v1, set_token))
		series = 1;
	else if (bpf_core_field_exists(struct ioasid_nb_args___v2, spid) &&
		 bpf_core_field_exists(struct ioasid_nb_args___v2, set))
		series = 2;
	done = 1;
	return 0;
}
