/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator frees on the IOASID free path.  default_free is an attach
 * point (src/attach.c); a custom allocator's ops->free is known only at
 * run time, so it is followed: the start-up walk names the one active
 * then, and every ioasid_free_locked() ENTER record names the one that
 * free calls (bpf/common.bpf.h, it_allocator_free), so a custom allocator
 * registered while tracing is found at its first free and traced from
 * then on.  Each change is announced as a META_ALLOCATOR event (ret < 0:
 * it could not be traced), so check knows from when a function's frees
 * can be judged.  Lives in the pipeline right after the chain follower;
 * live runs that stream records only (hist sees no free_locked records).
 */
#ifndef IT_ALLOCATORS_H
#define IT_ALLOCATORS_H

#include "attach.h"
#include "consumer.h"

#define IT_ALLOCATORS_MAX	8	/* custom frees followed in one run */

struct it_allocator_fn {
	uint64_t fn;
	char sym[128];
	char mod[64];
	struct it_cb_link link;
	int err;		/* 0 traced, else why not (-errno) */
	char why[192];
};

struct it_allocators {
	struct it_consumer consumer;
	struct it_attach *a;
	uint64_t default_free;	/* traced as an attach point: never followed */
	struct it_allocator_fn fns[IT_ALLOCATORS_MAX];
	int n;
	bool full;		/* a free past IT_ALLOCATORS_MAX was met */
	bool closed;		/* after it_allocators_fini: follow nothing */
	FILE *diag;
	int verbose;
};

void it_allocators_init(struct it_allocators *al, struct it_attach *a, FILE *diag, int verbose);
/* The allocator the start-up walk found (after it_pipeline_begin: emits meta events). */
void it_allocators_seed(struct it_allocators *al, const struct it_kernel *k);
void it_allocators_fini(struct it_allocators *al);

#endif
