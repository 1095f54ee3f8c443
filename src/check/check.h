/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ioasid-trace check`: the notifier API's ordering invariants, checked on
 * the decoded event stream (live or from a file) by one engine.
 *
 * Each invariant is one file (inv_*.c) holding its description (ID, key,
 * severity, the seed line or series text it comes from) and its checker;
 * docs/invariants.md is the long form.  Adding an invariant = adding a file
 * and a line in invariants.c.
 *
 * Verdict (the exit code of `check`):
 *   0 conforming, 1 violations, 2 inconclusive (events were lost or the
 *   trace could not observe what an invariant needs: never a false pass and
 *   never a violation built on missing events), 3 usage/setup errors.
 */
#ifndef IT_CHECK_H
#define IT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "event.h"

enum it_severity { IT_SEV_ERROR = 0, IT_SEV_WARNING };

enum it_verdict {
	IT_VERDICT_PASS = 0,
	IT_VERDICT_FAIL = 1,
	IT_VERDICT_INCONCLUSIVE = 2,
	IT_VERDICT_ERROR = 3,
};

struct it_check;

/* A kind's bit in struct it_invariant.on[] */
#define IT_ON(kind)		(1ull << (kind))

/* A rule's verdict for one state of its automaton (docs: "-", "ok", "violation"). */
enum it_judgement { IT_J_NONE = 0, IT_J_OK, IT_J_BAD };

struct it_invariant {
	int id;			/* 1..: stable, used in reports and --only */
	const char *key;	/* "free-before-allocator" */
	const char *title;	/* one line */
	enum it_severity severity;
	const char *source;	/* the seed line / series text that implies it */
	/*
	 * The events event() may act on: on[phase] has IT_ON(kind) set for
	 * each.  The engine calls it for those only (all zero: every event),
	 * so most events reach one or two invariants, not all ten; event()
	 * still checks what it needs, the masks only have to cover it.
	 */
	uint64_t on[IT_PH_POINT + 1];
	/* Called between the model's pre and post update. */
	void (*event)(struct it_check *ck, const struct it_event *e);
	/*
	 * Rules judged against an IOASID's life at one event: the verdict for
	 * each enum it_life (model.h), the same table as the rule's in
	 * docs/invariants.md (tests/unit/test_invdoc.c holds them together).
	 */
	const enum it_judgement *by_life;
};

#define IT_CHECK_MAX_INV	16
#define IT_CHECK_KEEP		256	/* violations kept with full evidence */

struct it_violation {
	int inv;			/* invariant id */
	struct it_event now;		/* the event that broke the rule */
	bool has_cause;
	struct it_event cause;		/* the earlier event that set the expectation */
	char msg[256];
	bool suspect;			/* events were lost before it: may be false */
};

struct it_inv_result {
	const struct it_invariant *inv;
	uint64_t checked;		/* times the rule was evaluated */
	uint64_t violations;
	bool enabled;
};

struct it_check_report {
	const struct it_inv_result *res;
	int nres;
	const struct it_violation *v;	/* the first IT_CHECK_KEEP */
	int nv;
	uint64_t nv_total;
	enum it_verdict verdict;
	const char *reason;		/* one line: why this verdict */
	uint64_t events, lost;
	uint64_t unmatched_exits;	/* exits the model could not pair with an entry */
	uint64_t outside;		/* records outside the armed window: not judged */
	uint64_t half_calls;		/* half callback calls while probes changed: not judged */
	bool strict;			/* warnings count as violations */
};

struct it_check_opts {
	uint32_t only_mask;		/* bit N: invariant N enabled; 0 = all */
	bool strict;			/* warnings fail the check too */
	bool fail_fast;			/* stop at the first violation */
};

/* The invariants, in ID order. */
extern const struct it_invariant *const it_invariants[];
extern const int it_ninvariants;
const struct it_invariant *it_invariant_by_id(int id);
const struct it_invariant *it_invariant_by_key(const char *key);

/* Engine. */
struct it_check *it_check_new(const struct it_check_opts *o);
void it_check_free(struct it_check *ck);
/* Feed one decoded event; returns 1 if --fail-fast wants the run to stop. */
int it_check_event(struct it_check *ck, const struct it_event *e);
/* The trace cannot see everything the invariants rely on (an attach point
 * is missing): any verdict would be a guess, so the run is inconclusive. */
void it_check_incomplete(struct it_check *ck, const char *what);
/* The same for one function the tracer could not see (a callback, an
 * allocator's free), named once however often it is reported. */
void it_check_untraced(struct it_check *ck, const char *what);
/* "allocator free SYM [MOD]" for an event naming one in cb (what it_check_untraced takes). */
void it_check_allocator_name(const struct it_event *e, char *buf, size_t len);
/*
 * Anything else the run could not see (events BPF could not pair, a table
 * that filled up, ...): cause is a phrase naming it with its count.  Any
 * call makes the verdict inconclusive; the reason lists every cause once.
 */
void it_check_unseen(struct it_check *ck, const char *cause);
/* The stream is a salvaged recording's: its end is missing (inconclusive). */
void it_check_truncated(struct it_check *ck);
/*
 * The BPF counters (enum it_stat, n of them) at the end of the run: an
 * exit missed inside the armed window makes the verdict inconclusive.
 */
void it_check_bpf_stats(struct it_check *ck, const uint64_t *stats, size_t n);
/* Records lost in transport (the summary's count at the end). */
void it_check_lost(struct it_check *ck, uint64_t lost);
/* Close the run and fill the report (valid until it_check_free). */
void it_check_finish(struct it_check *ck, struct it_check_report *r);

/* For the invariants: the model and the evidence sink. */
struct it_model *it_check_model(struct it_check *ck);
void it_check_evaluated(struct it_check *ck, int inv);
void it_check_violate(struct it_check *ck, int inv, const struct it_event *now,
		      const struct it_event *cause, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * What the run's start and end say, as the check consumer reads them (a
 * test driving the engine itself calls these too): the attach list (a
 * recording without one is inconclusive), a salvaged file, the losses and
 * the BPF counters.
 */
struct it_session_info;
struct it_summary;
void it_check_session(struct it_check *ck, const struct it_session_info *s);
void it_check_summary(struct it_check *ck, const struct it_summary *s);

/* A consumer for the pipeline (consumer.h) that runs the engine and hands
 * the report to its writer at the end. */
struct it_consumer;
struct it_writer;
struct it_consumer *it_check_consumer_new(const struct it_check_opts *o, struct it_writer *w);

#endif
