/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny writer of synthetic decoded-event streams for the checker's unit
 * tests: each helper emits what the BPF side would record for one kernel
 * call, ENTER and EXIT, with the flags a conforming kernel produces.  Tests
 * build conforming runs from the helpers and break one rule by hand.
 */
#ifndef IT_TEST_SIM_H
#define IT_TEST_SIM_H

#include <string.h>
#include "check/check.h"

struct sim {
	struct it_check *ck;
	uint64_t seq, ts;
	int stop;
};

/* cmocka setup/teardown: one checker per test. */
static inline int sim_setup(void **state)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->ck = it_check_new(NULL);
	assert_non_null(s->ck);
	*state = s;
	return 0;
}

static inline int sim_teardown(void **state)
{
	struct sim *s = *state;

	it_check_free(s->ck);
	free(s);
	return 0;
}

/* The verdict of everything fed so far. */
static inline struct it_check_report sim_finish(struct sim *s)
{
	struct it_check_report r;

	it_check_finish(s->ck, &r);
	return r;
}

struct sim_sub {
	uint64_t nb, cb;
	int32_t prio;
	const char *sym;
	int64_t ret;		/* what the callback returns (NOTIFY_OK = 1) */
};

#define SIM_NOTIFY_OK	1
#define SIM_NOTIFY_STOP	0x8001
#define SIM_FLAGS_CTX	(IT_F_LOCK_HELD | IT_F_MAY_SLEEP | IT_F_PREEMPT_KNOWN)

static inline struct it_event sim_ev(struct sim *s, enum it_kind k, enum it_phase ph, uint32_t tid)
{
	struct it_event e;

	memset(&e, 0, sizeof(e));
	e.seq = ++s->seq;
	e.ts_ns = (s->ts += 1000);
	e.kind = k;
	e.phase = ph;
	e.tid = e.pid = tid;
	e.ioasid = IT_NO_ID;
	e.sid = IT_NO_SID;
	e.flags = SIM_FLAGS_CTX;
	strcpy(e.comm, "sim");
	return e;
}

/* Feed and return the event's seq (to pin violations to it). */
static inline uint64_t sim_feed(struct sim *s, struct it_event *e)
{
	s->stop |= it_check_event(s->ck, e);
	return e->seq;
}

static inline uint64_t sim_point(struct sim *s, enum it_kind k, const struct sim_sub *sub)
{
	struct it_event e = sim_ev(s, k, IT_PH_POINT, 0);

	e.nb = sub->nb;
	e.cb = sub->cb;
	e.prio = sub->prio;
	e.cb_sym = sub->sym;
	e.flags |= IT_F_HAS_CB;
	return sim_feed(s, &e);
}

/* A subscriber found on the chain at start-up (walk) and attached. */
static inline void sim_attached(struct sim *s, const struct sim_sub *sub)
{
	sim_point(s, IT_K_META_ATTACHED, sub);
}

/* Its attach announced, stamped ts (when the attach returned), not now. */
static inline void sim_attached_at(struct sim *s, const struct sim_sub *sub, uint64_t ts)
{
	struct it_event e = sim_ev(s, IT_K_META_ATTACHED, IT_PH_POINT, 0);

	e.ts_ns = ts;
	e.nb = sub->nb;
	e.cb = sub->cb;
	e.prio = sub->prio;
	e.cb_sym = sub->sym;
	e.flags |= IT_F_HAS_CB;
	sim_feed(s, &e);
}

/* ioasid_add_notifier() traced, ENTER and EXIT; returns the EXIT's seq. */
static inline uint64_t sim_add_call(struct sim *s, uint32_t tid, const struct sim_sub *sub)
{
	struct it_event e = sim_ev(s, IT_K_ADD_NOTIFIER, IT_PH_ENTER, tid);

	e.nb = sub->nb;
	e.cb = sub->cb;
	e.prio = sub->prio;
	e.cb_sym = sub->sym;
	e.flags |= IT_F_HAS_CB;
	sim_feed(s, &e);
	e.seq = ++s->seq;
	e.ts_ns = (s->ts += 1000);
	e.phase = IT_PH_EXIT;
	e.flags |= IT_F_HAS_RET;
	e.ret = 0;
	return sim_feed(s, &e);
}

/* ... then the tracer attaches its callback. */
static inline uint64_t sim_add(struct sim *s, uint32_t tid, const struct sim_sub *sub)
{
	uint64_t seq = sim_add_call(s, tid, sub);

	sim_attached(s, sub);
	return seq;
}

static inline uint64_t sim_set_alloc(struct sim *s, uint32_t tid, uint64_t token, int32_t sid)
{
	struct it_event e = sim_ev(s, IT_K_ALLOC_SET, IT_PH_ENTER, tid);

	e.ptr = token;
	sim_feed(s, &e);
	e.seq = ++s->seq;
	e.phase = IT_PH_EXIT;
	e.sid = sid;
	e.flags |= IT_F_HAS_SID | IT_F_HAS_RET;
	e.ret = 0;
	return sim_feed(s, &e);
}

static inline uint64_t sim_alloc(struct sim *s, uint32_t tid, int32_t sid, uint64_t pdata, uint32_t id)
{
	struct it_event e = sim_ev(s, IT_K_ALLOC, IT_PH_ENTER, tid);

	e.sid = sid;
	e.ptr = pdata;
	e.flags |= IT_F_HAS_SID;
	sim_feed(s, &e);
	e.seq = ++s->seq;
	e.ts_ns = (s->ts += 1000);
	e.phase = IT_PH_EXIT;
	e.flags |= IT_F_HAS_RET;
	e.ret = id;
	return sim_feed(s, &e);
}

/* The default allocator's alloc handing out id (inside an ioasid_alloc() frame). */
static inline uint64_t sim_allocator_alloc(struct sim *s, uint32_t tid, uint32_t id)
{
	struct it_event e = sim_ev(s, IT_K_ALLOCATOR_ALLOC, IT_PH_ENTER, tid);

	e.cb = 0xd100;
	sim_feed(s, &e);
	e.seq = ++s->seq;
	e.ts_ns = (s->ts += 1000);
	e.phase = IT_PH_EXIT;
	e.flags |= IT_F_HAS_RET;
	e.ret = id;
	return sim_feed(s, &e);
}

static inline uint64_t sim_call(struct sim *s, enum it_kind k, enum it_phase ph, uint32_t tid,
				uint32_t id, uint32_t cmd, int64_t ret)
{
	struct it_event e = sim_ev(s, k, ph, tid);

	if (id != IT_NO_ID) {
		e.ioasid = id;
		e.flags |= IT_F_HAS_ID;
	}
	if (cmd) {
		e.cmd = cmd;
		e.flags |= IT_F_HAS_CMD;
	}
	if (ph == IT_PH_EXIT) {
		e.ret = ret;
		e.flags |= IT_F_HAS_RET;
	}
	return sim_feed(s, &e);
}

/* The args every callback of a chain call sees. */
struct sim_args {
	uint32_t id;
	int32_t sid;
	uint64_t token, pdata;
};

static inline uint64_t sim_callback(struct sim *s, enum it_phase ph, uint32_t tid, uint32_t cmd,
				    const struct sim_sub *sub, const struct sim_args *a)
{
	struct it_event e = sim_ev(s, IT_K_CALLBACK, ph, tid);

	e.cmd = cmd;
	e.nb = sub->nb;
	e.cb = sub->cb;
	e.prio = sub->prio;
	e.cb_sym = sub->sym;
	e.flags |= IT_F_HAS_CMD | IT_F_HAS_CB | IT_F_HAS_ARGS;
	e.args.id = a->id;
	e.args.sid = a->sid;
	e.args.set_token = a->token;
	e.args.pdata = a->pdata;
	if (ph == IT_PH_EXIT) {
		e.ret = sub->ret ? sub->ret : SIM_NOTIFY_OK;
		e.flags |= IT_F_HAS_RET;
	}
	return sim_feed(s, &e);
}

/* One chain call delivering cmd to subs[0..n) in that order. */
static inline void sim_chain(struct sim *s, uint32_t tid, uint32_t cmd, const struct sim_args *a,
			     const struct sim_sub *subs, int n)
{
	int i;

	sim_call(s, IT_K_CHAIN, IT_PH_ENTER, tid, IT_NO_ID, cmd, 0);
	for (i = 0; i < n; i++) {
		sim_callback(s, IT_PH_ENTER, tid, cmd, &subs[i], a);
		sim_callback(s, IT_PH_EXIT, tid, cmd, &subs[i], a);
	}
	sim_call(s, IT_K_CHAIN, IT_PH_EXIT, tid, IT_NO_ID, cmd, SIM_NOTIFY_OK);
}

/* ioasid_notify(id, cmd) of a conforming kernel. */
static inline void sim_notify(struct sim *s, uint32_t tid, uint32_t cmd, const struct sim_args *a,
			      const struct sim_sub *subs, int n)
{
	sim_call(s, IT_K_NOTIFY, IT_PH_ENTER, tid, a->id, cmd, 0);
	sim_chain(s, tid, cmd, a, subs, n);
	sim_call(s, IT_K_NOTIFY, IT_PH_EXIT, tid, a->id, cmd, SIM_NOTIFY_OK);
}

/* The allocator free a free calls (active_allocator->ops->free). */
struct sim_allocator {
	uint64_t fn;		/* 0: not known (a recording made before it was) */
	const char *sym, *mod;
	bool traced;		/* its calls show up as ALLOCATOR_FREE events */
};

static const struct sim_allocator SIM_DEFAULT_FREE = { 0xd000, "default_free", NULL, true };

/*
 * A record of ID that names al's free in cb: a free path (ioasid_free,
 * ioasid_free_locked: the free it calls) or the allocator free itself
 * (the one that ran).
 */
static inline uint64_t sim_naming(struct sim *s, enum it_kind k, enum it_phase ph, uint32_t tid,
				  uint32_t id, const struct sim_allocator *al)
{
	struct it_event e = sim_ev(s, k, ph, tid);

	e.ioasid = id;
	e.flags |= IT_F_HAS_ID;
	e.cb = al->fn;
	e.cb_sym = al->sym;
	e.cb_mod = al->mod;
	return sim_feed(s, &e);
}

static inline uint64_t sim_free_locked(struct sim *s, enum it_phase ph, uint32_t tid, uint32_t id,
				       const struct sim_allocator *al)
{
	return sim_naming(s, IT_K_FREE_LOCKED, ph, tid, id, al);
}

/* What the allocator follower announces: al's free traced from now on (err 0) or not. */
static inline uint64_t sim_allocator_attached(struct sim *s, const struct sim_allocator *al,
					      int err)
{
	struct it_event e = sim_ev(s, IT_K_META_ALLOCATOR, IT_PH_POINT, 0);

	e.cb = al->fn;
	e.cb_sym = al->sym;
	e.cb_mod = al->mod;
	e.ret = err;
	if (err)
		e.flags |= IT_F_HAS_RET;
	return sim_feed(s, &e);
}

/* ioasid_free(id) of a conforming kernel whose allocator free is al. */
static inline void sim_free_by(struct sim *s, uint32_t tid, const struct sim_args *a,
			       const struct sim_sub *subs, int n, const struct sim_allocator *al)
{
	sim_naming(s, IT_K_FREE, IT_PH_ENTER, tid, a->id, al);
	sim_free_locked(s, IT_PH_ENTER, tid, a->id, al);
	sim_chain(s, tid, 2 /* FREE */, a, subs, n);
	if (al->traced) {
		sim_naming(s, IT_K_ALLOCATOR_FREE, IT_PH_ENTER, tid, a->id, al);
		sim_naming(s, IT_K_ALLOCATOR_FREE, IT_PH_EXIT, tid, a->id, al);
	}
	sim_free_locked(s, IT_PH_EXIT, tid, a->id, al);
	sim_naming(s, IT_K_FREE, IT_PH_EXIT, tid, a->id, al);
}

/* ioasid_free(id) of a conforming kernel. */
static inline void sim_free(struct sim *s, uint32_t tid, const struct sim_args *a,
			    const struct sim_sub *subs, int n)
{
	sim_free_by(s, tid, a, subs, n, &SIM_DEFAULT_FREE);
}

#endif
