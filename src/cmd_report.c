// SPDX-License-Identifier: GPL-2.0
/*
 * "report FILE": a recorded trace through the trace printer, as text,
 * NDJSON or Chrome trace-event JSON (perfetto): the same consumer and
 * writers as a live `trace`, fed by the file source (replay.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "replay.h"
#include "session.h"

int it_cmd_report(const struct it_options *o)
{
	const char *fmt = o->format ? o->format : o->json ? "json" : "text";
	struct it_session_spec spec = { .o = o };
	struct it_consumer trace;
	struct it_writer *w;
	FILE *out = stdout;
	int rc;

	if (o->output && !(out = fopen(o->output, "w"))) {
		fprintf(stderr, "ioasid-trace: cannot write %s: %s\n", o->output, strerror(errno));
		return IT_EXIT_FAIL;
	}
	w = it_writer_new(fmt, out, stderr);
	if (!w) {
		if (out != stdout)
			fclose(out);
		return IT_EXIT_FAIL;
	}
	w->unit = o->unit == IT_UNIT_US ? IT_W_US : o->unit == IT_UNIT_MS ? IT_W_MS : IT_W_NS;
	w->verbose = o->verbose;
	it_trace_consumer_init(&trace, w);
	spec.out = w;
	spec.cons[spec.ncons++] = &trace;
	rc = it_replay_run(&spec, o->input);
	it_writer_free(w);
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "ioasid-trace: writing %s: %s\n", o->output, strerror(errno));
		return IT_EXIT_FAIL;
	}
	return rc;
}
