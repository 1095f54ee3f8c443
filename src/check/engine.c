// SPDX-License-Identifier: GPL-2.0
/* The check engine: model + invariants + evidence, one event at a time. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "model.h"

struct it_check {
	struct it_check_opts opts;
	struct it_model model;
	struct it_inv_result res[IT_CHECK_MAX_INV];
	/* bit i: enabled invariant i wants events of this kind and phase */
	uint32_t want[IT_K__MAX][IT_PH_POINT + 1];
	uint32_t all;		/* every enabled invariant (odd kinds or phases) */
	struct it_violation *v;
	int nv;
	uint64_t nv_total;
	uint64_t events, lost;
	uint64_t observed;	/* events of the kernel's calls (events less the meta ones) */
	uint64_t outside;	/* IT_F_OUTSIDE records: not judged */
	bool lost_seen;		/* a META_LOST event came before now */
	char incomplete[256];	/* what the trace could not see, "" if nothing */
	char unseen[512];	/* it_check_unseen() causes, "" if none */
	bool truncated;		/* a salvaged recording: its end is missing */
	char reason[1024];
	bool stop;
};

static bool enabled(const struct it_check *ck, int id)
{
	return !ck->opts.only_mask || (ck->opts.only_mask & (1u << id));
}

_Static_assert(IT_CHECK_MAX_INV <= 32, "struct it_check: want[][] holds 32 invariants");
_Static_assert(IT_K__MAX <= 64, "struct it_invariant: on[] holds 64 kinds");

/* Which invariants each kind and phase of event is dispatched to. */
static void build_dispatch(struct it_check *ck)
{
	const struct it_invariant *inv;
	bool every;
	int i, k, p;

	for (i = 0; i < it_ninvariants; i++) {
		if (!ck->res[i].enabled || !(inv = it_invariants[i])->event)
			continue;
		ck->all |= 1u << i;
		every = !inv->on[IT_PH_ENTER] && !inv->on[IT_PH_EXIT] && !inv->on[IT_PH_POINT];
		for (k = 0; k < IT_K__MAX; k++)
			for (p = 0; p <= IT_PH_POINT; p++)
				if (every || (inv->on[p] & IT_ON(k)))
					ck->want[k][p] |= 1u << i;
	}
}

struct it_check *it_check_new(const struct it_check_opts *o)
{
	struct it_check *ck = calloc(1, sizeof(*ck));
	int i;

	if (!ck)
		return NULL;
	ck->v = calloc(IT_CHECK_KEEP, sizeof(*ck->v));
	if (!ck->v || it_model_init(&ck->model)) {
		it_check_free(ck);
		return NULL;
	}
	if (o)
		ck->opts = *o;
	for (i = 0; i < it_ninvariants; i++) {
		ck->res[i].inv = it_invariants[i];
		ck->res[i].enabled = enabled(ck, it_invariants[i]->id);
	}
	build_dispatch(ck);
	return ck;
}

void it_check_free(struct it_check *ck)
{
	if (!ck)
		return;
	it_model_fini(&ck->model);
	free(ck->v);
	free(ck);
}

struct it_model *it_check_model(struct it_check *ck)
{
	return &ck->model;
}

static struct it_inv_result *result_of(struct it_check *ck, int id)
{
	int i;

	/* the table is in ID order (invariants.c): try the slot first */
	if (id >= 1 && id <= it_ninvariants && ck->res[id - 1].inv->id == id)
		return &ck->res[id - 1];
	for (i = 0; i < it_ninvariants; i++)
		if (ck->res[i].inv->id == id)
			return &ck->res[i];
	return NULL;
}

void it_check_evaluated(struct it_check *ck, int inv)
{
	struct it_inv_result *r = result_of(ck, inv);

	if (r)
		r->checked++;
}

void it_check_violate(struct it_check *ck, int inv, const struct it_event *now,
		      const struct it_event *cause, const char *fmt, ...)
{
	struct it_inv_result *r = result_of(ck, inv);
	struct it_violation *v;
	va_list ap;

	if (!r || !r->enabled)
		return;
	r->violations++;
	ck->nv_total++;
	if (ck->opts.fail_fast &&
	    (r->inv->severity == IT_SEV_ERROR || ck->opts.strict))
		ck->stop = true;
	if (ck->nv >= IT_CHECK_KEEP)
		return;
	v = &ck->v[ck->nv++];
	memset(v, 0, sizeof(*v));
	v->inv = inv;
	v->now = *now;
	if (cause) {
		v->has_cause = true;
		v->cause = *cause;
	}
	v->suspect = ck->lost_seen;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
}

void it_check_allocator_name(const struct it_event *e, char *buf, size_t len)
{
	if (e->cb_sym)
		snprintf(buf, len, "allocator free %s%s%s%s", e->cb_sym, e->cb_mod ? " [" : "",
			 e->cb_mod ? e->cb_mod : "", e->cb_mod ? "]" : "");
	else
		snprintf(buf, len, "allocator free 0x%llx", (unsigned long long)e->cb);
}

void it_check_untraced(struct it_check *ck, const char *what)
{
	if (!strstr(ck->incomplete, what))
		it_check_incomplete(ck, what);
}

/*
 * A callback the tracer could not attach to (a cb_detached meta event with
 * ret < 0: a kprobe refused, no symbol, ...): the model never learns of
 * its subscriber, so the deliveries to it are unseen and a missing or
 * doubled one could not be told.
 */
static void untraced_callback(struct it_check *ck, const struct it_event *e)
{
	char what[160];

	if (e->cb_sym)
		snprintf(what, sizeof(what), "callback %s", e->cb_sym);
	else
		snprintf(what, sizeof(what), "callback 0x%llx", (unsigned long long)e->cb);
	it_check_untraced(ck, what);
}

/* A custom allocator's free that could not be attached: its frees go unjudged. */
static void untraced_allocator(struct it_check *ck, const struct it_event *e)
{
	char what[200];

	it_check_allocator_name(e, what, sizeof(what));
	it_check_untraced(ck, what);
}

int it_check_event(struct it_check *ck, const struct it_event *e)
{
	uint32_t todo;

	ck->events++;
	/*
	 * A registration outside the armed window: streamed for the chain
	 * follower only.  Its operation began while probes were still being
	 * attached (or detached), so it is no evidence, nor a frame.
	 */
	if (e->flags & IT_F_OUTSIDE) {
		ck->outside++;
		return 0;
	}
	if (e->kind < IT_K__BPF_MAX)
		ck->observed++;
	if (e->kind == IT_K_META_LOST) {
		ck->lost += e->lost;
		if (e->lost)
			ck->lost_seen = true;
		return 0;
	}
	if (e->kind == IT_K_META_DETACHED && e->ret < 0)
		untraced_callback(ck, e);
	if (e->kind == IT_K_META_ALLOCATOR && e->ret < 0)
		untraced_allocator(ck, e);
	it_model_pre(&ck->model, e);
	/* in table order, as before: violations are kept in the order found */
	if ((unsigned)e->kind < IT_K__MAX && (unsigned)e->phase <= IT_PH_POINT)
		todo = ck->want[e->kind][e->phase];
	else
		todo = ck->all;
	for (; todo; todo &= todo - 1)
		it_invariants[__builtin_ctz(todo)]->event(ck, e);
	it_model_post(&ck->model, e);
	return ck->stop;
}

void it_check_incomplete(struct it_check *ck, const char *what)
{
	size_t n = strlen(ck->incomplete);

	snprintf(ck->incomplete + n, sizeof(ck->incomplete) - n, "%s%s", n ? ", " : "", what);
}

void it_check_unseen(struct it_check *ck, const char *cause)
{
	size_t n = strlen(ck->unseen);

	if (strstr(ck->unseen, cause))
		return;
	snprintf(ck->unseen + n, sizeof(ck->unseen) - n, "%s%s", n ? "; " : "", cause);
}

void it_check_truncated(struct it_check *ck)
{
	ck->truncated = true;
}

void it_check_lost(struct it_check *ck, uint64_t lost)
{
	if (lost > ck->lost)
		ck->lost = lost;
}

void it_check_bpf_stats(struct it_check *ck, const uint64_t *stats, size_t n)
{
	char cause[96];

	/*
	 * Only an exit nested in an operation inside the window matters: a
	 * call that began before its probe was attached is outside it, and
	 * none of its records was streamed.
	 */
	if (n > IT_STAT_EXIT_MISSED_ARMED && stats[IT_STAT_EXIT_MISSED_ARMED]) {
		snprintf(cause, sizeof(cause), "%llu exits without their entry inside the armed window",
			 (unsigned long long)stats[IT_STAT_EXIT_MISSED_ARMED]);
		it_check_unseen(ck, cause);
	}
}

/* What the model could not keep or pair becomes a cause of its own. */
/* "N exits without their entry (callback 40, chain 9)": which probes to look at. */
static void unmatched_cause(const struct it_model_unseen *u, char *buf, size_t len)
{
	const char *sep = " (";
	size_t n;
	int k;

	n = (size_t)snprintf(buf, len, "%llu exits without their entry",
			     (unsigned long long)u->unmatched_exits);
	for (k = 0; k < IT_K__BPF_MAX && n < len; k++) {
		if (!u->unmatched_by_kind[k])
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s %llu", sep,
				      it_kind_name((enum it_kind)k),
				      (unsigned long long)u->unmatched_by_kind[k]);
		sep = ", ";
	}
	if (*sep == ',' && n < len)
		snprintf(buf + n, len - n, ")");
}

static void model_unseen(struct it_check *ck)
{
	const struct it_model_unseen *u = &ck->model.unseen;
	char cause[256];

	if (u->unmatched_exits) {
		unmatched_cause(u, cause, sizeof(cause));
		it_check_unseen(ck, cause);
	}
	if (u->lost_exits) {
		snprintf(cause, sizeof(cause), "%llu entries without their exit",
			 (unsigned long long)u->lost_exits);
		it_check_unseen(ck, cause);
	}
	if (u->deep_frames) {
		snprintf(cause, sizeof(cause), "%llu calls nested deeper than %d",
			 (unsigned long long)u->deep_frames, IT_MODEL_MAX_DEPTH);
		it_check_unseen(ck, cause);
	}
	if (u->table_full) {
		snprintf(cause, sizeof(cause), "the checker's tables were full %llu times",
			 (unsigned long long)u->table_full);
		it_check_unseen(ck, cause);
	}
}

/* Appends one cause to ck->reason, "; " between causes. */
static void add_cause(struct it_check *ck, const char *fmt, const char *arg)
{
	size_t n = strlen(ck->reason);

	if (n >= sizeof(ck->reason) - 1)
		return;
	if (n)
		n += (size_t)snprintf(ck->reason + n, sizeof(ck->reason) - n, "; ");
	if (n < sizeof(ck->reason))
		snprintf(ck->reason + n, sizeof(ck->reason) - n, fmt, arg);
}

/*
 * Everything the run could not see, all of it in ck->reason: a user who
 * fixes the first cause should not meet the next one only on the rerun.
 * The most fundamental comes first: a cut recording makes the rest moot.
 * Lost events count whenever they happened: user space reads the drop
 * counter after it has consumed the records that follow a gap, so a
 * violation judged before the loss was known may be the gap's doing.
 */
static bool unsure_causes(struct it_check *ck)
{
	ck->reason[0] = '\0';
	if (ck->truncated)
		add_cause(ck, "%s", "the recording did not finish: what followed its last complete block is unknown");
	if (ck->lost)
		add_cause(ck, "%s", "events were lost: the trace is incomplete");
	if (ck->incomplete[0])
		add_cause(ck, "not traced: %s", ck->incomplete);
	if (ck->unseen[0])
		add_cause(ck, "could not see: %s", ck->unseen);
	return ck->reason[0] != '\0';
}

void it_check_finish(struct it_check *ck, struct it_check_report *r)
{
	uint64_t errors = 0, warnings = 0, evaluated = 0;
	int i;

	model_unseen(ck);
	for (i = 0; i < it_ninvariants; i++) {
		evaluated += ck->res[i].checked;
		if (ck->res[i].inv->severity == IT_SEV_ERROR)
			errors += ck->res[i].violations;
		else
			warnings += ck->res[i].violations;
	}
	memset(r, 0, sizeof(*r));
	r->res = ck->res;
	r->nres = it_ninvariants;
	r->v = ck->v;
	r->nv = ck->nv;
	r->nv_total = ck->nv_total;
	r->events = ck->events;
	r->lost = ck->lost;
	r->unmatched_exits = ck->model.unseen.unmatched_exits;
	r->outside = ck->outside;
	r->half_calls = ck->model.unseen.attach_window_exits;
	r->strict = ck->opts.strict;

	if (unsure_causes(ck)) {
		/* Each cause can hide the event that makes or clears a violation. */
		for (i = 0; i < ck->nv; i++)
			ck->v[i].suspect = true;
		r->verdict = IT_VERDICT_INCONCLUSIVE;
		r->reason = ck->reason;
	} else if (errors || (ck->opts.strict && warnings)) {
		r->verdict = IT_VERDICT_FAIL;
		r->reason = "the kernel broke at least one invariant";
	} else if (ck->observed == 0) {
		/* what the tool said of itself (attached ...) is no observation */
		r->verdict = IT_VERDICT_INCONCLUSIVE;
		r->reason = "no events: nothing was observed";
	} else if (!evaluated) {
		r->verdict = IT_VERDICT_INCONCLUSIVE;
		r->reason = "no rule was evaluated: nothing the rules judge was observed";
	} else {
		r->verdict = IT_VERDICT_PASS;
		r->reason = warnings ? "conforming (warnings only)" : "conforming";
	}
}
