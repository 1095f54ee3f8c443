/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ENTER/EXIT pipeline every traced function goes through:
 *
 *   ENTER: build a record, push a frame (start time + arguments) at the
 *          task's next depth, stream the record.
 *   EXIT:  pop the frame of the same kind, build the record from the
 *          frame's arguments plus the return value, add the latency to a
 *          histogram, stream the record.
 *
 * Programs (events.bpf.c, callbacks.bpf.c) are thin wrappers that pass the
 * raw arguments; what each argument means per kind is in it_fill_args().
 */
#ifndef IT_COMMON_BPF_H
#define IT_COMMON_BPF_H

#include "ioasid_trace.h"
#include "ioasid_core.bpf.h"

const volatile struct it_config cfg = {};

#include "maps.bpf.h"
#include "hist.bpf.h"

/*
 * x86 6.1 keeps preempt_count in the per-CPU __preempt_count (6.2+ moved it
 * into pcpu_hot).  Weak, so the objects still load where it is absent.
 */
extern const int __preempt_count __ksym __weak;

#define IT_PC_NEED_RESCHED	0x80000000u	/* x86 folds it in, inverted */
#define IT_PC_ATOMIC_CTX	0x00ffff00u	/* softirq/bh-off, hardirq, NMI */
#define IT_X86_EFLAGS_IF	0x200

/*
 * Context of the traced call.
 *  - lock: ioasid_allocator_lock is a mutex in the seed (patch 07); its
 *    owner word holds the owning task_struct pointer with 3 flag bits.
 *  - may sleep: no softirq/bh-disabled/hardirq/NMI bits in preempt_count,
 *    and, for kprobes, IF set in the probed context's flags.  The
 *    preempt-disable depth (low byte) is NOT used: the BPF trampoline and
 *    kprobes add their own preempt/RCU disabling to it on some configs;
 *    it is recorded raw in preempt_count for whoever wants it.  fentry
 *    cannot see the interrupted flags: IT_F_IRQS_UNKNOWN.
 */
static __always_inline void it_fill_context(struct it_record *r, void *ctx, int kprobe)
{
	__u32 flags = 0;

	if (cfg.lock_addr && cfg.lock_is_mutex) {
		struct mutex *m = (struct mutex *)cfg.lock_addr;
		long owner = BPF_CORE_READ(m, owner.counter);

		if ((__u64)(owner & ~0x7L) == bpf_get_current_task())
			flags |= IT_F_LOCK_HELD;
	} else {
		flags |= IT_F_LOCK_UNKNOWN;
	}

	if (&__preempt_count) {
		const int *pcp = bpf_this_cpu_ptr(&__preempt_count);
		__u32 pc = (__u32)*pcp & ~IT_PC_NEED_RESCHED;

		r->preempt_count = pc;
		flags |= IT_F_PREEMPT_KNOWN;
		if (!(pc & IT_PC_ATOMIC_CTX)) {
			if (kprobe) {
				if (((struct pt_regs *)ctx)->flags & IT_X86_EFLAGS_IF)
					flags |= IT_F_MAY_SLEEP;
			} else {
				flags |= IT_F_MAY_SLEEP | IT_F_IRQS_UNKNOWN;
			}
		}
	}
	if (kprobe)
		flags |= IT_F_KPROBE;
	r->flags |= flags;
}

static __always_inline void it_fill_common(struct it_record *r, void *ctx, int kprobe,
					   __u8 kind, __u8 phase)
{
	__u64 id = bpf_get_current_pid_tgid();

	r->ts_ns = bpf_ktime_get_ns();
	r->pid = id >> 32;
	r->tid = (__u32)id;
	r->cpu = bpf_get_smp_processor_id();
	r->kind = kind;
	r->phase = phase;
	r->ioasid = IT_NO_ID;
	r->sid = IT_NO_SID;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	it_fill_context(r, ctx, kprobe);
}

/* *args as the callback sees it, in whichever layout the kernel has. */
static __always_inline void it_read_nb_args(struct it_record *r, __u64 ptr)
{
	if (!ptr)
		return;
	if (bpf_core_field_exists(struct ioasid_nb_args___v1, sid)) {
		struct ioasid_nb_args___v1 *a = (void *)ptr;

		r->args.id = BPF_CORE_READ(a, id);
		r->args.sid = BPF_CORE_READ(a, sid);
		r->args.set_token = (__u64)BPF_CORE_READ(a, set_token);
		r->args.pdata = (__u64)BPF_CORE_READ(a, pdata);
		r->flags |= IT_F_HAS_ARGS;
	} else if (bpf_core_field_exists(struct ioasid_nb_args___v2, spid)) {
		struct ioasid_nb_args___v2 *a = (void *)ptr;

		r->args.id = BPF_CORE_READ(a, id);
		r->args.sid = (__s32)BPF_CORE_READ(a, spid);
		r->args.set_token = (__u64)BPF_CORE_READ(a, set);
		r->args.pdata = (__u64)BPF_CORE_READ(a, pdata);
		r->flags |= IT_F_HAS_ARGS | IT_F_ARGS_V2;
	} else {
		return;
	}
	r->ioasid = r->args.id;
	r->sid = r->args.sid;
	r->flags |= IT_F_HAS_ID | IT_F_HAS_SID;
}

static __always_inline void it_read_nb(struct it_record *r, __u64 nbp)
{
	struct notifier_block *nb = (void *)nbp;

	if (!nb)
		return;
	r->nb = nbp;
	r->cb = (__u64)BPF_CORE_READ(nb, notifier_call);
	r->prio = BPF_CORE_READ(nb, priority);
	r->flags |= IT_F_HAS_CB;
}

/*
 * What the raw arguments a[] mean for each kind (kind is a compile-time
 * constant at every call site, so this folds to one case).
 */
static __always_inline void it_fill_args(struct it_record *r, __u8 kind, const __u64 *a)
{
	switch (kind) {
	case IT_K_ALLOC:	/* sid, min, max, private */
		r->sid = (__s32)a[0];
		r->min = (__u32)a[1];
		r->max = (__u32)a[2];
		r->ptr = a[3];
		r->flags |= IT_F_HAS_SID;
		break;
	case IT_K_FREE:
	case IT_K_FREE_LOCKED:	/* id */
		r->ioasid = (__u32)a[0];
		r->flags |= IT_F_HAS_ID;
		break;
	case IT_K_ALLOCATOR_FREE: /* id, opaque, -, function address */
		r->ioasid = (__u32)a[0];
		r->ptr = a[1];
		r->cb = a[3];
		r->flags |= IT_F_HAS_ID;
		break;
	case IT_K_NOTIFY:	/* id, cmd */
		r->ioasid = (__u32)a[0];
		r->cmd = (__u32)a[1];
		r->flags |= IT_F_HAS_ID | IT_F_HAS_CMD;
		break;
	case IT_K_CHAIN:	/* nh, cmd, args */
		r->cmd = (__u32)a[1];
		r->flags |= IT_F_HAS_CMD;
		it_read_nb_args(r, a[2]);
		break;
	case IT_K_CALLBACK:	/* nb, cmd, args */
		it_read_nb(r, a[0]);
		r->cmd = (__u32)a[1];
		r->flags |= IT_F_HAS_CMD;
		it_read_nb_args(r, a[2]);
		break;
	case IT_K_ADD_NOTIFIER:
	case IT_K_REMOVE_NOTIFIER: /* nb */
		it_read_nb(r, a[0]);
		break;
	case IT_K_ALLOC_SET:	/* token, quota, int *sid */
		r->ptr = a[0];
		r->quota = (__u32)a[1];
		break;
	case IT_K_FREE_SET:	/* sid, destroy */
		r->sid = (__s32)a[0];
		r->flags |= IT_F_HAS_SID;
		if (a[1] & 0xff)
			r->flags |= IT_F_DESTROY_SET;
		break;
	case IT_K_ATTACH_DATA:	/* id, data */
		r->ioasid = (__u32)a[0];
		r->ptr = a[1];
		r->flags |= IT_F_HAS_ID;
		break;
	}
}

/* Return values: ioasid_alloc returns ioasid_t, everything else int. */
static __always_inline void it_fill_ret(struct it_record *r, __u8 kind, __u64 ret, const __u64 *a)
{
	r->flags |= IT_F_HAS_RET;
	switch (kind) {
	case IT_K_ALLOC:
		r->ret = (__u32)ret;
		if ((__u32)ret != IT_NO_ID) {
			r->ioasid = (__u32)ret;
			r->flags |= IT_F_HAS_ID;
		}
		break;
	case IT_K_ALLOC_SET:
		r->ret = (__s32)ret;
		if ((__s32)ret == 0 && a[2]) {
			int sid = 0;

			if (!bpf_probe_read_kernel(&sid, sizeof(sid), (void *)a[2])) {
				r->sid = sid;
				r->flags |= IT_F_HAS_SID;
			}
		}
		break;
	case IT_K_FREE:
	case IT_K_FREE_LOCKED:
	case IT_K_ALLOCATOR_FREE:
	case IT_K_REMOVE_NOTIFIER:
	case IT_K_FREE_SET:
		r->ret = 0;		/* void functions */
		r->flags &= ~IT_F_HAS_RET;
		break;
	default:
		r->ret = (__s32)ret;
	}
}

static __always_inline void it_emit(struct it_record *r)
{
	if (!cfg.emit_events && !it_kind_is_control(r->kind))
		return;
	if (!it_record_matches(&cfg, r))
		return;
	if (bpf_ringbuf_output(&events, r, sizeof(*r), 0))
		it_stat_inc(IT_STAT_RB_FULL);
}

/* ---- nesting ---------------------------------------------------------- */

static __always_inline __u32 it_push(__u32 tid, __u8 kind, const __u64 *a, __u64 ts)
{
	struct it_frame_key key = { .tid = tid };
	struct it_frame f = { .ts = ts, .kind = kind };
	__u32 *dp, d;

	dp = bpf_map_lookup_elem(&depths, &tid);
	d = (dp ? *dp : 0) + 1;
	key.depth = d;
	f.a[0] = a[0];
	f.a[1] = a[1];
	f.a[2] = a[2];
	f.a[3] = a[3];
	if (bpf_map_update_elem(&frames, &key, &f, BPF_ANY))
		it_stat_inc(IT_STAT_FRAME_FULL);
	if (bpf_map_update_elem(&depths, &tid, &d, BPF_ANY))
		it_stat_inc(IT_STAT_FRAME_FULL);
	return d;
}

/*
 * Pop the innermost frame of this kind.  Normally it is the top one; a
 * few levels are searched because an EXIT can be missing (a probe attached
 * while the call was in flight), and the frames above a match are dropped.
 * Returns the depth of the popped frame, 0 if none matched.
 */
static __always_inline __u32 it_pop(__u32 tid, __u8 kind, struct it_frame *out)
{
	struct it_frame_key key = { .tid = tid };
	struct it_frame *f;
	__u32 *dp, d, found = 0, i;

	dp = bpf_map_lookup_elem(&depths, &tid);
	if (!dp || !*dp)
		return 0;
	d = *dp;
	for (i = 0; i < 4; i++) {
		if (d <= i)
			break;
		key.depth = d - i;
		f = bpf_map_lookup_elem(&frames, &key);
		if (f && f->kind == kind) {
			*out = *f;
			found = d - i;
			break;
		}
	}
	if (!found)
		return 0;
	for (i = 0; i < 4; i++) {
		if (found + i > d)
			break;
		key.depth = found + i;
		bpf_map_delete_elem(&frames, &key);
	}
	d = found - 1;
	if (d)
		bpf_map_update_elem(&depths, &tid, &d, BPF_ANY);
	else
		bpf_map_delete_elem(&depths, &tid);
	return found;
}

/* The top frame's kind, IT_K_NONE when there is none. */
static __always_inline __u32 it_top_kind(__u32 tid)
{
	struct it_frame_key key = { .tid = tid };
	struct it_frame *f;
	__u32 *dp;

	dp = bpf_map_lookup_elem(&depths, &tid);
	if (!dp || !*dp)
		return IT_K__MAX;
	key.depth = *dp;
	f = bpf_map_lookup_elem(&frames, &key);
	return f ? f->kind : IT_K__MAX;
}

/* ---- the two entry points ------------------------------------------- */

static __always_inline int it_enter(void *ctx, int kprobe, __u8 kind,
				    __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	struct it_record r = {};
	__u64 a[4] = { a0, a1, a2, a3 };

	it_fill_common(&r, ctx, kprobe, kind, IT_PH_ENTER);
	it_fill_args(&r, kind, a);
	r.depth = it_push(r.tid, kind, a, r.ts_ns);
	it_emit(&r);
	return 0;
}

static __always_inline int it_exit(void *ctx, int kprobe, __u8 kind, __u64 ret)
{
	struct it_record r = {};
	struct it_frame f = {};

	it_fill_common(&r, ctx, kprobe, kind, IT_PH_EXIT);
	r.depth = it_pop(r.tid, kind, &f);
	if (r.depth) {
		r.lat_ns = r.ts_ns - f.ts;
	} else {
		r.flags |= IT_F_UNMATCHED;
		it_stat_inc(IT_STAT_UNMATCHED);
	}
	it_fill_args(&r, kind, f.a);
	it_fill_ret(&r, kind, ret, f.a);

	if (cfg.hist_enabled && r.depth &&
	    it_record_matches(&cfg, &r)) {
		if (kind == IT_K_CHAIN)
			it_hist_add(IT_H_CHAIN, r.cmd, r.lat_ns);
		else if (kind == IT_K_CALLBACK)
			it_hist_add(IT_H_CALLBACK, r.cb, r.lat_ns);
		else if (kind == IT_K_FREE)
			it_hist_add(IT_H_FREE_PATH, 0, r.lat_ns);
	}
	it_emit(&r);
	return 0;
}

#endif
