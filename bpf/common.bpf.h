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
	/* Records that are only filtered and counted (hist) need neither. */
	if (cfg.emit_events || it_kind_is_control(kind)) {
		bpf_get_current_comm(r->comm, sizeof(r->comm));
		it_fill_context(r, ctx, kprobe);
	}
}

/*
 * One probe read per structure.  bpf_probe_read_kernel() is a helper call
 * and a fault-safe copy per field with BPF_CORE_READ, and under TCG each
 * one costs more than the rest of the record: a callback's ENTER read seven
 * fields, four of *args and two of *nb, plus the lock.  The structure is
 * copied whole (its size relocated, as its fields' offsets are) into a
 * stack buffer and read there through the same CO-RE view.  Both are a
 * few words in every version of the series; a kernel whose structure did
 * not fit the buffer would get records without these fields (no
 * IT_F_HAS_ARGS / IT_F_HAS_CB) rather than a program the verifier refuses.
 */
#define IT_COPY_MAX	48

/*
 * Like BPF_CORE_READ, a fault reads as zeros (the helper clears buf) and the
 * fields still count as read: a bad pointer shows up as wrong values the
 * checker can judge, not as missing ones.  False only when it cannot fit.
 */
#define it_copy_struct(buf, type, ptr)						\
	(bpf_core_type_size(type) <= sizeof(buf) &&				\
	 (bpf_probe_read_kernel(buf, bpf_core_type_size(type), (void *)(ptr)), 1))

/* *args as the callback sees it, in whichever layout the kernel has. */
static __always_inline void it_read_nb_args(struct it_record *r, __u64 ptr)
{
	__u64 buf[IT_COPY_MAX / 8];

	if (!ptr)
		return;
	if (bpf_core_field_exists(struct ioasid_nb_args___v1, sid)) {
		struct ioasid_nb_args___v1 *c = (void *)buf;

		if (!it_copy_struct(buf, struct ioasid_nb_args___v1, ptr))
			return;
		r->args.id = c->id;
		r->args.sid = c->sid;
		r->args.set_token = (__u64)c->set_token;
		r->args.pdata = (__u64)c->pdata;
		r->flags |= IT_F_HAS_ARGS;
	} else if (bpf_core_field_exists(struct ioasid_nb_args___v2, spid)) {
		struct ioasid_nb_args___v2 *c = (void *)buf;

		if (!it_copy_struct(buf, struct ioasid_nb_args___v2, ptr))
			return;
		r->args.id = c->id;
		r->args.sid = (__s32)c->spid;
		r->args.set_token = (__u64)c->set;
		r->args.pdata = (__u64)c->pdata;
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
	struct notifier_block *c;
	__u64 buf[IT_COPY_MAX / 8];

	if (!nbp)
		return;
	r->nb = nbp;
	if (!it_copy_struct(buf, struct notifier_block, nbp))
		return;
	c = (void *)buf;
	r->cb = (__u64)c->notifier_call;
	r->prio = c->priority;
	r->flags |= IT_F_HAS_CB;
}

/*
 * active_allocator->ops->free: which function ioasid_free_locked() is
 * about to call.  Read at its ENTER under ioasid_allocator_lock, which
 * ioasid_(un)register_allocator() take too, so it is the one that runs.
 * The checker needs it to tell a free whose allocator free it could not
 * see (a custom allocator registered while tracing) from a conforming one.
 */
static __always_inline __u64 it_allocator_free(void)
{
	struct ioasid_allocator_data___it *d = NULL;

	if (!cfg.active_allocator_addr ||
	    !bpf_core_type_exists(struct ioasid_allocator_data___it))
		return 0;
	bpf_probe_read_kernel(&d, sizeof(d), (void *)cfg.active_allocator_addr);
	return d ? (__u64)BPF_CORE_READ(d, ops, free) : 0;
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
	case IT_K_FREE:		/* id, -, -, the allocator free (read before the lock) */
		r->ioasid = (__u32)a[0];
		r->cb = a[3];
		r->flags |= IT_F_HAS_ID;
		break;
	case IT_K_FREE_LOCKED:	/* id, -, -, the allocator free it will call */
		r->ioasid = (__u32)a[0];
		r->cb = a[3];
		r->flags |= IT_F_HAS_ID;
		break;
	case IT_K_ALLOCATOR_FREE: /* id, opaque, -, function address */
		r->ioasid = (__u32)a[0];
		r->ptr = a[1];
		r->cb = a[3];
		r->flags |= IT_F_HAS_ID;
		break;
	case IT_K_ALLOCATOR_ALLOC: /* min, max, opaque, function address */
		r->min = (__u32)a[0];
		r->max = (__u32)a[1];
		r->ptr = a[2];
		r->cb = a[3];
		break;
	case IT_K_NOTIFY:	/* id, cmd, -, the allocator free (read before the lock) */
		r->ioasid = (__u32)a[0];
		r->cmd = (__u32)a[1];
		r->cb = a[3];
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
	case IT_K_FREE_SET:	/* sid, destroy, -, the allocator free (read before the lock) */
		r->sid = (__s32)a[0];
		r->cb = a[3];
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
	case IT_K_ALLOCATOR_ALLOC:
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

/* ---- nesting ---------------------------------------------------------- */

static __always_inline struct it_tstack *it_stack(int create)
{
	return bpf_task_storage_get(&tstack, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* Hide a value's known range from clang so the verifier sees the mask. */
static __always_inline __u32 it_frame_idx(__u32 i)
{
	asm volatile("" : "+r"(i));
	return i & (IT_MAX_DEPTH - 1);
}

/*
 * Whether a call that begins now is inside the armed window: the task's
 * outermost call in flight decided it when it began (each frame carries
 * it on), so an operation is streamed whole or not at all, even when
 * armed changes in its middle.  With no call in flight, armed decides.
 */
static __always_inline __u32 it_in_window(const struct it_tstack *s)
{
	__u32 d = s ? s->depth : 0;

	if (!d || d > IT_MAX_DEPTH)
		return armed;
	return s->f[it_frame_idx(d - 1)].win;
}

/*
 * Push a frame on s (it_stack(1)); returns the call's depth (1 =
 * outermost), 0 if not kept.  win: it_in_window() for this call.
 */
static __always_inline __u32 it_push(struct it_tstack *s, __u8 kind, const __u64 *a, __u64 ts,
				     __u32 win)
{
	struct it_frame *f;
	__u32 d;

	if (!s) {
		it_stat_inc(IT_STAT_FRAME_FULL);
		return 0;
	}
	d = s->depth;
	if (d >= IT_MAX_DEPTH) {
		s->over += 1;
		it_stat_inc(IT_STAT_FRAME_FULL);
		return IT_MAX_DEPTH + s->over;
	}
	f = &s->f[it_frame_idx(d)];
	f->ts = ts;
	f->kind = kind;
	f->cb_slot = 0;
	f->win = win;
	f->a[0] = a[0];
	f->a[1] = a[1];
	f->a[2] = a[2];
	f->a[3] = a[3];
	s->depth = d + 1;
	/* an operation in the window begins: user space waits for its end */
	if (!d && win && kind != IT_K_NONE)
		__sync_fetch_and_add(&inflight, 1);
	return d + 1;
}

/* What it_pop() found for an EXIT. */
struct it_popped {
	struct it_frame *f;	/* the call's frame, NULL if none */
	__u32 depth;		/* its depth (f only) */
	__u32 win;		/* stream its EXIT: its ENTER was streamed */
	__u32 missed;		/* no frame at all: its ENTER was not seen */
};

/*
 * Pop the innermost frame of this kind.  Normally it is the top one; a
 * few levels are searched because an EXIT can be missing (a probe attached
 * while the call was in flight), and the frames above a match are dropped.
 * p->f stays valid until the next push of this task.  A frameless EXIT
 * is counted here: IT_STAT_EXIT_MISSED, and _ARMED when it is nested in
 * a call inside the window (that operation's records miss a call).
 */
static __always_inline void it_pop(__u8 kind, struct it_popped *p)
{
	struct it_tstack *s = it_stack(0);
	__u32 d, i, idx;

	p->f = NULL;
	p->depth = 0;
	p->win = 0;
	p->missed = 0;
	if (s && s->over) {	/* the EXIT of a call whose frame was not kept */
		s->over -= 1;
		p->win = it_in_window(s);
		return;
	}
	d = s ? s->depth : 0;
	for (i = 0; i < 4; i++) {
		if (d <= i || d > IT_MAX_DEPTH)
			break;
		idx = it_frame_idx(d - 1 - i);
		if (s->f[idx].kind == kind) {
			s->depth = d - 1 - i;
			p->f = &s->f[idx];
			p->depth = d - i;
			p->win = p->f->win;
			if (p->depth == 1 && p->win && kind != IT_K_NONE)
				__sync_fetch_and_add(&inflight, -1);
			return;
		}
	}
	it_stat_inc(IT_STAT_EXIT_MISSED);
	if (!d || d > IT_MAX_DEPTH || !s->f[it_frame_idx(d - 1)].win) {
		p->missed = 1;
		return;
	}
	/*
	 * A callback's lone EXIT inside a chain call: streamed, flagged
	 * unmatched, for user space to tell a probe attached or detached
	 * during that chain call (no cause) from a lost entry (a cause).
	 */
	if (kind == IT_K_CALLBACK && s->f[it_frame_idx(d - 1)].kind == IT_K_CHAIN) {
		p->win = 1;
		return;
	}
	p->missed = 1;
	it_stat_inc(IT_STAT_EXIT_MISSED_ARMED);
}

/* The top frame's kind, IT_K__MAX when there is none. */
static __always_inline __u32 it_top_kind(void)
{
	struct it_tstack *s = it_stack(0);
	__u32 d;

	if (!s || s->over)
		return IT_K__MAX;
	d = s->depth;
	if (!d || d > IT_MAX_DEPTH)
		return IT_K__MAX;
	return s->f[it_frame_idx(d - 1)].kind;
}

/*
 * hist mode (nothing streamed, no filter on record fields): only the
 * histograms' calls matter, and of them only the start time, cmd (chain)
 * and nb (callback).  No record, no comm/context/argument reads, no ring
 * buffer: a frame push on ENTER, a pop and one histogram update on EXIT.
 * Registration (control) records still take the full path: they drive
 * attaching.  cfg is const volatile: the verifier drops the dead branch.
 */
static __always_inline int it_hist_fast(__u8 kind)
{
	return !cfg.emit_events && !cfg.filter_mask && !it_kind_is_control(kind);
}

static __always_inline int it_hist_kind(__u8 kind)
{
	return kind == IT_K_CHAIN || kind == IT_K_CALLBACK || kind == IT_K_FREE;
}

static __always_inline int it_tgid_ok(void)
{
	return !cfg.targ_tgid || (bpf_get_current_pid_tgid() >> 32) == cfg.targ_tgid;
}

/*
 * The histogram slot of a finished call (IT_HSLOT_*): the chain's by cmd,
 * a callback's from how it was attached (its fentry clone's cfg.cb_slot,
 * its kprobe's cookie: src/attach.c gives both), the free path's fixed.
 */
static __always_inline __u32 it_hist_slot(void *ctx, int kprobe, __u8 kind, __u64 cmd)
{
	if (kind == IT_K_CHAIN)
		return cmd < IT_HSLOT_CMDS ? IT_HSLOT_CHAIN0 + (__u32)cmd : IT_HIST_KEYS;
	if (kind == IT_K_CALLBACK) {
		__u32 slot = kprobe ? (__u32)bpf_get_attach_cookie(ctx) : cfg.cb_slot;

		/* 0: attached without a slot (the table was full) */
		return slot >= IT_HSLOT_CB0 ? slot : IT_HIST_KEYS;
	}
	return IT_HSLOT_FREE_PATH;
}

static __always_inline int it_enter_fast(__u8 kind, const __u64 *a)
{
	struct it_tstack *s;

	if (!it_hist_kind(kind) || !it_tgid_ok())
		return 0;
	s = it_stack(1);
	/* pushed outside the window too: its nested calls must know */
	it_push(s, kind, a, bpf_ktime_get_ns(), it_in_window(s));
	return 0;
}

/* ---- callbacks timed by their chain (hist, cfg.cb_chained) ------------ */

/*
 * A blocking chain calls its callbacks one after the other under its
 * rwsem, so the chain cannot change during the call: a callback ends where
 * the next one begins, or where the chain returns.  One entry probe per
 * callback then times every callback, where an entry and an exit probe
 * cost a second trampoline (kretprobe: worse) per call, the larger part of
 * what a latency costs (docs/performance.md).  The time measured also
 * holds one step of the chain's loop: a few instructions.
 *
 * Each callback is checked to be the one the chain was to call: the
 * previous one's nb->next (read at its entry; the loop reads it before the
 * call too), or at the chain's return none, unless the previous one
 * stopped the chain (NOTIFY_STOP_MASK).  Anything else means a callback
 * without a probe ran in between (one still being attached, or one that
 * could not be): that latency is not counted, IT_STAT_CB_GAP says so.
 */
#define IT_NOTIFY_STOP_MASK	0x8000

/* End the chain frame's running callback (if any) at now. */
static __always_inline void it_cb_close(struct it_frame *f, __u64 now, int expected)
{
	if (!f->cb_slot)
		return;
	if (expected)
		it_hist_add(f->cb_slot, now - f->cb_ts);
	else
		it_stat_inc(IT_STAT_CB_GAP);
	f->cb_slot = 0;
}

/*
 * A callback's entry, next = nb->next.  cfg.cb_chained is set only where
 * it_hist_fast() holds (src/session.c), so no record is wanted here.
 */
static __always_inline int it_cb_enter_chained(void *ctx, int kprobe, __u64 nb, __u64 next)
{
	struct it_tstack *s;
	struct it_frame *f;
	__u64 now;
	__u32 d;

	if (!it_tgid_ok())
		return 0;
	s = it_stack(0);
	d = s && !s->over ? s->depth : 0;
	if (!d || d > IT_MAX_DEPTH) {
		it_stat_inc(IT_STAT_CB_GAP);	/* not inside a traced chain call */
		return 0;
	}
	f = &s->f[it_frame_idx(d - 1)];
	if (f->kind != IT_K_CHAIN) {
		it_stat_inc(IT_STAT_CB_GAP);
		return 0;
	}
	if (!f->win)		/* a chain call outside the window: not timed */
		return 0;
	now = bpf_ktime_get_ns();
	it_cb_close(f, now, f->cb_next == nb);
	/* never 0 (none running): IT_HIST_KEYS when the callback has no slot */
	f->cb_slot = it_hist_slot(ctx, kprobe, IT_K_CALLBACK, 0);
	f->cb_ts = now;
	f->cb_next = next;
	return 0;
}

static __always_inline int it_exit_fast(void *ctx, int kprobe, __u8 kind, __u64 ret)
{
	struct it_popped p;
	struct it_frame *f;
	__u64 now;

	if (!it_hist_kind(kind) || !it_tgid_ok())
		return 0;
	it_pop(kind, &p);
	f = p.f;
	if (!f || !p.win)
		return 0;
	now = bpf_ktime_get_ns();
	if (kind == IT_K_CHAIN && cfg.cb_chained)
		it_cb_close(f, now, !f->cb_next || (ret & IT_NOTIFY_STOP_MASK));
	if (cfg.hist_enabled)
		it_hist_add(it_hist_slot(ctx, kprobe, kind, f->a[1]), now - f->ts);
	return 0;
}

/* ---- the streaming path ----------------------------------------------- */

/*
 * Where a record is built: straight in the ring buffer when every record
 * is streamed (no filter can drop it: no copy, and when the buffer is full
 * nothing is read for a record that would be lost anyway), else on the
 * stack, streamed (bpf_ringbuf_output) only if it matches.
 */
static __always_inline int it_direct(void)
{
	return cfg.emit_events && !cfg.hist_enabled &&
	       !cfg.targ_tgid && !cfg.filter_mask;
}

static __always_inline void it_emit(struct it_record *r, int direct)
{
	if (direct) {
		bpf_ringbuf_submit(r, 0);
		return;
	}
	if (!cfg.emit_events && !it_kind_is_control(r->kind))
		return;
	if (!it_record_matches(&cfg, r))
		return;
	if (bpf_ringbuf_output(&events, r, sizeof(*r), 0))
		it_lost_inc();
}

/* ---- the two entry points ------------------------------------------- */

static __always_inline int it_enter(void *ctx, int kprobe, __u8 kind,
				    __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	struct it_record rs, *r = &rs;
	__u64 a[4] = { a0, a1, a2, a3 };
	int direct = it_direct();
	struct it_tstack *s;
	__u32 win;

	if (it_hist_fast(kind))
		return it_enter_fast(kind, a);
	s = it_stack(1);
	win = it_in_window(s);
	/*
	 * Outside the window only the frame is kept (its EXIT, and the calls
	 * it makes, must know); registrations are streamed anyway, flagged,
	 * because the chain follower attaches their callbacks.
	 */
	if (!win && !it_kind_is_control(kind)) {
		it_push(s, kind, a, 0, 0);
		return 0;
	}
	/*
	 * Kept in the frame, so the EXIT record says it too.  Read at every
	 * free path's ENTER, not only ioasid_free_locked()'s: a kernel may
	 * call ops->free from elsewhere, and the allocator follower must
	 * learn a custom free before it runs.  A notify too: a FREE it sends
	 * must be followed by that free (rule 11).
	 */
	if (it_kind_is_op(kind))
		a[3] = it_allocator_free();
	if (direct) {
		r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (!r) {
			it_lost_inc();
			it_push(s, kind, a, bpf_ktime_get_ns(), win);
			return 0;
		}
	}
	__builtin_memset(r, 0, sizeof(*r));
	it_fill_common(r, ctx, kprobe, kind, IT_PH_ENTER);
	it_fill_args(r, kind, a);
	if (!win)
		r->flags |= IT_F_OUTSIDE;
	r->depth = it_push(s, kind, a, r->ts_ns, win);
	it_emit(r, direct);
	return 0;
}

/*
 * fexit_a0: fexit's own first argument.  When only control records are
 * streamed (hist), a notifier (un)registration is attached by fexit alone
 * (src/attach.c, it_attach_exit_only): no frame was pushed, the record is
 * built from fexit_a0 and carries no latency.  Any other EXIT is streamed
 * iff its ENTER was: its frame says so, and an EXIT without one (a probe
 * attached mid-call) is only counted (it_pop), but for a callback's lone
 * EXIT inside a chain call, streamed flagged unmatched.
 */
static __always_inline int it_exit_a0(void *ctx, int kprobe, __u8 kind, __u64 ret,
				      __u64 fexit_a0)
{
	__u64 none[4] = {}, lone[4] = { fexit_a0, 0, 0, 0 };
	struct it_record rs, *r = &rs;
	struct it_popped p = {};
	const __u64 *a = none;
	int direct = it_direct();
	int exit_only = !kprobe && !cfg.emit_events && it_kind_is_control(kind);

	if (it_hist_fast(kind))
		return it_exit_fast(ctx, kprobe, kind, ret);
	if (exit_only) {
		a = lone;
		p.win = armed;
	} else {
		it_pop(kind, &p);
		if (p.missed || (!p.win && !it_kind_is_control(kind)))
			return 0;
		if (p.f)
			a = p.f->a;
	}
	if (direct) {
		r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (!r) {
			it_lost_inc();
			return 0;
		}
	}
	__builtin_memset(r, 0, sizeof(*r));
	it_fill_common(r, ctx, kprobe, kind, IT_PH_EXIT);
	r->depth = p.depth;
	if (p.f)
		r->lat_ns = r->ts_ns - p.f->ts;
	else if (!exit_only)
		r->flags |= IT_F_UNMATCHED;	/* no frame kept, or a callback's lone EXIT */
	if (!p.win)
		r->flags |= IT_F_OUTSIDE;
	it_fill_args(r, kind, a);
	it_fill_ret(r, kind, ret, a);

	if (!direct && cfg.hist_enabled && p.depth && it_record_matches(&cfg, r)) {
		if (it_hist_kind(kind))
			it_hist_add(it_hist_slot(ctx, kprobe, kind, r->cmd), r->lat_ns);
	}
	it_emit(r, direct);
	return 0;
}

static __always_inline int it_exit(void *ctx, int kprobe, __u8 kind, __u64 ret)
{
	return it_exit_a0(ctx, kprobe, kind, ret, 0);
}

/*
 * The four programs of an allocator's free (ops->free(id, opaque)):
 * default_free by name in events.bpf.c, a custom allocator's in
 * allocator.bpf.c (its target known at run time).  a3 carries the
 * function's address, so records say which free ran.
 */
#define IT_ALLOCATOR_FREE_PROGS(fe_sec, fe, fx_sec, fx, kp, kr)		\
SEC(fe_sec) int BPF_PROG(fe, __u64 id, __u64 opaque)			\
{ return it_enter(ctx, 0, IT_K_ALLOCATOR_FREE, id, opaque, 0, bpf_get_func_ip(ctx)); } \
SEC(fx_sec) int BPF_PROG(fx, __u64 id, __u64 opaque)			\
{ return it_exit(ctx, 0, IT_K_ALLOCATOR_FREE, 0); }			\
SEC("kprobe") int BPF_KPROBE(kp, __u64 id, __u64 opaque)		\
{ return it_enter(ctx, 1, IT_K_ALLOCATOR_FREE, id, opaque, 0, bpf_get_func_ip(ctx)); } \
SEC("kretprobe") int BPF_KRETPROBE(kr)					\
{ return it_exit(ctx, 1, IT_K_ALLOCATOR_FREE, 0); }

/*
 * The allocator's alloc (ops->alloc(min, max, opaque) -> id): the moment
 * an ID's life begins, inside ioasid_alloc().  Only default_alloc is
 * traced (events.bpf.c); a custom allocator's life begins at
 * ioasid_alloc()'s return instead.
 */
#define IT_ALLOCATOR_ALLOC_PROGS(fe_sec, fe, fx_sec, fx, kp, kr)		\
SEC(fe_sec) int BPF_PROG(fe, __u64 min, __u64 max, __u64 opaque)		\
{ return it_enter(ctx, 0, IT_K_ALLOCATOR_ALLOC, min, max, opaque, bpf_get_func_ip(ctx)); } \
SEC(fx_sec) int BPF_PROG(fx, __u64 min, __u64 max, __u64 opaque, __u64 ret)	\
{ return it_exit(ctx, 0, IT_K_ALLOCATOR_ALLOC, ret); }			\
SEC("kprobe") int BPF_KPROBE(kp, __u64 min, __u64 max, __u64 opaque)	\
{ return it_enter(ctx, 1, IT_K_ALLOCATOR_ALLOC, min, max, opaque, bpf_get_func_ip(ctx)); } \
SEC("kretprobe") int BPF_KRETPROBE(kr, __u64 ret)				\
{ return it_exit(ctx, 1, IT_K_ALLOCATOR_ALLOC, ret); }

#endif
