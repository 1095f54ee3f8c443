// SPDX-License-Identifier: GPL-2.0
/* The check engine as a pipeline consumer: same code live and offline. */
#include <stdio.h>
#include <stdlib.h>
#include "attach.h"
#include "check.h"
#include "consumer.h"
#include "out/out.h"

void it_check_session(struct it_check *ck, const struct it_session_info *s)
{
	size_t i;

	/*
	 * A recording from before the attach list (format 4) cannot say
	 * whether a point that shows nothing was there: never a pass.
	 */
	if (!s->live && !s->attach) {
		char cause[80];

		snprintf(cause, sizeof(cause), "recording has no attach list (format %u)",
			 s->rec_format);
		it_check_unseen(ck, cause);
	}
	/* Every attach point (live, or the recording's) feeds some invariant's model. */
	for (i = 0; s->attach && i < s->attach->n; i++)
		if (s->attach->pts[i].mode == IT_MODE_NONE)
			it_check_incomplete(ck, s->attach->pts[i].func);
	if (s->truncated)
		it_check_truncated(ck);
}

void it_check_summary(struct it_check *ck, const struct it_summary *s)
{
	it_check_lost(ck, s->lost);
	it_check_bpf_stats(ck, s->bpf_stats, IT_STAT__COUNT);
}

static int check_begin(struct it_consumer *c, const struct it_session_info *s)
{
	if (c->out)
		c->out->start_ns = s->start_ns;
	it_check_session(c->priv, s);
	return 0;
}

static int check_event(struct it_consumer *c, const struct it_event *e)
{
	return it_check_event(c->priv, e) ? IT_CONSUME_STOP : IT_CONSUME_OK;
}

static int check_end(struct it_consumer *c, const struct it_summary *s)
{
	struct it_check_report r;

	it_check_summary(c->priv, s);
	it_check_finish(c->priv, &r);
	it_out_verdict(c->out, &r);
	return r.verdict;
}

static void check_destroy(struct it_consumer *c)
{
	it_check_free(c->priv);
	free(c);
}

static const struct it_consumer_ops check_ops = {
	.name = "check",
	.begin = check_begin,
	.event = check_event,
	.end = check_end,
	.destroy = check_destroy,
};

struct it_consumer *it_check_consumer_new(const struct it_check_opts *o, struct it_writer *w)
{
	struct it_consumer *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->priv = it_check_new(o);
	if (!c->priv) {
		free(c);
		return NULL;
	}
	c->ops = &check_ops;
	c->out = w;
	return c;
}
