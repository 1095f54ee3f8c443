/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A live run: check the kernel, attach, follow the chain, run the optional
 * command, pump the ring buffer through the pipeline, stop cleanly, detach,
 * summarise.  trace and hist (and later check, record) differ only in the
 * consumers they pass and in whether every record is streamed.
 */
#ifndef IT_SESSION_H
#define IT_SESSION_H

#include "consumer.h"
#include "options.h"
#include "out/out.h"

/* Exit codes of trace/hist/doctor. */
enum { IT_EXIT_OK = 0, IT_EXIT_FAIL = 1, IT_EXIT_USAGE = 2 };

struct it_session_spec {
	const struct it_options *o;
	struct it_writer *out;
	struct it_consumer *cons[IT_MAX_CONSUMERS - 1];
	int ncons;
	bool stream_events;	/* every record through the ring buffer (trace) */
	bool kernel_hists;	/* aggregate latencies in the kernel (hist) */
	int setup_rc;		/* exit code for setup failures (0: IT_EXIT_FAIL) */
	const char *banner;	/* "... Hit Ctrl-C to end." once attached (no CMD, no -j);
				 * NULL: the trace one when streaming */
};

int it_session_run(const struct it_session_spec *spec);

#endif
