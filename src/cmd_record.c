// SPDX-License-Identifier: GPL-2.0
/* "record": a live run whose only consumer writes the record file. */
#include <stdio.h>
#include "commands.h"
#include "record.h"
#include "session.h"

int it_cmd_record(const struct it_options *o)
{
	struct it_writer *w = it_writer_new("text", stdout, stderr);
	struct it_session_spec spec = {
		.o = o,
		.out = w,
		.stream_events = true,
	};
	struct it_consumer *rec = NULL;
	char why[200], banner[4200];
	int rc;

	if (!w)
		return IT_EXIT_FAIL;
	if (!o->dry_run) {
		rec = it_record_writer_new(o->output, IT_EXIT_FAIL, why, sizeof(why));
		if (!rec) {
			fprintf(stderr, "ioasid-trace: %s\n", why);
			it_writer_free(w);
			return IT_EXIT_FAIL;
		}
		spec.cons[spec.ncons++] = rec;
		/* Printed once attached: a setup error stays the only line. */
		snprintf(banner, sizeof(banner), "Recording IOASID events to %s... Hit Ctrl-C to end.",
			 o->output);
		spec.banner = banner;
	}
	rc = it_session_run(&spec);	/* the pipeline destroys the writer */
	if (!rc && rec)
		fprintf(stderr, "ioasid-trace: wrote %s\n", o->output);
	it_writer_free(w);
	return rc;
}
