/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where raw records come from.  The live source drains the BPF ring
 * buffer; a file source (record/replay, issue 5) implements the same ops.
 * Either hands each raw struct it_record to it_pipeline_raw().
 */
#ifndef IT_SOURCE_H
#define IT_SOURCE_H

#include <stdint.h>
#include "consumer.h"

struct it_source;

struct it_source_ops {
	/* Deliver what is available, waiting up to timeout_ms.  Returns the
	 * number of records delivered, 0 on timeout/EINTR, <0 on error, and
	 * -ENODATA at the end of a file. */
	int (*poll)(struct it_source *s, int timeout_ms);
	/* Records dropped so far (monotonic), for META_LOST events: live,
	 * those the ring buffer had no room for and those never made because
	 * the kernel skipped a probe run (it_attach_skipped()). */
	uint64_t (*lost)(struct it_source *s);
	void (*destroy)(struct it_source *s);
};

struct it_source {
	const struct it_source_ops *ops;
	struct it_pipeline *pipe;
	void *priv;
};

struct it_attach;
/* The live ring buffer of an attached tracer. */
struct it_source *it_source_live(struct it_attach *a, struct it_pipeline *p);

#endif
