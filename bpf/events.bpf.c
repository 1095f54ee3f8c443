// SPDX-License-Identifier: GPL-2.0
/*
 * The IOASID API paths: one fentry/fexit pair and one kprobe/kretprobe
 * pair per function.  User space (src/attach.c) loads exactly one pair per
 * function, whichever its probe-load showed to work, and disables the
 * other with bpf_program__set_autoload(false).
 *
 * Program names: fe_/fx_ = fentry/fexit, kp_/kr_ = kprobe/kretprobe,
 * followed by the attach point's name (src/attach.c builds them).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * IT_FUNCn(fn, kind, has_ret): the four programs of a function with n
 * arguments.  fentry/fexit may only read as many context slots as the
 * function has arguments (+1 for a non-void return), hence per arity.
 * The notifier (un)registrations take one argument: their fexit passes it
 * on, for hist's fexit-only attachment (it_exit_a0).
 */
#define IT_FUNC1(fn, kind, RET)						\
SEC("fentry/" #fn) int BPF_PROG(fe_##fn, __u64 a0)			\
{ return it_enter(ctx, 0, kind, a0, 0, 0, 0); }				\
SEC("fexit/" #fn) int BPF_PROG(fx_##fn, __u64 a0 RET)			\
{ return it_exit_a0(ctx, 0, kind, IT_RETVAL_##RET, a0); }		\
SEC("kprobe/" #fn) int BPF_KPROBE(kp_##fn, __u64 a0)			\
{ return it_enter(ctx, 1, kind, a0, 0, 0, 0); }				\
SEC("kretprobe/" #fn) int BPF_KRETPROBE(kr_##fn, __u64 ret)		\
{ return it_exit(ctx, 1, kind, ret); }

#define IT_FUNC2(fn, kind, RET)						\
SEC("fentry/" #fn) int BPF_PROG(fe_##fn, __u64 a0, __u64 a1)		\
{ return it_enter(ctx, 0, kind, a0, a1, 0, 0); }			\
SEC("fexit/" #fn) int BPF_PROG(fx_##fn, __u64 a0, __u64 a1 RET)		\
{ return it_exit(ctx, 0, kind, IT_RETVAL_##RET); }			\
SEC("kprobe/" #fn) int BPF_KPROBE(kp_##fn, __u64 a0, __u64 a1)		\
{ return it_enter(ctx, 1, kind, a0, a1, 0, 0); }			\
SEC("kretprobe/" #fn) int BPF_KRETPROBE(kr_##fn, __u64 ret)		\
{ return it_exit(ctx, 1, kind, ret); }

#define IT_FUNC3(fn, kind, RET)						\
SEC("fentry/" #fn) int BPF_PROG(fe_##fn, __u64 a0, __u64 a1, __u64 a2)	\
{ return it_enter(ctx, 0, kind, a0, a1, a2, 0); }			\
SEC("fexit/" #fn) int BPF_PROG(fx_##fn, __u64 a0, __u64 a1, __u64 a2 RET) \
{ return it_exit(ctx, 0, kind, IT_RETVAL_##RET); }			\
SEC("kprobe/" #fn) int BPF_KPROBE(kp_##fn, __u64 a0, __u64 a1, __u64 a2) \
{ return it_enter(ctx, 1, kind, a0, a1, a2, 0); }			\
SEC("kretprobe/" #fn) int BPF_KRETPROBE(kr_##fn, __u64 ret)		\
{ return it_exit(ctx, 1, kind, ret); }

#define IT_FUNC4(fn, kind, RET)						\
SEC("fentry/" #fn)							\
int BPF_PROG(fe_##fn, __u64 a0, __u64 a1, __u64 a2, __u64 a3)		\
{ return it_enter(ctx, 0, kind, a0, a1, a2, a3); }			\
SEC("fexit/" #fn)							\
int BPF_PROG(fx_##fn, __u64 a0, __u64 a1, __u64 a2, __u64 a3 RET)	\
{ return it_exit(ctx, 0, kind, IT_RETVAL_##RET); }			\
SEC("kprobe/" #fn)							\
int BPF_KPROBE(kp_##fn, __u64 a0, __u64 a1, __u64 a2, __u64 a3)	\
{ return it_enter(ctx, 1, kind, a0, a1, a2, a3); }			\
SEC("kretprobe/" #fn) int BPF_KRETPROBE(kr_##fn, __u64 ret)		\
{ return it_exit(ctx, 1, kind, ret); }

/*
 * RET is RETURNS (the function returns a value: fexit reads one more
 * context slot) or empty (void: it must not).
 */
#define RETURNS		, __u64 ret
#define IT_RETVAL_RETURNS	ret
#define IT_RETVAL_	0

IT_FUNC4(ioasid_alloc, IT_K_ALLOC, RETURNS)
IT_FUNC1(ioasid_free, IT_K_FREE, )
IT_FUNC1(ioasid_free_locked, IT_K_FREE_LOCKED, )
IT_FUNC2(ioasid_notify, IT_K_NOTIFY, RETURNS)
IT_FUNC1(ioasid_add_notifier, IT_K_ADD_NOTIFIER, RETURNS)
IT_FUNC1(ioasid_remove_notifier, IT_K_REMOVE_NOTIFIER, )
IT_FUNC3(ioasid_alloc_set, IT_K_ALLOC_SET, RETURNS)
IT_FUNC2(ioasid_free_set, IT_K_FREE_SET, )
IT_FUNC2(ioasid_attach_data, IT_K_ATTACH_DATA, RETURNS)

/*
 * The cold points when records are streamed (src/attach.c, plan_multi):
 * one kprobe.multi and one kretprobe.multi program for all of them, each
 * address attached with its point's IT_K_* kind as the cookie.  kind is
 * then not a constant and it_fill_args() keeps every case: one larger
 * program to verify instead of two per point.  Any point may be put on
 * it (the table decides): the allocator's free then carries its own
 * address in a3, as fe_default_free's does.
 */
SEC("kprobe.multi")
int BPF_KPROBE(km_point, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	__u8 kind = (__u8)bpf_get_attach_cookie(ctx);

	if (kind == IT_K_ALLOCATOR_FREE)
		a3 = bpf_get_func_ip(ctx);
	return it_enter(ctx, 1, kind, a0, a1, a2, a3);
}

SEC("kretprobe.multi")
int BPF_KRETPROBE(kx_point, __u64 ret)
{
	return it_exit(ctx, 1, (__u8)bpf_get_attach_cookie(ctx), ret);
}

/*
 * blocking_notifier_call_chain(nh, val, v): every blocking chain in the
 * system comes through here; only ioasid_chain's calls are traced.  A
 * kretprobe cannot see nh, so the kprobe side pushes a silent IT_K_NONE
 * frame for foreign chains and its return pops that frame.
 */
SEC("fentry/blocking_notifier_call_chain")
int BPF_PROG(fe_blocking_notifier_call_chain, __u64 nh, __u64 val, __u64 v)
{
	if (nh != cfg.chain_addr)
		return 0;
	return it_enter(ctx, 0, IT_K_CHAIN, nh, val, v, 0);
}

SEC("fexit/blocking_notifier_call_chain")
int BPF_PROG(fx_blocking_notifier_call_chain, __u64 nh, __u64 val, __u64 v, __u64 ret)
{
	if (nh != cfg.chain_addr)
		return 0;
	return it_exit(ctx, 0, IT_K_CHAIN, ret);
}

SEC("kprobe/blocking_notifier_call_chain")
int BPF_KPROBE(kp_blocking_notifier_call_chain, __u64 nh, __u64 val, __u64 v)
{
	if (nh != cfg.chain_addr) {
		__u64 a[4] = { nh, 0, 0, 0 };
		struct it_tstack *s = it_stack(1);

		it_push(s, IT_K_NONE, a, 0, it_in_window(s));
		return 0;
	}
	return it_enter(ctx, 1, IT_K_CHAIN, nh, val, v, 0);
}

SEC("kretprobe/blocking_notifier_call_chain")
int BPF_KRETPROBE(kr_blocking_notifier_call_chain, __u64 ret)
{
	if (it_top_kind() == IT_K_NONE) {
		struct it_popped p;

		it_pop(IT_K_NONE, &p);
		return 0;
	}
	return it_exit(ctx, 1, IT_K_CHAIN, ret);
}

/* The default allocator's alloc: where an ID's life begins. */
IT_ALLOCATOR_ALLOC_PROGS("fentry/default_alloc", fe_default_alloc, "fexit/default_alloc",
			 fx_default_alloc, kp_allocator_alloc, kr_allocator_alloc)

/*
 * The default allocator's free, by name (a custom allocator's free is
 * known only at run time: allocator.bpf.c); the kprobe pair serves it in
 * kprobe mode (src/attach.c: its kprobe_prog is "allocator_free").
 */
IT_ALLOCATOR_FREE_PROGS("fentry/default_free", fe_default_free, "fexit/default_free",
			fx_default_free, kp_allocator_free, kr_allocator_free)

/*
 * Callbacks on ioasid_chain attached with kprobes (module callbacks in
 * --mode auto: an fentry trampoline would pin the module): one program
 * pair for all of them, attached per callback with its histogram slot as
 * the bpf_cookie.  The fentry pair is per callback (callbacks.bpf.c).  A
 * hist timing callbacks by their chain attaches kp_callback alone.
 */
SEC("kprobe")
int BPF_KPROBE(kp_callback, struct notifier_block *nb, __u64 action, __u64 data)
{
	if (cfg.cb_chained)
		return it_cb_enter_chained(ctx, 1, (__u64)nb, (__u64)BPF_CORE_READ(nb, next));
	return it_enter(ctx, 1, IT_K_CALLBACK, (__u64)nb, action, data, 0);
}

SEC("kretprobe")
int BPF_KRETPROBE(kr_callback, __u64 ret)
{
	return it_exit(ctx, 1, IT_K_CALLBACK, ret);
}
