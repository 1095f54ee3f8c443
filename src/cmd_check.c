// SPDX-License-Identifier: GPL-2.0
/* "check": the invariant engine as the only consumer of a live run. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "check/check.h"
#include "commands.h"
#include "record.h"
#include "replay.h"
#include "session.h"

static int setup_error(const char *fmt, const char *arg, const char *why)
{
	fprintf(stderr, "ioasid-trace: ");
	fprintf(stderr, fmt, arg, why);
	fputc('\n', stderr);
	return IT_VERDICT_ERROR;
}

/*
 * The engine as the only consumer (plus the record writer with --record),
 * fed live by a session or from a file by a replay: same engine, same
 * report, whichever the source.
 */
int it_cmd_check(const struct it_options *o)
{
	struct it_check_opts copts = {
		.only_mask = o->only_mask,
		.strict = o->strict,
		.fail_fast = o->fail_fast,
	};
	const char *fmt = o->format ? o->format : o->json ? "json" : "text";
	struct it_session_spec spec = {
		.o = o,
		.stream_events = true,
		.setup_rc = IT_VERDICT_ERROR,
	};
	struct it_consumer *c, *rec = NULL;
	struct it_writer *w;
	FILE *out = stdout;
	char why[200];
	int rc;

	/* --record: a second consumer writes the same events (check --input replays them) */
	if (o->record && !o->input && !o->dry_run &&
	    !(rec = it_record_writer_new(o->record, IT_VERDICT_ERROR, why, sizeof(why))))
		return setup_error("%s%s", why, "");
	if (o->output && !(out = fopen(o->output, "w"))) {
		it_record_writer_free(rec);
		return setup_error("cannot write %s: %s", o->output, strerror(errno));
	}
	w = it_writer_new(fmt, out, stderr);
	c = w ? it_check_consumer_new(&copts, w) : NULL;
	if (!c) {
		it_record_writer_free(rec);
		it_writer_free(w);
		if (out != stdout)
			fclose(out);
		return setup_error("%s%s", "out of memory", "");
	}
	w->verbose = o->verbose;
	spec.out = w;
	spec.cons[spec.ncons++] = c;
	if (rec)
		spec.cons[spec.ncons++] = rec;
	/* the pipeline destroys the consumers */
	rc = o->input ? it_replay_run(&spec, o->input) : it_session_run(&spec);
	it_writer_free(w);
	if (out != stdout && fclose(out))
		return setup_error("writing %s: %s", o->output, strerror(errno));
	return rc;
}
