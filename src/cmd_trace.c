// SPDX-License-Identifier: GPL-2.0
/* "trace": the printing consumer.  Every decoded event goes to the writer. */
#include <stdlib.h>
#include "commands.h"
#include "session.h"

static int trace_begin(struct it_consumer *c, const struct it_session_info *s)
{
	it_out_begin(c->out, s);
	return 0;
}

static int trace_event(struct it_consumer *c, const struct it_event *e)
{
	it_out_event(c->out, e);
	return IT_CONSUME_OK;
}

static int trace_end(struct it_consumer *c, const struct it_summary *s)
{
	it_out_summary(c->out, s);
	return 0;
}

static const struct it_consumer_ops trace_ops = {
	.name = "trace",
	.begin = trace_begin,
	.event = trace_event,
	.end = trace_end,
};

void it_trace_consumer_init(struct it_consumer *c, struct it_writer *out)
{
	c->ops = &trace_ops;
	c->out = out;
	c->priv = NULL;
}

int it_cmd_trace(const struct it_options *o)
{
	struct it_writer *w = it_writer_new(o->json ? "json" : "text", stdout, stderr);
	struct it_consumer trace;
	struct it_session_spec spec = {
		.o = o,
		.out = w,
		.stream_events = true,
	};
	int rc;

	if (!w)
		return IT_EXIT_FAIL;
	w->unit = o->unit == IT_UNIT_US ? IT_W_US : o->unit == IT_UNIT_MS ? IT_W_MS : IT_W_NS;
	w->verbose = o->verbose;
	it_trace_consumer_init(&trace, w);
	spec.cons[spec.ncons++] = &trace;
	rc = it_session_run(&spec);
	it_writer_free(w);
	return rc;
}
