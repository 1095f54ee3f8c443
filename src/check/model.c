// SPDX-License-Identifier: GPL-2.0
/* The checker's model of the kernel: the only writer of struct it_model. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

int it_model_init(struct it_model *m)
{
	memset(m, 0, sizeof(*m));
	if (it_map_init(&m->ids, 1024) || it_map_init(&m->tasks, 64) ||
	    it_map_init(&m->sets, 16))
		return -ENOMEM;
	return 0;
}

static void free_op(struct it_op *op)
{
	if (op)
		free(op->due);
	free(op);
}

static void free_task(struct it_task *t)
{
	int i;

	for (i = 0; i < t->depth; i++) {
		free(t->stack[i].chain);
		free_op(t->stack[i].op);
	}
	free(t);
}

void it_model_fini(struct it_model *m)
{
	struct it_chain_call *c;
	struct it_op *op;
	size_t i = 0;
	uint64_t k;
	void *v;

	while ((c = m->free_chains)) {
		m->free_chains = c->next_free;
		free(c);
	}
	while ((op = m->free_ops)) {
		m->free_ops = op->next_free;
		free_op(op);
	}

	while (it_map_next(&m->ids, &i, &k, &v))
		free(v);
	i = 0;
	while (it_map_next(&m->tasks, &i, &k, &v))
		free_task(v);
	i = 0;
	while (it_map_next(&m->sets, &i, &k, &v))
		free(v);
	it_map_fini(&m->ids);
	it_map_fini(&m->tasks);
	it_map_fini(&m->sets);
}

/*
 * The task of tid if it is known.  The model and several invariants look
 * up the task of every event, and consecutive events are mostly of one
 * task: the last one found is tried before the hash map.
 */
static struct it_task *task_find(struct it_model *m, uint32_t tid)
{
	struct it_task *t = m->last_task;

	if (t && t->tid == tid)
		return t;
	t = it_map_get(&m->tasks, tid);
	if (t)
		m->last_task = t;
	return t;
}

struct it_task *it_model_task(struct it_model *m, uint32_t tid)
{
	struct it_task *t = task_find(m, tid);

	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		t->tid = tid;
		if (it_map_put(&m->tasks, tid, t)) {
			free(t);
			return NULL;
		}
		m->last_task = t;
	}
	return t;
}

/*
 * The life of an IOASID (docs/invariants.md, "The life of an IOASID").
 * Transitions that break a rule are still made: the invariants report
 * them from the state before (1 at AFREE_ENTER of LIVE or NOTIFYING, 9 at
 * ALLOC_RET of a live state, 4 at FREE_CHAIN_ENTER of FREED).
 */
const enum it_life it_life_next[IT_L__N][IT_LE__N] = {
	/*                  ALLOC_RET     CHAIN_ENTER     CHAIN_DONE     AFREE_ENTER  AFREE_EXIT */
	[IT_L_UNKNOWN]   = { IT_L_LIVE,    IT_L_UNKNOWN,   IT_L_UNKNOWN,  IT_L_TAKING, IT_L_UNKNOWN },
	[IT_L_LIVE]      = { IT_L_LIVE,    IT_L_NOTIFYING, IT_L_LIVE,     IT_L_TAKING, IT_L_LIVE },
	[IT_L_NOTIFYING] = { IT_L_LIVE,    IT_L_NOTIFYING, IT_L_NOTIFIED, IT_L_TAKING, IT_L_NOTIFYING },
	[IT_L_NOTIFIED]  = { IT_L_LIVE,    IT_L_NOTIFYING, IT_L_NOTIFIED, IT_L_TAKING, IT_L_NOTIFIED },
	[IT_L_TAKING]    = { IT_L_UNKNOWN, IT_L_TAKING,    IT_L_TAKING,   IT_L_TAKING, IT_L_FREED },
	[IT_L_FREED]     = { IT_L_LIVE,    IT_L_FREED,     IT_L_FREED,    IT_L_TAKING, IT_L_FREED },
};

const char *it_life_name(enum it_life l)
{
	static const char *const names[IT_L__N] = {
		"UNKNOWN", "LIVE", "NOTIFYING", "NOTIFIED", "TAKING", "FREED",
	};

	return (unsigned)l < IT_L__N ? names[l] : "?";
}

static void life_step(struct it_id *id, enum it_life_event ev)
{
	id->life = it_life_next[id->life][ev];
}

struct it_id *it_model_id(struct it_model *m, uint32_t id)
{
	struct it_id *s = it_map_get(&m->ids, id);

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->id = id;
		s->sid = IT_NO_SID;
		if (it_map_put(&m->ids, id, s)) {
			free(s);
			return NULL;
		}
	}
	return s;
}

struct it_set *it_model_set(struct it_model *m, int32_t sid)
{
	return it_map_get(&m->sets, (uint32_t)sid);
}

struct it_sub *it_model_sub(struct it_model *m, uint64_t nb)
{
	int i;

	for (i = 0; i < m->nsubs; i++)
		if (m->subs[i].nb == nb)
			return &m->subs[i];
	return NULL;
}

static struct it_allocator_free *allocator_find(struct it_model *m, uint64_t fn)
{
	int i;

	for (i = 0; i < m->nafree; i++)
		if (m->afree[i].fn == fn)
			return &m->afree[i];
	return NULL;
}

const struct it_allocator_free *it_model_allocator(const struct it_model *m, uint64_t fn)
{
	return allocator_find((struct it_model *)m, fn);
}

/* fn is traced from since_ns on (the first word about it stays); ran: seen running. */
static void allocator_traced(struct it_model *m, uint64_t fn, uint64_t since_ns, bool ran)
{
	struct it_allocator_free *a = allocator_find(m, fn);

	if (!fn)
		return;
	if (!a) {
		if (m->nafree == IT_MODEL_MAX_ALLOCATORS) {
			m->unseen.table_full++;
			return;
		}
		a = &m->afree[m->nafree++];
		a->fn = fn;
		a->since_ns = since_ns;
		a->ran = false;
	}
	a->ran |= ran;
}

static struct it_sub *sub_get(struct it_model *m, uint64_t nb)
{
	struct it_sub *s = it_model_sub(m, nb);

	if (s)
		return s;
	if (m->nsubs >= IT_MODEL_MAX_SUBS) {
		m->unseen.table_full++;
		return NULL;
	}
	s = &m->subs[m->nsubs++];
	memset(s, 0, sizeof(*s));
	s->nb = nb;
	return s;
}

struct it_frame *it_model_frame(struct it_model *m, const struct it_event *e)
{
	struct it_task *t = task_find(m, e->tid);
	int i;

	if (!t)
		return NULL;
	for (i = t->depth - 1; i >= 0; i--)
		if (t->stack[i].ev.kind == e->kind)
			return &t->stack[i];
	return NULL;
}

struct it_frame *it_model_enclosing(struct it_task *t, enum it_kind k)
{
	int i;

	for (i = t->depth - 2; i >= 0; i--)
		if (t->stack[i].ev.kind == k)
			return &t->stack[i];
	return NULL;
}

struct it_frame *it_model_op_below(struct it_task *t, int below)
{
	int i;

	for (i = below - 1; i >= 0; i--)
		if (t->stack[i].op)
			return &t->stack[i];
	return NULL;
}

struct it_frame *it_model_in_callback(struct it_task *t)
{
	int i;

	for (i = t->depth - 2; i >= 1; i--)
		if (t->stack[i].ev.kind == IT_K_CALLBACK && t->stack[i - 1].chain)
			return &t->stack[i];
	return NULL;
}

uint32_t it_model_chain_id(struct it_task *t, const struct it_event *chain)
{
	struct it_frame *op = it_model_op_below(t, t->depth - 1);

	if (op && (op->ev.flags & IT_F_HAS_ID))
		return op->ev.ioasid;
	if (chain->flags & IT_F_HAS_ARGS)
		return chain->args.id;
	return IT_NO_ID;
}

bool it_model_surely_unallocated(const struct it_model *m, const struct it_id *id)
{
	return id->life == IT_L_FREED && !id->free_pending && !m->allocs_pending;
}

/*
 * Chain calls and ops come from a free list and go back to it when their
 * frame is popped: one of each per notification, so calloc() + free() of
 * ~15 KiB each cost more than the rest of the engine.  Only the scalar
 * part is set (model.h: arrays are valid up to their counts): the ENTER,
 * then zeroes copied from a zero object (GCC makes a memset() of a few
 * hundred bytes a rep stos, slow to start; a short copy is vector moves).
 */
static const struct it_chain_call zero_chain;
static const struct it_op zero_op;

_Static_assert(offsetof(struct it_chain_call, enter) == 0 && offsetof(struct it_op, enter) == 0,
	       "chain_get()/op_get() clear what follows the ENTER");

/* Zero the bytes from after the ENTER up to the arrays (at offset arrays). */
static inline void zero_after_enter(void *obj, const void *zero, size_t arrays)
{
	const size_t from = sizeof(struct it_event);

	memcpy((char *)obj + from, (const char *)zero + from, arrays - from);
}

static struct it_chain_call *chain_get(struct it_model *m, const struct it_event *enter)
{
	struct it_chain_call *c = m->free_chains;

	if (c)
		m->free_chains = c->next_free;
	else if (!(c = malloc(sizeof(*c))))
		return NULL;
	c->enter = *enter;
	zero_after_enter(c, &zero_chain, offsetof(struct it_chain_call, expected));
	return c;
}

static struct it_op *op_get(struct it_model *m, const struct it_event *enter)
{
	struct it_op *op = m->free_ops;

	if (op)
		m->free_ops = op->next_free;
	else if (!(op = calloc(1, sizeof(*op))))
		return NULL;
	op->enter = *enter;
	zero_after_enter(op, &zero_op, offsetof(struct it_op, nb));
	return op;
}

/* A popped frame's chain call and op back to the free lists. */
static void frame_release(struct it_model *m, struct it_frame *f)
{
	if (f->chain) {
		f->chain->next_free = m->free_chains;
		m->free_chains = f->chain;
		f->chain = NULL;
	}
	if (f->op) {
		f->op->next_free = m->free_ops;
		m->free_ops = f->op;
		f->op = NULL;
	}
}

/* What the operation around a chain call asks it to send (0: unknown). */
static uint32_t asked_cmd(const struct it_frame *op)
{
	if (!op)
		return 0;
	if (op->ev.kind == IT_K_NOTIFY)
		return (op->ev.flags & IT_F_HAS_CMD) ? op->ev.cmd : 0;
	return IT_CMD_FREE;	/* the free paths send FREE only */
}

/* What the callbacks of c must see of id, taken at the chain's ENTER. */
static void snapshot_args(struct it_model *m, struct it_chain_call *c, struct it_id *id)
{
	struct it_set *set;

	if (!it_id_live(id))
		return;
	if (id->alloc_known) {
		c->exp_sid_known = true;
		c->exp_sid = id->sid;
	}
	if (id->pdata_known && !id->attach_pending) {
		c->exp_pdata_known = true;
		c->exp_pdata = id->pdata;
		c->exp_pdata_ev = &id->pdata_ev;
	}
	if (c->exp_sid_known && (set = it_model_set(m, c->exp_sid))) {
		c->exp_token_known = true;
		c->exp_token = set->token;
		c->exp_token_ev = &set->alloc_ev;
	}
}

/* A FREE chain about id begins (the life table in model.h). */
static void free_chain_enter(struct it_id *id, const struct it_event *e)
{
	id->free_chains++;
	id->free_chain_ev = *e;
	id->touched_seq = e->seq;
	life_step(id, IT_LE_FREE_CHAIN_ENTER);
}

/*
 * A FREE chain about an ID the op already gave back to the allocator:
 * a kernel that frees first and notifies after (rule 1 reported the
 * free).  The ID may be someone else's new life by now: the chain must
 * not count as that life's FREE.
 */
static bool taken_in_op(const struct it_op *op, uint32_t id, uint32_t cmd)
{
	return cmd == IT_CMD_FREE && op->taken && op->taken_id == id;
}

static void start_chain(struct it_model *m, struct it_task *t, struct it_frame *f)
{
	const struct it_event *e = &f->ev;
	struct it_chain_call *c = chain_get(m, e);
	struct it_frame *op;
	struct it_id *id = NULL;
	int i;

	if (!c) {
		m->unseen.table_full++;
		return;
	}
	f->chain = c;
	op = it_model_op_below(t, t->depth - 1);
	if (op)
		op->op->nchains++;
	c->cmd = e->cmd;
	c->asked_cmd = asked_cmd(op);
	if (c->asked_cmd)
		c->asked_ev = op->ev;
	c->id = it_model_chain_id(t, e);
	if (c->id != IT_NO_ID && (id = it_model_id(m, c->id)) && op &&
	    taken_in_op(op->op, c->id, c->cmd)) {
		/* About the life this op ended, whoever holds the ID now. */
		c->id_gen = op->op->taken_gen;
	} else if (c->id != IT_NO_ID && id) {
		c->id_gen = id->gen;
		c->id_judged = true;
		snapshot_args(m, c, id);
		if (c->cmd == IT_CMD_FREE)
			free_chain_enter(id, e);
	}
	/* Only subscribers surely on the chain and traced before the call
	 * began can be expected to show up: a pending add or remove, or a
	 * probe attached later, is no evidence either way. */
	for (i = 0; i < m->nsubs; i++) {
		struct it_sub *s = &m->subs[i];

		if (it_sub_surely_registered(s) && s->traced && s->traced_since_ns <= e->ts_ns)
			c->expected[c->nexpected++] = s;
	}
}

static void start_op(struct it_model *m, struct it_frame *f)
{
	struct it_op *op = op_get(m, &f->ev);
	struct it_id *id;

	if (!op) {
		m->unseen.table_full++;
		return;
	}
	f->op = op;
	op->alloc_epoch = m->alloc_epoch;
	if ((f->ev.flags & IT_F_HAS_ID) && (id = it_model_id(m, f->ev.ioasid))) {
		op->id_gen = id->gen;
		op->unallocated_at_enter = it_model_surely_unallocated(m, id);
	}
	if (f->ev.kind == IT_K_FREE_LOCKED && f->ev.cb)
		m->active_free = f->ev.cb;
}

static void add_delivery(struct it_model *m, struct it_task *t, const struct it_event *e)
{
	struct it_frame *cf, *of;
	struct it_chain_call *c;
	struct it_op *op;
	int i;

	/* A callback belongs to the chain call directly below it. */
	if (t->depth < 2 || !(cf = &t->stack[t->depth - 2])->chain)
		return;
	c = cf->chain;
	if (c->ndeliv >= IT_MODEL_MAX_DELIV) {
		c->overflow = true;
		m->unseen.table_full++;
		return;
	}
	c->deliv[c->ndeliv].nb = e->nb;
	c->deliv[c->ndeliv].prio = e->prio;
	c->deliv[c->ndeliv].enter = *e;
	c->deliv[c->ndeliv].returned = false;
	c->deliv[c->ndeliv].ret = 0;
	c->ndeliv++;

	of = it_model_op_below(t, t->depth - 2);
	if (!of)
		return;
	op = of->op;
	for (i = 0; i < op->nnb; i++)
		if (op->nb[i] == e->nb)
			break;
	if (i == op->nnb) {
		if (op->nnb >= IT_MODEL_MAX_SUBS) {
			m->unseen.table_full++;
			return;
		}
		op->nb[i] = e->nb;
		op->count[i] = 0;
		op->first[i] = *e;
		op->nnb++;
	}
	op->count[i]++;
}

static void record_return(struct it_task *t, const struct it_event *e)
{
	struct it_chain_call *c;
	int i;

	if (t->depth < 2 || !(c = t->stack[t->depth - 2].chain))
		return;
	for (i = c->ndeliv - 1; i >= 0; i--) {
		if (c->deliv[i].nb == e->nb && !c->deliv[i].returned) {
			c->deliv[i].returned = true;
			c->deliv[i].ret = e->ret;
			return;
		}
	}
}

/* Intervals that begin at an ENTER: other tasks see "maybe" until the EXIT. */
static void begin_interval(struct it_model *m, const struct it_event *e)
{
	struct it_sub *s;
	struct it_id *id;

	switch (e->kind) {
	case IT_K_ALLOC:
		m->allocs_pending++;
		m->alloc_epoch++;
		break;
	case IT_K_ADD_NOTIFIER:
		if ((s = sub_get(m, e->nb))) {
			s->add_pending++;
			s->removed = false;
		}
		break;
	case IT_K_REMOVE_NOTIFIER:
		if ((s = it_model_sub(m, e->nb))) {
			s->remove_pending++;
			s->remove_seq = e->seq;
		}
		break;
	case IT_K_ATTACH_DATA:
		if ((e->flags & IT_F_HAS_ID) && (id = it_model_id(m, e->ioasid)))
			id->attach_pending++;
		break;
	case IT_K_ALLOCATOR_FREE:
		if ((e->flags & IT_F_HAS_ID) && (id = it_model_id(m, e->ioasid))) {
			id->free_pending++;
			id->touched_seq = e->seq;
		}
		break;
	default:
		break;
	}
}

static void push_frame(struct it_model *m, struct it_task *t, const struct it_event *e)
{
	struct it_frame *f;

	if (t->depth >= IT_MODEL_MAX_DEPTH) {
		t->overflow++;
		m->unseen.deep_frames++;
		return;
	}
	f = &t->stack[t->depth++];
	f->ev = *e;
	f->chain = NULL;
	f->op = NULL;
	f->allocator_alloc_seen = false;
	begin_interval(m, e);
	if (e->kind == IT_K_CHAIN)
		start_chain(m, t, f);
	else if (it_kind_is_op(e->kind))	/* publisher operations own an it_op */
		start_op(m, f);
	else if (e->kind == IT_K_CALLBACK)
		add_delivery(m, t, e);
}

/* What the tool says of itself: which callbacks and frees it traces. */
/* A callback's probes went live or away (stamped when that finished). */
static void probes_changed(struct it_model *m, const struct it_event *e)
{
	if (e->ts_ns > m->probes_changed_ns)
		m->probes_changed_ns = e->ts_ns;
}

static void meta_event(struct it_model *m, const struct it_event *e)
{
	struct it_sub *s;

	switch (e->kind) {
	case IT_K_META_ATTACHED:
		if (!(s = sub_get(m, e->nb)))
			return;
		s->cb = e->cb;
		s->prio = e->prio;
		s->sym = e->cb_sym;
		s->mod = e->cb_mod;
		s->traced = true;
		s->traced_since_ns = e->ts_ns;
		probes_changed(m, e);
		/* Found on the chain by the start-up walk, or just added. */
		s->registered = true;
		return;
	case IT_K_META_DETACHED:
		/* A block re-registered with another callback keeps that one's. */
		if ((s = it_model_sub(m, e->nb)) && (!s->cb || s->cb == e->cb))
			s->traced = false;
		probes_changed(m, e);
		return;
	case IT_K_META_ALLOCATOR:
		if (e->ret == 0)
			allocator_traced(m, e->cb, e->ts_ns, false);
		return;
	default:
		return;
	}
}

/*
 * Half a callback call (an EXIT without its ENTER, or an ENTER whose EXIT
 * never came) inside a chain call during which a callback's probes were
 * attached or detached: the call crossed the moment its entry and exit
 * probes were not both live.  The chain expects nothing of a callback not
 * traced over its whole call, so the half hides nothing a rule judges.
 */
static bool half_call_of_probe_change(const struct it_model *m, const struct it_frame *chain,
				      enum it_kind kind)
{
	return kind == IT_K_CALLBACK && chain->ev.kind == IT_K_CHAIN && chain->chain &&
	       m->probes_changed_ns > chain->ev.ts_ns;
}

/*
 * A callback ENTER right above another callback's frame: the chain calls
 * its callbacks one after the other, never one inside another, so the
 * frame below is a call whose EXIT never came (its exit probe went away).
 */
static void drop_stale_callback(struct it_model *m, struct it_task *t, const struct it_event *e)
{
	if (e->kind != IT_K_CALLBACK || t->depth < 2 ||
	    t->stack[t->depth - 1].ev.kind != IT_K_CALLBACK)
		return;
	if (half_call_of_probe_change(m, &t->stack[t->depth - 2], IT_K_CALLBACK))
		m->unseen.attach_window_exits++;
	else
		m->unseen.lost_exits++;
	frame_release(m, &t->stack[--t->depth]);
}

void it_model_pre(struct it_model *m, const struct it_event *e)
{
	struct it_task *t;

	if (e->kind >= IT_K__BPF_MAX) {
		meta_event(m, e);
		return;
	}
	if (e->kind == IT_K_ALLOCATOR_FREE && e->phase == IT_PH_ENTER)
		allocator_traced(m, e->cb, 0, true);
	if (!(t = it_model_task(m, e->tid))) {
		m->unseen.table_full++;
		return;
	}
	if (e->phase == IT_PH_ENTER) {
		drop_stale_callback(m, t, e);
		push_frame(m, t, e);
	} else if (e->phase == IT_PH_EXIT && e->kind == IT_K_CALLBACK &&
		 t->depth && t->stack[t->depth - 1].ev.kind == IT_K_CALLBACK)
		record_return(t, e);
}

/*
 * A new life of id begins: e is the EXIT that handed it out, alloc the
 * ioasid_alloc() ENTER (its sid and private data).  overlap: a free of the
 * ID may have come before or after: which came first is unknown.
 */
static void life_begin(struct it_id *id, const struct it_event *e, const struct it_event *alloc,
		       bool overlap)
{
	id->gen++;
	life_step(id, IT_LE_ALLOC_RET);
	if (overlap || id->free_pending || id->free_chains)
		id->life = IT_L_UNKNOWN;
	id->alloc_known = id->life == IT_L_LIVE;
	id->alloc_ev = *e;
	id->free_got = 0;
	id->sid = alloc->sid;
	id->pdata_known = true;
	id->pdata = alloc->ptr;
	id->pdata_ev = *e;
	id->bind_known = true;
	id->bound = false;
	id->late_reported = 0;
}

static bool returned_id(const struct it_event *e)
{
	return e->ret >= 0 && (uint64_t)e->ret != IT_NO_ID;
}

/*
 * The allocator's alloc handed out an ID: the exact moment its life
 * begins (a free of it returning before this one is no overlap).
 */
static void allocator_alloc_exit(struct it_model *m, struct it_task *t, const struct it_event *e,
				 struct it_frame *f)
{
	struct it_frame *af = NULL;
	struct it_id *id;
	int i;

	for (i = (int)(f - t->stack) - 1; i >= 0 && !af; i--)
		if (t->stack[i].ev.kind == IT_K_ALLOC)
			af = &t->stack[i];
	if (!returned_id(e) || !(id = it_model_id(m, (uint32_t)e->ret)))
		return;
	if (af) {
		af->allocator_alloc_seen = true;
		af->allocator_alloc_id = (uint32_t)e->ret;
	}
	life_begin(id, e, af ? &af->ev : e, !af);
}

/*
 * ioasid_alloc() returned.  When the allocator's alloc inside it was seen,
 * the life began there; an ID it did not return was undone inline (an
 * error path) and is unknown.  Otherwise the life begins now, unknown if a
 * free of the ID began during the call: it may have come first.
 */
static void alloc_exit(struct it_model *m, const struct it_event *e, struct it_frame *f)
{
	struct it_id *id;

	if (f->allocator_alloc_seen) {
		id = it_model_id(m, f->allocator_alloc_id);
		if (!id)
			return;
		if (!returned_id(e) || (uint32_t)e->ret != f->allocator_alloc_id) {
			id->life = IT_L_UNKNOWN;
			id->alloc_known = false;
		} else if (id->alloc_known && id->alloc_ev.kind == IT_K_ALLOCATOR_ALLOC &&
			   id->alloc_ev.seq > f->ev.seq) {
			id->alloc_ev = *e;	/* the fuller record as evidence */
			if (id->pdata_ev.kind == IT_K_ALLOCATOR_ALLOC)
				id->pdata_ev = *e;
		}
		return;
	}
	if (returned_id(e) && (id = it_model_id(m, (uint32_t)e->ret)))
		life_begin(id, e, e, id->touched_seq > f->ev.seq);
}

/* The allocator took id back (its free returned). */
static void life_end(struct it_id *id, const struct it_event *e)
{
	if (id->free_pending)
		id->free_pending--;
	/* An allocation that returned the ID meanwhile made its life unknown. */
	life_step(id, IT_LE_AFREE_EXIT);
	if (id->life != IT_L_FREED)
		return;
	id->freed_ev = *e;
	id->alloc_known = false;
	id->pdata_known = false;
	id->free_got = 0;
	id->bind_known = true;
	id->bound = false;
}

/* A chain call's EXIT: a FREE chain completed; BIND/UNBIND took effect. */
static void chain_exit(struct it_model *m, struct it_task *t, struct it_frame *f)
{
	struct it_chain_call *c = f->chain;
	struct it_frame *opf;
	struct it_op *op;
	struct it_id *id;

	if (!c || c->id == IT_NO_ID || !(id = it_model_id(m, c->id)))
		return;
	if (c->cmd == IT_CMD_BIND || c->cmd == IT_CMD_UNBIND) {
		if (it_id_live(id) && id->gen == c->id_gen) {
			id->bind_known = true;
			id->bound = c->cmd == IT_CMD_BIND;
			id->bind_ev = c->enter;
		}
		return;
	}
	if (c->cmd != IT_CMD_FREE)
		return;
	if (id->free_chains && !--id->free_chains)
		life_step(id, IT_LE_FREE_CHAIN_DONE);
	opf = it_model_op_below(t, (int)(f - t->stack));
	if (!opf || id->life != IT_L_NOTIFIED)
		return;
	op = opf->op;
	if (op->ndue == op->due_cap) {
		int cap = op->due_cap ? 2 * op->due_cap : 8;
		struct it_due *d = realloc(op->due, cap * sizeof(*d));

		if (!d) {
			m->unseen.table_full++;
			return;
		}
		op->due = d;
		op->due_cap = cap;
	}
	op->due[op->ndue].id = c->id;
	op->due[op->ndue].gen = id->gen;
	op->ndue++;
}

static void sub_exit(struct it_model *m, const struct it_event *e)
{
	struct it_sub *s = it_model_sub(m, e->nb);

	if (!s)
		return;
	if (e->kind == IT_K_ADD_NOTIFIER) {
		if (s->add_pending)
			s->add_pending--;
		if (e->ret != 0)
			return;
		s->cb = e->cb;
		s->prio = e->prio;
		s->sym = e->cb_sym;
		s->mod = e->cb_mod;
		s->registered = true;
		s->reg_known = true;
		s->reg_seq = e->seq;
		s->reg_ev = *e;
		return;
	}
	if (s->remove_pending)
		s->remove_pending--;
	s->registered = false;
	if (!s->add_pending) {
		s->removed = true;
		s->removed_ev = *e;
	}
}

static void set_exit(struct it_model *m, const struct it_event *e)
{
	struct it_set *set;

	if (e->kind == IT_K_FREE_SET) {
		if (e->flags & IT_F_DESTROY_SET)
			free(it_map_del(&m->sets, (uint32_t)e->sid));
		return;
	}
	if (e->ret != 0 || !(e->flags & IT_F_HAS_SID))
		return;
	set = it_model_set(m, e->sid);
	if (!set && (set = calloc(1, sizeof(*set))) &&
	    it_map_put(&m->sets, (uint32_t)e->sid, set)) {
		free(set);
		set = NULL;
	}
	if (!set) {
		m->unseen.table_full++;
		return;
	}
	set->sid = e->sid;
	set->token = e->ptr;
	set->alloc_ev = *e;
}

const struct it_allocator_free *it_model_op_allocator(const struct it_model *m,
						      const struct it_event *op_enter,
						      uint64_t *fn)
{
	const struct it_allocator_free *a;

	/* The free paths record the free they will call (ioasid_trace.h). */
	*fn = it_kind_is_op(op_enter->kind) && op_enter->cb ? op_enter->cb : m->active_free;
	a = *fn ? it_model_allocator(m, *fn) : NULL;
	return a && a->since_ns <= op_enter->ts_ns ? a : NULL;
}

bool it_model_due_open(const struct it_model *m, const struct it_due *d)
{
	const struct it_id *id = it_map_get(&m->ids, d->id);

	return id && id->gen == d->gen && it_id_live(id) && !id->free_pending;
}

/*
 * An operation returned with a FREE chain completed and its ID not taken
 * back.  Invariant 11 judges it when the allocator's free is traced; when
 * it is not, the ID may well be free: its life is unknown from here.
 */
static void op_exit(struct it_model *m, struct it_frame *f)
{
	uint64_t fn;
	int i;

	if (it_model_op_allocator(m, &f->ev, &fn))
		return;
	for (i = 0; i < f->op->ndue; i++) {
		struct it_id *id;

		if (it_model_due_open(m, &f->op->due[i]) &&
		    (id = it_model_id(m, f->op->due[i].id))) {
			id->life = IT_L_UNKNOWN;
			id->alloc_known = false;
		}
	}
}

/* Every op around the allocator's free f took the ID back (its life gen). */
static void mark_taken(struct it_task *t, const struct it_frame *f, const struct it_id *id,
		       uint32_t ioasid)
{
	int i;

	for (i = (int)(f - t->stack) - 1; i >= 0; i--) {
		struct it_op *op = t->stack[i].op;

		if (!op)
			continue;
		op->taken = true;
		op->taken_id = ioasid;
		op->taken_gen = id->gen;
	}
}

/* State changes that a call makes, applied at its EXIT. */
static void apply_exit(struct it_model *m, struct it_task *t, const struct it_event *e,
		       struct it_frame *f)
{
	struct it_id *id;

	switch (e->kind) {
	case IT_K_ALLOC:
		if (m->allocs_pending)
			m->allocs_pending--;
		alloc_exit(m, e, f);
		break;
	case IT_K_ALLOCATOR_ALLOC:
		allocator_alloc_exit(m, t, e, f);
		break;
	case IT_K_ATTACH_DATA:
		if (!(e->flags & IT_F_HAS_ID) || !(id = it_model_id(m, e->ioasid)))
			break;
		if (id->attach_pending)
			id->attach_pending--;
		if (e->ret == 0) {
			id->pdata_known = true;
			id->pdata = e->ptr;
			id->pdata_ev = *e;
		}
		break;
	case IT_K_ALLOCATOR_FREE:
		if ((e->flags & IT_F_HAS_ID) && (id = it_model_id(m, e->ioasid))) {
			mark_taken(t, f, id, e->ioasid);
			life_end(id, e);
		}
		break;
	case IT_K_CHAIN:
		chain_exit(m, t, f);
		break;
	case IT_K_ALLOC_SET:
	case IT_K_FREE_SET:
		set_exit(m, e);
		break;
	case IT_K_ADD_NOTIFIER:
	case IT_K_REMOVE_NOTIFIER:
		sub_exit(m, e);
		break;
	default:
		break;
	}
	if (f->op)
		op_exit(m, f);
}

/* Effects of an ENTER that the invariants must judge before they happen. */
static void apply_enter(struct it_model *m, struct it_task *t, const struct it_event *e)
{
	struct it_chain_call *c;
	struct it_sub *s;
	struct it_id *id;

	if (e->kind == IT_K_ALLOCATOR_FREE) {
		if ((e->flags & IT_F_HAS_ID) && (id = it_model_id(m, e->ioasid)))
			life_step(id, IT_LE_AFREE_ENTER);
		return;
	}
	if (e->kind != IT_K_CALLBACK || t->depth < 2 || !(c = t->stack[t->depth - 2].chain))
		return;
	if (c->cmd != IT_CMD_FREE || c->id == IT_NO_ID || !(s = it_model_sub(m, e->nb)) ||
	    !(id = it_model_id(m, c->id)) || id->gen != c->id_gen)
		return;
	if (!id->free_got)
		id->first_free_ev = c->enter;
	id->free_got |= 1ULL << (s - m->subs);
}

/* Frames above stack[i] are popped without their EXIT. */
static void count_lost_exits(struct it_model *m, const struct it_task *t, int i)
{
	int j;

	for (j = i + 1; j < t->depth; j++) {
		if (half_call_of_probe_change(m, &t->stack[j - 1], t->stack[j].ev.kind))
			m->unseen.attach_window_exits++;
		else
			m->unseen.lost_exits++;
	}
}

void it_model_post(struct it_model *m, const struct it_event *e)
{
	struct it_task *t;
	struct it_frame *f;
	int i;

	if (e->kind >= IT_K__BPF_MAX || !(t = task_find(m, e->tid)))
		return;
	if (e->phase == IT_PH_ENTER) {
		if (t->depth && t->stack[t->depth - 1].ev.seq == e->seq)
			apply_enter(m, t, e);
		return;
	}
	if (e->phase != IT_PH_EXIT)
		return;
	if (t->overflow && t->depth == IT_MODEL_MAX_DEPTH) {
		t->overflow--;
		return;
	}
	/* Pop to the matching frame; frames above it lost their EXIT. */
	for (i = t->depth - 1; i >= 0; i--)
		if (t->stack[i].ev.kind == e->kind)
			break;
	if (i < 0 || (e->flags & IT_F_UNMATCHED)) {
		/* Its ENTER was never seen: what it did is not known. */
		if (t->depth && half_call_of_probe_change(m, &t->stack[t->depth - 1], e->kind))
			m->unseen.attach_window_exits++;
		else {
			m->unseen.unmatched_exits++;
			m->unseen.unmatched_by_kind[e->kind]++;
		}
		return;
	}
	f = &t->stack[i];
	apply_exit(m, t, e, f);
	count_lost_exits(m, t, i);
	while (t->depth > i)
		frame_release(m, &t->stack[--t->depth]);
}
