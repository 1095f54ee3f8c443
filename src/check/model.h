/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checker's picture of the kernel, rebuilt from decoded events only:
 * what each task is inside of (a frame stack), what is known of each IOASID,
 * set and subscriber, and what each notifier chain call delivered.
 *
 * The invariants (inv_*.c) read this model; only model.c writes it.  For
 * every event the engine calls it_model_pre() (ENTER: push the frame, start
 * a chain call), then every invariant, then it_model_post() (EXIT: pop the
 * frame; state changes that the event makes take effect).  So an invariant
 * sees the world as it was just before the event's effect, with the
 * event's own frame on top of its task's stack.
 *
 * What the trace did not show stays unknown (IT_UNKNOWN_* / flags): IDs
 * allocated and subscribers registered before tracing started.  Invariants
 * never report on unknown state: no false violation for a monitor started
 * mid-run.
 */
#ifndef IT_CHECK_MODEL_H
#define IT_CHECK_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "event.h"
#include "map.h"

#define IT_MODEL_MAX_SUBS	64	/* subscribers on the chain at once */
#define IT_MODEL_MAX_ALLOCATORS	16	/* allocator frees known traced */
#define IT_MODEL_MAX_DEPTH	32	/* frames per task */

/*
 * A subscriber: one notifier_block on ioasid_chain.  Registration and
 * removal are intervals (ENTER to EXIT): while one is pending, whether the
 * chain holds the subscriber is "maybe" and nothing is judged against it.
 */
struct it_sub {
	uint64_t nb, cb;
	int32_t prio;
	const char *sym, *mod;
	bool registered;	/* on the chain (add seen, or found by the start-up walk) */
	bool reg_known;		/* reg_seq is meaningful (we saw the add) */
	uint64_t reg_seq;	/* event seq of the add's EXIT */
	struct it_event reg_ev;	/* that event (two-sided reports) */
	int add_pending, remove_pending;	/* calls between their ENTER and EXIT */
	uint64_t remove_seq;	/* event seq of the latest remove's ENTER (0: none) */
	bool removed;		/* a remove returned and no add began since */
	struct it_event removed_ev;	/* that remove's EXIT */
	bool traced;		/* its callback is attached */
	uint64_t traced_since_ns;
};

/* Whether the chain surely holds s now (no add or remove in flight). */
static inline bool it_sub_surely_registered(const struct it_sub *s)
{
	return s->registered && !s->add_pending && !s->remove_pending;
}

/*
 * One IOASID's life as the kernel's own acts show it (docs/invariants.md,
 * "The life of an IOASID"): the allocation that returned it, the FREE
 * chain calls about it, the allocator's free of it.
 *
 * The transitions are it_life_next[][] (model.c); docs/invariants.md has
 * the same table, and a unit test holds one against the other.  An
 * allocation whose call overlapped a FREE chain or an allocator free of
 * the ID it returned starts an UNKNOWN life: which came first is unknown.
 */
enum it_life {
	IT_L_UNKNOWN = 0,	/* not seen allocated: allocated before tracing, or maybe */
	IT_L_LIVE,		/* allocated, no FREE chain about it yet in this life */
	IT_L_NOTIFYING,		/* a FREE chain about it is running */
	IT_L_NOTIFIED,		/* a FREE chain about it completed in this life */
	IT_L_TAKING,		/* the allocator's free of it is running */
	IT_L_FREED,		/* the allocator took it back */
	IT_L__N,
};

/* What the kernel does to one ID: the columns of the life table. */
enum it_life_event {
	IT_LE_ALLOC_RET = 0,	/* ioasid_alloc() returned it */
	IT_LE_FREE_CHAIN_ENTER,	/* a FREE chain call about it began */
	IT_LE_FREE_CHAIN_DONE,	/* the last FREE chain call about it returned */
	IT_LE_AFREE_ENTER,	/* the allocator's free of it began */
	IT_LE_AFREE_EXIT,	/* ... and returned */
	IT_LE__N,
};

extern const enum it_life it_life_next[IT_L__N][IT_LE__N];
const char *it_life_name(enum it_life l);	/* "NOTIFYING" */

/* What is known of one IOASID. */
struct it_id {
	uint32_t id;
	enum it_life life;
	uint32_t gen;		/* bumped at every allocation we see */
	bool alloc_known;	/* alloc_ev valid: this life's ALLOC was traced */
	struct it_event alloc_ev;
	int free_chains;	/* FREE chain calls about it running now */
	struct it_event free_chain_ev;	/* the last FREE chain's ENTER */
	uint64_t free_got;	/* subscriber indexes that got FREE in this life */
	struct it_event first_free_ev;	/* the chain that first delivered FREE in it */
	int free_pending;	/* allocator frees of it in flight */
	uint64_t touched_seq;	/* last FREE chain ENTER or allocator free ENTER */
	int attach_pending;	/* ioasid_attach_data() calls in flight */
	int32_t sid;		/* IT_NO_SID if unknown */
	bool pdata_known;
	uint64_t pdata;		/* private data as last allocated/attached */
	struct it_event pdata_ev;
	/* binding state from BIND/UNBIND chains of ioasid_notify() */
	bool bind_known, bound;
	struct it_event bind_ev;
	struct it_event freed_ev;	/* life FREED: the allocator free that ended it */
	uint64_t late_reported;		/* inv 10: subscriber indexes already reported */
};

/* The ID is allocated now (a FREE chain may have run). */
static inline bool it_id_live(const struct it_id *id)
{
	return id->life == IT_L_LIVE || id->life == IT_L_NOTIFYING || id->life == IT_L_NOTIFIED;
}

/* One IOASID set. */
struct it_set {
	int32_t sid;
	uint64_t token;
	struct it_event alloc_ev;
};

/* What one callback of a chain call did. */
struct it_delivery {
	uint64_t nb;
	int32_t prio;
	struct it_event enter;
	bool returned;
	int64_t ret;
};

#define IT_MODEL_MAX_DELIV	IT_MODEL_MAX_SUBS

/*
 * One blocking_notifier_call_chain(&ioasid_chain, ...) call.
 *
 * Chain calls and ops are recycled (model.c keeps the popped ones on a
 * free list): a fresh one has its ENTER set and every other field before
 * its first array zeroed, and the arrays are valid only up to their
 * counts.  Zeroing the whole ~15 KiB (most of it arrays that hold a
 * handful of entries) for every call was half of what `check -i` spent.
 * New scalar fields go before the arrays.
 */
struct it_chain_call {
	struct it_event enter;
	uint32_t cmd;
	uint32_t asked_cmd;		/* what the enclosing operation sends (0: unknown) */
	struct it_event asked_ev;	/* ... the ENTER of that operation, if asked_cmd */
	uint32_t id;			/* IT_NO_ID if unknown */
	/* what the callbacks should see, snapshot at ENTER */
	bool exp_sid_known, exp_pdata_known, exp_token_known;
	int32_t exp_sid;
	uint64_t exp_pdata, exp_token;
	const struct it_event *exp_pdata_ev, *exp_token_ev;
	uint32_t id_gen;		/* the ID's generation at ENTER */
	bool id_judged;			/* its life was known at ENTER */
	int nexpected;
	int ndeliv;
	bool overflow;
	struct it_chain_call *next_free;	/* model.c's free list */
	/* subscribers expected to be called: surely registered and traced at ENTER */
	struct it_sub *expected[IT_MODEL_MAX_SUBS];
	struct it_delivery deliv[IT_MODEL_MAX_DELIV];
};

/* A FREE chain that completed inside an operation: it must end the life. */
struct it_due {
	uint32_t id, gen;
};

/*
 * A publisher operation: ioasid_notify(), ioasid_free(), ioasid_free_set()
 * or ioasid_free_locked().
 */
struct it_op {
	struct it_event enter;
	int nchains;
	int nnb;
	uint32_t id_gen;	/* the ID's generation when the op began */
	/* ioasid_notify(): the ID surely unallocated from ENTER on (inv 4) */
	bool unallocated_at_enter;
	uint64_t alloc_epoch;	/* model's alloc_epoch at ENTER */
	int ndue;		/* FREE chains completed inside it (due[]) */
	/* the allocator took this ID back inside the op (the last one it did) */
	bool taken;
	uint32_t taken_id, taken_gen;
	struct it_op *next_free;	/* model.c's free list */
	/* per subscriber, how many callbacks it got inside this op */
	uint64_t nb[IT_MODEL_MAX_SUBS];
	int count[IT_MODEL_MAX_SUBS];
	struct it_event first[IT_MODEL_MAX_SUBS];
	/* kept across recycling (never zeroed): grown as needed */
	struct it_due *due;
	int due_cap;
};

struct it_frame {
	struct it_event ev;		/* the ENTER */
	/* kind ALLOC: the allocator's alloc inside it returned an ID (it began the life) */
	bool allocator_alloc_seen;
	uint32_t allocator_alloc_id;
	struct it_chain_call *chain;	/* kind CHAIN */
	struct it_op *op;		/* kinds NOTIFY / FREE / FREE_SET / FREE_LOCKED */
};

struct it_task {
	uint32_t tid;
	int depth;
	struct it_frame stack[IT_MODEL_MAX_DEPTH];
	int overflow;			/* frames beyond the stack, not tracked */
};

/* An allocator free (ops->free) the trace sees, and from when. */
struct it_allocator_free {
	uint64_t fn;
	uint64_t since_ns;	/* META_ALLOCATOR's time; 0: seen running, traced from the start */
	bool ran;		/* an ALLOCATOR_FREE of it was seen */
};

/* What the model could not keep or pair: each makes the run inconclusive. */
struct it_model_unseen {
	uint64_t unmatched_exits;	/* EXITs whose ENTER was never seen */
	uint64_t unmatched_by_kind[IT_K__BPF_MAX];	/* the same, per kind */
	uint64_t attach_window_exits;	/* half callback calls of a probe change: no cause */
	uint64_t lost_exits;		/* frames popped without their EXIT */
	uint64_t deep_frames;		/* calls nested deeper than IT_MODEL_MAX_DEPTH */
	uint64_t table_full;		/* subscribers, deliveries, allocators, dues, memory */
};

struct it_model {
	struct it_map ids;		/* id -> struct it_id */
	struct it_map tasks;		/* tid -> struct it_task */
	struct it_map sets;		/* sid -> struct it_set */
	struct it_sub subs[IT_MODEL_MAX_SUBS];
	int nsubs;
	uint64_t probes_changed_ns;	/* latest callback attach or detach */
	struct it_allocator_free afree[IT_MODEL_MAX_ALLOCATORS];
	int nafree;
	uint64_t active_free;		/* ops->free the last ioasid_free_locked() named */
	int allocs_pending;		/* ioasid_alloc() calls in flight, any task */
	uint64_t alloc_epoch;		/* ioasid_alloc() ENTERs so far */
	struct it_model_unseen unseen;
	/* the task of the previous lookup: events come in runs per task, and
	 * tasks are never removed before it_model_fini() */
	struct it_task *last_task;
	/* popped chain calls and ops, reused by the next ENTER */
	struct it_chain_call *free_chains;
	struct it_op *free_ops;
};

int it_model_init(struct it_model *m);
void it_model_fini(struct it_model *m);
void it_model_pre(struct it_model *m, const struct it_event *e);
void it_model_post(struct it_model *m, const struct it_event *e);

struct it_task *it_model_task(struct it_model *m, uint32_t tid);
/* The frame of this event's call (ENTER: just pushed; EXIT: about to pop). */
struct it_frame *it_model_frame(struct it_model *m, const struct it_event *e);
/* The nearest frame of kind k below the top (NULL if none). */
struct it_frame *it_model_enclosing(struct it_task *t, enum it_kind k);
struct it_id *it_model_id(struct it_model *m, uint32_t id);	/* creates UNKNOWN */
struct it_set *it_model_set(struct it_model *m, int32_t sid);	/* NULL if unknown */
struct it_sub *it_model_sub(struct it_model *m, uint64_t nb);	/* NULL if unknown */
/* The allocator free fn, if it is known traced (NULL: not known). */
const struct it_allocator_free *it_model_allocator(const struct it_model *m, uint64_t fn);

/* The IOASID a chain call is about: its args, else the enclosing op's. */
uint32_t it_model_chain_id(struct it_task *t, const struct it_event *chain_enter);
/* The innermost operation frame below depth `below` of t (NULL if none). */
struct it_frame *it_model_op_below(struct it_task *t, int below);
/* The CALLBACK frame of a chain call this task is inside (NULL if none). */
struct it_frame *it_model_in_callback(struct it_task *t);
/*
 * The allocator free an operation's frees go through, when it is traced
 * since before the operation began (NULL: not observable); *fn is its
 * address (0: unknown).
 */
const struct it_allocator_free *it_model_op_allocator(const struct it_model *m,
						      const struct it_event *op_enter,
						      uint64_t *fn);
/* A FREE chain completed for d's life, and the ID is not taken back yet. */
bool it_model_due_open(const struct it_model *m, const struct it_due *d);
/* The ID is surely not allocated now: freed, and no allocation in flight. */
bool it_model_surely_unallocated(const struct it_model *m, const struct it_id *id);

#endif
