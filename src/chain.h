/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The callbacks on ioasid_chain: seeded from the start-up walk, then kept
 * in step with the chain by following ioasid_add_notifier /
 * ioasid_remove_notifier EXIT events, attaching and detaching a tracer per
 * callback.  Lives in the pipeline as the first consumer (live runs only)
 * and announces each change as a META_ATTACHED / META_DETACHED event, so
 * later consumers (check) know from when on a callback is observed.
 * A META_DETACHED with ret < 0 means "could not be attached" (-errno).
 *
 * A removed callback stays traced until every chain call that was running
 * when its ioasid_remove_notifier() returned has ended: a kernel whose
 * removal does not wait for the chain's readers calls it after that, and
 * only a traced callback shows it (check's rule 2).
 */
#ifndef IT_CHAIN_H
#define IT_CHAIN_H

#include "attach.h"
#include "consumer.h"

#define IT_CHAIN_MAX_CBS	(2 * IT_MAX_CALLBACKS)

struct it_chain_cb {
	uint64_t cb;
	char sym[128];
	char mod[64];
	int refs;		/* registered notifier blocks using this callback */
	struct it_cb_link link;
	char why[192];
	int err;		/* why it is not traced (-errno), 0 if it is */
	/* refs reached 0: detach once no chain call begun before this seq runs */
	uint64_t retire_seq;
	uint64_t retire_nb;
	int32_t retire_prio;
};

struct it_chain_nb {
	uint64_t nb, cb;
	int32_t prio;
};

/* A chain call whose ENTER was seen and whose EXIT was not yet. */
struct it_chain_open {
	uint32_t tid;
	uint64_t seq;
};

#define IT_CHAIN_MAX_OPEN	1024

/* How callbacks get their probes (attach.c; tests put fakes here). */
struct it_chain_probe_ops {
	int (*attach)(struct it_attach *a, uint64_t cb, const char *sym, const char *mod,
		      struct it_cb_link *out, char *why, size_t whylen);
	void (*detach)(struct it_cb_link *l);
};

struct it_chain {
	struct it_consumer consumer;
	struct it_attach *a;
	const struct it_chain_probe_ops *probe;
	struct it_chain_open open[IT_CHAIN_MAX_OPEN];
	int nopen;
	struct it_chain_cb cbs[IT_CHAIN_MAX_CBS];
	int ncbs;
	struct it_chain_nb nbs[IT_CHAIN_MAX_CBS];
	int nnbs;
	bool closed;		/* after it_chain_fini: ignore further changes */
	FILE *diag;
	int verbose;
};

/* The follower consumer (c->consumer) attaches through a. */
void it_chain_init(struct it_chain *c, struct it_attach *a, FILE *diag, int verbose);
/* Add the walked chain (after it_pipeline_begin: emits meta events). */
void it_chain_seed(struct it_chain *c, const struct it_kernel *k);
/* A notifier block registered / unregistered. */
void it_chain_add(struct it_chain *c, uint64_t nb, uint64_t cb, int32_t prio);
/* seq: the decoder's number of the removal's EXIT */
void it_chain_remove(struct it_chain *c, uint64_t nb, uint64_t seq);
void it_chain_fini(struct it_chain *c);

#endif
