// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "chain.h"

/*
 * Stamped now, after the attach (or detach) returned, on the records'
 * clock (it_mono_ns, as the allocator follower's): a chain call that
 * began before the stamp may have run the callback before its probes
 * were in place, so check expects the callback only in calls that began
 * after it.  The registration's own time would be too early: the attach
 * takes milliseconds after it.
 */
static void announce(struct it_chain *c, enum it_kind kind, const struct it_chain_cb *cb,
		     const struct it_chain_nb *nb, int64_t ret)
{
	struct it_pipeline *p = c->consumer.pipe;
	struct it_event e;

	if (!p)
		return;
	it_decode_meta(&p->dec, &e, kind, it_mono_ns());
	e.cb = cb->cb;
	e.cb_sym = cb->sym[0] ? cb->sym : NULL;
	e.cb_mod = cb->mod[0] ? cb->mod : NULL;
	e.nb = nb ? nb->nb : 0;
	e.prio = nb ? nb->prio : 0;
	e.ret = ret;
	if (ret)
		e.flags |= IT_F_HAS_RET;
	it_pipeline_event(p, &e);
}

static struct it_chain_cb *find_cb(struct it_chain *c, uint64_t cb)
{
	int i;

	for (i = 0; i < c->ncbs; i++)
		if (c->cbs[i].cb == cb)
			return &c->cbs[i];
	return NULL;
}

static int find_nb(struct it_chain *c, uint64_t nb)
{
	int i;

	for (i = 0; i < c->nnbs; i++)
		if (c->nbs[i].nb == nb)
			return i;
	return -1;
}

static void resolve(struct it_chain *c, struct it_chain_cb *s)
{
	struct it_pipeline *p = c->consumer.pipe;
	struct it_event e = { .cb = s->cb, .kind = IT_K_ADD_NOTIFIER, .phase = IT_PH_ENTER };

	if (!p)
		return;
	/* Through the decoder, so a module loaded after start-up is found. */
	p->dec.reload_on_miss = true;
	it_decode_resolve(&p->dec, &e);
	snprintf(s->sym, sizeof(s->sym), "%s", e.cb_sym ? e.cb_sym : "");
	snprintf(s->mod, sizeof(s->mod), "%s", e.cb_mod ? e.cb_mod : "");
}

static void attach_cb(struct it_chain *c, struct it_chain_cb *s, const struct it_chain_nb *n)
{
	int err;

	if (!s->sym[0]) {
		snprintf(s->why, sizeof(s->why), "no symbol for 0x%llx", (unsigned long long)s->cb);
		err = -ENOENT;
	} else {
		err = c->probe->attach(c->a, s->cb, s->sym, s->mod, &s->link, s->why,
				       sizeof(s->why));
	}
	s->err = err;
	if (err) {
		fprintf(c->diag, "ioasid-trace: warning: callback %s not traced: %s\n",
			s->sym[0] ? s->sym : "?", s->why);
		announce(c, IT_K_META_DETACHED, s, n, err);
		return;
	}
	if (c->verbose)
		fprintf(c->diag, "ioasid-trace: tracing callback %s%s%s%s (%s)\n", s->sym,
			s->mod[0] ? " [" : "", s->mod, s->mod[0] ? "]" : "",
			it_mode_name(s->link.mode));
	announce(c, IT_K_META_ATTACHED, s, n, 0);
}

/* Another block with a callback already known: tell check it is traced. */
static void share_cb(struct it_chain *c, struct it_chain_cb *s, const struct it_chain_nb *n)
{
	s->refs++;
	s->retire_seq = 0;
	if (s->link.mode != IT_MODE_NONE)
		announce(c, IT_K_META_ATTACHED, s, n, 0);
	else if (c->a)
		announce(c, IT_K_META_DETACHED, s, n, s->err);
}

void it_chain_add(struct it_chain *c, uint64_t nb, uint64_t cb, int32_t prio)
{
	struct it_chain_cb *s;
	struct it_chain_nb *n;

	if (!nb || !cb || find_nb(c, nb) >= 0 || c->nnbs == IT_CHAIN_MAX_CBS)
		return;
	n = &c->nbs[c->nnbs++];
	n->nb = nb;
	n->cb = cb;
	n->prio = prio;
	s = find_cb(c, cb);
	if (s) {
		share_cb(c, s, n);
		return;
	}
	if (c->ncbs == IT_CHAIN_MAX_CBS)
		return;
	s = &c->cbs[c->ncbs++];
	memset(s, 0, sizeof(*s));
	s->cb = cb;
	s->refs = 1;
	resolve(c, s);
	if (c->a)
		attach_cb(c, s, n);
}

/* A chain call that began before seq is still running. */
static bool chain_running_since_before(const struct it_chain *c, uint64_t seq)
{
	int i;

	for (i = 0; i < c->nopen; i++)
		if (c->open[i].seq < seq)
			return true;
	return false;
}

/*
 * Detach the retired callbacks no running chain call can still reach, so
 * an fentry trampoline does not keep a module pinned longer than that.
 */
static void reap(struct it_chain *c)
{
	int i = 0;

	while (i < c->ncbs) {
		struct it_chain_cb *s = &c->cbs[i];
		struct it_chain_nb n = { .nb = s->retire_nb, .cb = s->cb, .prio = s->retire_prio };

		if (s->refs > 0 || chain_running_since_before(c, s->retire_seq)) {
			i++;
			continue;
		}
		if (s->link.mode != IT_MODE_NONE) {
			c->probe->detach(&s->link);
			/* Stamped after the detach: a chain call that overlapped it
			 * may show half a call of this callback (model.c). */
			announce(c, IT_K_META_DETACHED, s, &n, 0);
		}
		*s = c->cbs[--c->ncbs];
	}
}

/* seq: the removal's EXIT, after which a conforming chain never calls nb. */
void it_chain_remove(struct it_chain *c, uint64_t nb, uint64_t seq)
{
	struct it_chain_nb n;
	struct it_chain_cb *s;
	int i = find_nb(c, nb);

	if (i < 0)
		return;
	n = c->nbs[i];
	c->nbs[i] = c->nbs[--c->nnbs];
	s = find_cb(c, n.cb);
	if (!s || --s->refs > 0)
		return;
	s->retire_seq = seq;
	s->retire_nb = n.nb;
	s->retire_prio = n.prio;
	reap(c);
}

static void chain_enter(struct it_chain *c, const struct it_event *e)
{
	if (c->nopen == IT_CHAIN_MAX_OPEN)
		return;		/* a removed callback may then go before this call ends */
	c->open[c->nopen].tid = e->tid;
	c->open[c->nopen].seq = e->seq;
	c->nopen++;
}

/* The innermost open call of the task (a callback may run a chain). */
static void chain_exit(struct it_chain *c, const struct it_event *e)
{
	int i;

	for (i = c->nopen - 1; i >= 0; i--) {
		if (c->open[i].tid == e->tid) {
			c->open[i] = c->open[--c->nopen];
			break;
		}
	}
	reap(c);
}

void it_chain_seed(struct it_chain *c, const struct it_kernel *k)
{
	uint32_t i;

	for (i = 0; i < k->nchain; i++)
		it_chain_add(c, k->chain[i].nb, k->chain[i].cb, k->chain[i].prio);
	if (k->chain_truncated)
		fprintf(c->diag, "ioasid-trace: warning: more than %d callbacks on ioasid_chain, "
			"the rest are not traced\n", IT_MAX_CALLBACKS);
}

static int chain_event(struct it_consumer *cons, const struct it_event *e)
{
	struct it_chain *c = cons->priv;

	if (c->closed || (e->flags & IT_F_UNMATCHED))
		return IT_CONSUME_OK;
	if (e->kind == IT_K_META_LOST) {
		/* The lost records may hold EXITs: stop waiting for any. */
		c->nopen = 0;
		reap(c);
	} else if (e->kind == IT_K_CHAIN) {
		if (e->phase == IT_PH_ENTER)
			chain_enter(c, e);
		else
			chain_exit(c, e);
	} else if (e->phase != IT_PH_EXIT) {
		return IT_CONSUME_OK;
	} else if (e->kind == IT_K_ADD_NOTIFIER && e->ret == 0) {
		it_chain_add(c, e->nb, e->cb, e->prio);
	} else if (e->kind == IT_K_REMOVE_NOTIFIER) {
		it_chain_remove(c, e->nb, e->seq);
	}
	return IT_CONSUME_OK;
}

static const struct it_consumer_ops chain_ops = {
	.name = "chain-follower",
	.event = chain_event,
};

void it_chain_init(struct it_chain *c, struct it_attach *a, FILE *diag, int verbose)
{
	static const struct it_chain_probe_ops probes = {
		.attach = it_attach_callback,
		.detach = it_attach_callback_detach,
	};

	memset(c, 0, sizeof(*c));
	c->a = a;
	c->probe = &probes;
	c->diag = diag;
	c->verbose = verbose;
	c->consumer.ops = &chain_ops;
	c->consumer.priv = c;
}

/*
 * The end of the run.  Each block whose callback loses its probes here is
 * announced, as at a removal: records still queued behind the detach (a
 * chain call that outlived the disarm wait) must not read as a registered
 * subscriber that was not called.
 */
void it_chain_fini(struct it_chain *c)
{
	bool traced[IT_CHAIN_MAX_CBS];
	int i;

	for (i = 0; i < c->ncbs; i++) {
		traced[i] = c->cbs[i].link.mode != IT_MODE_NONE;
		if (traced[i])
			c->probe->detach(&c->cbs[i].link);
	}
	for (i = 0; i < c->nnbs; i++) {
		struct it_chain_cb *s = find_cb(c, c->nbs[i].cb);

		if (s && traced[s - c->cbs])
			announce(c, IT_K_META_DETACHED, s, &c->nbs[i], 0);
	}
	for (i = 0; i < c->ncbs; i++) {
		struct it_chain_nb n = { .nb = c->cbs[i].retire_nb, .cb = c->cbs[i].cb,
					 .prio = c->cbs[i].retire_prio };

		if (traced[i] && c->cbs[i].refs == 0)
			announce(c, IT_K_META_DETACHED, &c->cbs[i], &n, 0);
	}
	c->ncbs = c->nnbs = 0;
	c->closed = true;
}
