/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records that cross the kernel/user boundary of ioasid-trace.
 *
 * Included by the BPF programs (after vmlinux.h) and by user space (after
 * <linux/types.h>).  This file is the ONE description of the raw record
 * layout, the event kinds, the histogram bucketing and the shared limits;
 * record files (issue 5) store raw records, so bump IT_RECORD_VERSION on any
 * layout change.
 */
#ifndef IOASID_TRACE_H
#define IOASID_TRACE_H

#define IT_RECORD_VERSION	1
#define IT_COMM_LEN		16
#define IT_MAX_CALLBACKS	64	/* chain entries the start-up walk reads */
#define IT_MAX_TASKS		8192	/* tasks inside traced functions at once */
#define IT_MAX_DEPTH		16	/* nesting levels kept per task */
#define IT_RINGBUF_BYTES	(32u << 20)	/* default (trace, check); --buffer: MIN .. MAX */
#define IT_RINGBUF_RECORD_BYTES	(64u << 20)	/* default when recording */
#define IT_RINGBUF_HIST_BYTES	(256u << 10)	/* default for hist: registrations only */
#define IT_RINGBUF_MIN		(4u << 10)
#define IT_RINGBUF_MAX		(1u << 30)
#define IT_NO_ID		0xffffffffu	/* INVALID_IOASID */
#define IT_NO_SID		(-1)		/* INVALID_IOASID_SET */

/*
 * What a record is about: one traced function each.  Every function yields
 * an ENTER and an EXIT record (see it_phase), so consumers see call nesting
 * and ordering (e.g. "the FREE chain completes before the allocator free").
 * Values are part of the record ABI: append only.
 */
enum it_kind {
	IT_K_NONE = 0,
	IT_K_ALLOC,		/* ioasid_alloc(sid, min, max, private) -> id */
	IT_K_FREE,		/* ioasid_free(id) */
	IT_K_FREE_LOCKED,	/* ioasid_free_locked(id), mutex held */
	IT_K_ALLOCATOR_FREE,	/* active_allocator->ops->free(id, opaque) */
	IT_K_NOTIFY,		/* ioasid_notify(id, cmd) -> NOTIFY_* / -EINVAL */
	IT_K_CHAIN,		/* blocking_notifier_call_chain(&ioasid_chain, cmd, args) */
	IT_K_CALLBACK,		/* nb->notifier_call(nb, cmd, args) on ioasid_chain */
	IT_K_ADD_NOTIFIER,	/* ioasid_add_notifier(nb) */
	IT_K_REMOVE_NOTIFIER,	/* ioasid_remove_notifier(nb) */
	IT_K_ALLOC_SET,		/* ioasid_alloc_set(token, quota, &sid) */
	IT_K_FREE_SET,		/* ioasid_free_set(sid, destroy) */
	IT_K_ATTACH_DATA,	/* ioasid_attach_data(id, data) */
	IT_K_ALLOCATOR_ALLOC,	/* active_allocator->ops->alloc(min, max, opaque) -> id */
	IT_K__BPF_MAX,		/* kinds below are made by user space only */

	IT_K_META_ATTACHED = 32, /* a callback became traced (cb, nb, prio) */
	IT_K_META_DETACHED,	/* a callback stopped being traced */
	IT_K_META_LOST,		/* records were dropped (lost = count since last) */
	IT_K_META_ALLOCATOR,	/* an allocator's free became traced (cb; ret < 0: it could not be) */
	IT_K__MAX,
};

enum it_phase {
	IT_PH_ENTER = 0,
	IT_PH_EXIT = 1,
	IT_PH_POINT = 2,	/* meta events: no duration */
};

/* Record flags: what the record carries and the context it was taken in. */
enum it_flag {
	IT_F_HAS_ID		= 1u << 0,  /* ioasid valid */
	IT_F_HAS_SID		= 1u << 1,  /* sid valid */
	IT_F_HAS_CMD		= 1u << 2,  /* cmd valid */
	IT_F_HAS_RET		= 1u << 3,  /* ret valid (EXIT records) */
	IT_F_HAS_ARGS		= 1u << 4,  /* args read from struct ioasid_nb_args */
	IT_F_ARGS_V2		= 1u << 5,  /* args came from the v2+ layout (spid, set) */
	IT_F_HAS_CB		= 1u << 6,  /* cb/nb/prio valid */
	IT_F_LOCK_HELD		= 1u << 7,  /* ioasid_allocator_lock owned by current */
	IT_F_LOCK_UNKNOWN	= 1u << 8,  /* lock ownership not observable */
	IT_F_MAY_SLEEP		= 1u << 9,  /* no irq/softirq/NMI/bh-off, irqs on (if known) */
	IT_F_IRQS_UNKNOWN	= 1u << 10, /* fentry: IF flag not observable */
	IT_F_UNMATCHED		= 1u << 11, /* EXIT without its ENTER: lat_ns invalid */
	IT_F_KPROBE		= 1u << 12, /* taken by a kprobe/kretprobe, not fentry/fexit */
	IT_F_DESTROY_SET	= 1u << 13, /* ioasid_free_set(.., destroy_set = true) */
	IT_F_PREEMPT_KNOWN	= 1u << 14, /* preempt_count valid */
	/*
	 * Emitted outside the armed window (bpf/common.bpf.h): only
	 * registrations are, so the chain follower can attach their
	 * callbacks; check does not judge them as operations.
	 */
	IT_F_OUTSIDE		= 1u << 15,
};

/* struct ioasid_nb_args as the callback sees it (v2+: sid = spid, set_token = set). */
struct it_nb_args {
	__u32 id;
	__s32 sid;
	__u64 set_token;
	__u64 pdata;
};

/*
 * One raw record, fixed size, written by BPF into the ring buffer.
 * Field meaning per kind:
 *   ALLOC         sid, min, max, ptr=private; EXIT: ret = new id (IT_NO_ID on failure)
 *   FREE          ioasid, cb = the active allocator's ops->free, read before
 *                 the lock is taken (which free the allocator follower traces)
 *   FREE_LOCKED   ioasid, cb = the active allocator's ops->free: the free
 *                 it will call (the allocator lock is held: it cannot change)
 *   ALLOCATOR_FREE    ioasid, ptr = allocator opaque, cb = ops->free address
 *   ALLOCATOR_ALLOC   min, max, ptr = opaque, cb = ops->alloc address;
 *                 EXIT: ret = the id it handed out (IT_NO_ID on failure)
 *   NOTIFY        ioasid, cmd, cb as for FREE; EXIT: ret = NOTIFY_* or -errno
 *   CHAIN         cmd, args (if the args pointer is non-NULL); EXIT: ret = NOTIFY_*
 *   CALLBACK      cb = notifier_call, nb, prio, cmd, args; EXIT: ret = NOTIFY_*
 *   ADD/REMOVE_NOTIFIER  cb, nb, prio; EXIT: ret (add: 0 or -errno)
 *   ALLOC_SET     ptr = token, quota; EXIT: ret, sid (read back from *sid)
 *   FREE_SET      sid, IT_F_DESTROY_SET, cb as for FREE
 *   ATTACH_DATA   ioasid, ptr = data; EXIT: ret
 * EXIT records repeat their ENTER's arguments so each record stands alone.
 */
struct it_record {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 lat_ns;		/* EXIT: ns since the matching ENTER */
	__u64 cb;		/* callback (notifier_call) or ops->free address */
	__u64 nb;		/* struct notifier_block address */
	__u64 ptr;		/* private / data / token / opaque, per kind */
	__s64 ret;		/* EXIT: return value (ints sign-extended) */
	struct it_nb_args args;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 cpu;
	__u32 ioasid;
	__s32 sid;
	__u32 cmd;
	__s32 prio;
	__u32 min;
	__u32 max;
	__u32 quota;
	__u32 preempt_count;	/* raw, see docs/tool.md for the probe's own bias */
	__u32 flags;		/* enum it_flag */
	__u16 depth;		/* nesting level of this call in its task, 1 = outermost */
	__u8 kind;		/* enum it_kind */
	__u8 phase;		/* enum it_phase */
	__u32 _pad;
	char comm[IT_COMM_LEN];
};

/* Per-CPU counters of things that went wrong inside BPF (stats map index). */
enum it_stat {
	/* ring buffer reservation failed: record lost (counted in .bss rb_full, bpf/maps.bpf.h) */
	IT_STAT_RB_FULL = 0,
	IT_STAT_FRAME_FULL,	/* nesting frame could not be stored: latency lost */
	IT_STAT_UNMATCHED,	/* EXIT without ENTER */
	IT_STAT_HIST_FULL,	/* latency with no histogram slot (see IT_HIST_KEYS) */
	/*
	 * hist, callbacks timed by the chain: a callback's latency not counted
	 * because the next one to run was not the one its nb->next named (a
	 * callback without a probe ran in between, or it was called outside
	 * the chain's loop).
	 */
	IT_STAT_CB_GAP,
	/*
	 * EXIT with no frame: its probe was attached while the call was in
	 * flight (or its frame was dropped).  Not streamed.  _ARMED: of
	 * those, the ones nested in an operation inside the armed window,
	 * whose record stream therefore misses a call (check: inconclusive).
	 */
	IT_STAT_EXIT_MISSED,
	IT_STAT_EXIT_MISSED_ARMED,
	IT_STAT__COUNT,
};

/* ---- histograms ------------------------------------------------------- */

/* Which histogram a key belongs to; id is the cmd, the callback address or 0. */
enum it_hist_type {
	IT_H_CHAIN = 1,		/* ioasid_chain call latency, id = cmd */
	IT_H_CALLBACK,		/* one callback's latency, id = notifier_call address */
	IT_H_FREE_PATH,		/* ioasid_free() entry -> exit, id = 0 */
};

struct it_hist_key {
	__u32 type;
	__u32 _pad;
	__u64 id;
};

/*
 * The kernel keeps its histograms in a per-CPU ARRAY indexed by a slot
 * number, not in a hash keyed by it_hist_key: an array lookup is an index
 * and a bounds check where a hash lookup hashes and walks a bucket, and the
 * callback's slot comes from its attachment (a const of its fentry clone,
 * the kprobe's cookie) where the key needed a read of nb->notifier_call.
 * User space owns the slot -> it_hist_key table (src/attach.c):
 *   0                      the free path
 *   1 .. IT_HSLOT_CMDS     the chain, by cmd (cmd >= IT_HSLOT_CMDS: not kept)
 *   IT_HSLOT_CB0 ..        one per traced callback, given at attach time
 * A value a slot cannot hold counts in IT_STAT_HIST_FULL.
 */
#define IT_HIST_KEYS		128
#define IT_HSLOT_FREE_PATH	0
#define IT_HSLOT_CHAIN0		1
#define IT_HSLOT_CMDS		15
#define IT_HSLOT_CB0		(IT_HSLOT_CHAIN0 + IT_HSLOT_CMDS)

/*
 * The kernel (and an offline hist) always buckets with k = IT_HIST_FINE_BITS:
 * 32 sub-buckets per power of two, so a bucket's midpoint is within 2^-6
 * (1.6%) of any value in it (src/hist.h).  Coarser views (the log2 table,
 * --linear=K) are sums of fine buckets.  1024 slots hold k = 5 up to
 * 2^36 units (68.7 s in ns); the last slot also takes everything above.
 */
#define IT_HIST_MAX_SUB_BITS	5
#define IT_HIST_FINE_BITS	5
#define IT_HIST_SLOTS		1024

/* Values are stored in the unit the user asked for; stats in ns. */
struct it_hist {
	__u64 count;
	__u64 sum_ns;
	__u64 min_ns;
	__u64 max_ns;
	__u64 slots[IT_HIST_SLOTS];
};

/* floor(log2(v)) for v > 0, without loops (the BPF verifier likes it). */
static inline __u32 it_log2_u64(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xffffffffULL) << 5; v >>= s; r |= s;
	s = (v > 0xffffULL) << 4; v >>= s; r |= s;
	s = (v > 0xffULL) << 3; v >>= s; r |= s;
	s = (v > 0xfULL) << 2; v >>= s; r |= s;
	s = (v > 0x3ULL) << 1; v >>= s; r |= s;
	return r | (__u32)(v >> 1);
}

/*
 * Log-linear bucketing with 2^k sub-buckets per power of two (k = 0: log2).
 * With S = 2^k:
 *   v <  S:  bucket v (exact values; k = 0 puts only 0 here)
 *   v >= S:  p = floor(log2 v), bucket (p - k) * S + (v >> (p - k))
 * so k = 0 gives bucket 0 = {0}, 1 = {1}, 2 = [2,3], 3 = [4,7], ...
 * and each power-of-two range [2^p, 2^(p+1)) is cut in S equal parts.
 */
static inline __u32 it_hist_bucket(__u64 v, __u32 k)
{
	__u32 p, b;

	if (k > IT_HIST_MAX_SUB_BITS)
		k = IT_HIST_MAX_SUB_BITS;
	if (v < (1ULL << k))
		return (__u32)v;
	p = it_log2_u64(v);
	b = ((p - k) << k) + (__u32)(v >> (p - k));
	return b < IT_HIST_SLOTS ? b : IT_HIST_SLOTS - 1;
}

/* Inclusive value range [lo, hi] of bucket i (inverse of it_hist_bucket). */
static inline void it_hist_bucket_range(__u32 i, __u32 k, __u64 *lo, __u64 *hi)
{
	__u32 s = 1u << k, e, m;

	if (i < s) {
		*lo = *hi = i;
		return;
	}
	e = i / s - 1;		/* shift: p - k */
	m = i % s + s;		/* leading k+1 bits of the value */
	*lo = (__u64)m << e;
	*hi = e + k >= 63 && m == 2 * s - 1 ? ~0ULL : (((__u64)m + 1) << e) - 1;
	if (i == IT_HIST_SLOTS - 1 && ((64 - k + 1) << k) > IT_HIST_SLOTS)
		*hi = ~0ULL;	/* the clamped top slot: everything from lo on */
}

/* ---- configuration: `const volatile` in every BPF object, set before load */

enum it_filter_bits {
	IT_FILTER_ID	= 1u << 0,
	IT_FILTER_SID	= 1u << 1,
	IT_FILTER_CMD	= 1u << 2,
};

struct it_config {
	__u64 chain_addr;	/* &ioasid_chain from kallsyms */
	__u64 lock_addr;	/* &ioasid_allocator_lock from kallsyms */
	__u64 active_allocator_addr;	/* &active_allocator from kallsyms */
	__u64 hist_unit_ns;	/* bucket unit: 1 (ns), 1000 (us), 1000000 (ms) */
	__u32 lock_is_mutex;	/* the lock is a struct mutex (v1 patch 07) */
	__u32 emit_events;	/* stream every record (trace) or only control ones (hist) */
	__u32 hist_enabled;
	__u32 hist_sub_bits;	/* k: 2^k sub-buckets per power of two, 0 = log2 */
	__u32 targ_tgid;	/* 0: every process */
	__u32 filter_mask;	/* enum it_filter_bits */
	__u32 targ_ioasid;
	__s32 targ_sid;
	__u32 targ_cmd;
	__u32 cb_slot;		/* callbacks.bpf.c fentry clone: its histogram slot */
	/*
	 * hist without filters: a callback's latency runs from its entry to the
	 * next callback's entry or the chain's return (one probe per callback,
	 * not an entry and an exit probe): see it_cb_enter_chained().
	 */
	__u32 cb_chained;
};

/*
 * The publisher operations: ioasid_free, ioasid_free_locked,
 * ioasid_free_set and ioasid_notify.  Each records in cb the allocator
 * free it will call (the active allocator's ops->free, read at its ENTER).
 */
static inline int it_kind_is_op(__u32 kind)
{
	return kind == IT_K_FREE || kind == IT_K_FREE_LOCKED || kind == IT_K_FREE_SET ||
	       kind == IT_K_NOTIFY;
}

/* Records user space needs whatever the filters say: they drive attaching. */
static inline int it_kind_is_control(__u32 kind)
{
	return kind == IT_K_ADD_NOTIFIER || kind == IT_K_REMOVE_NOTIFIER;
}

/*
 * The filter of -p/--ioasid/--sid/--cmd.  Applied in BPF before a record is
 * streamed or added to a histogram, and usable by user space on recorded
 * records, so live and offline filtering agree.  A record that does not
 * carry the filtered field does not match (notifier registration always does).
 */
static inline int it_record_matches(const volatile struct it_config *c,
				    const struct it_record *r)
{
	if (it_kind_is_control(r->kind))
		return 1;
	if (c->targ_tgid && r->pid != c->targ_tgid)
		return 0;
	if ((c->filter_mask & IT_FILTER_ID) &&
	    (!(r->flags & IT_F_HAS_ID) || r->ioasid != c->targ_ioasid))
		return 0;
	if ((c->filter_mask & IT_FILTER_SID) &&
	    (!(r->flags & IT_F_HAS_SID) || r->sid != c->targ_sid))
		return 0;
	if ((c->filter_mask & IT_FILTER_CMD) &&
	    (!(r->flags & IT_F_HAS_CMD) || r->cmd != c->targ_cmd))
		return 0;
	return 1;
}

/* ---- the start-up snapshot (chain walk) ------------------------------- */

struct it_chain_entry {
	__u64 nb;
	__u64 cb;
	__s32 prio;
	__u32 _pad;
};

#endif /* IOASID_TRACE_H */
