// SPDX-License-Identifier: GPL-2.0
/* Decode once, dispatch to every consumer in order, keep the run's counts. */
#include <errno.h>
#include <string.h>
#include "consumer.h"

void it_pipeline_init(struct it_pipeline *p)
{
	memset(p, 0, sizeof(*p));
	p->sum.child_status = -1;
	p->info.hist_map_fd = -1;
}

int it_pipeline_add(struct it_pipeline *p, struct it_consumer *c)
{
	if (p->ncons == IT_MAX_CONSUMERS)
		return -E2BIG;
	c->pipe = p;
	c->info = &p->info;
	p->cons[p->ncons++] = c;
	return 0;
}

int it_pipeline_begin(struct it_pipeline *p)
{
	int i, err;

	p->info.dec = &p->dec;
	for (i = 0; i < p->ncons; i++) {
		if (!p->cons[i]->ops->begin)
			continue;
		err = p->cons[i]->ops->begin(p->cons[i], &p->info);
		if (err < 0)
			return err;
	}
	return 0;
}

int it_pipeline_event(struct it_pipeline *p, const struct it_event *e)
{
	int i, r;

	if (e->kind < IT_K__MAX && e->phase != IT_PH_EXIT)
		p->sum.per_kind[e->kind]++;
	if (e->flags & IT_F_UNMATCHED)
		p->sum.unmatched++;
	for (i = 0; i < p->ncons; i++) {
		if (!p->cons[i]->ops->event)
			continue;
		r = p->cons[i]->ops->event(p->cons[i], e);
		if (r < 0 && !p->err)
			p->err = r;
		if (r == IT_CONSUME_STOP)
			p->stop = true;
	}
	return p->err;
}

int it_pipeline_raw(struct it_pipeline *p, const void *data, size_t size)
{
	struct it_event e;

	if (it_decode(&p->dec, data, size, &e)) {
		p->sum.bad++;
		return 0;
	}
	p->sum.events++;
	return it_pipeline_event(p, &e);
}

void it_pipeline_lost(struct it_pipeline *p, uint64_t lost_now, uint64_t ts_ns)
{
	struct it_event e;

	if (lost_now <= p->sum.lost)
		return;
	it_decode_meta(&p->dec, &e, IT_K_META_LOST, ts_ns);
	e.lost = lost_now - p->sum.lost;
	p->sum.lost = lost_now;
	it_pipeline_event(p, &e);
}

void it_pipeline_tick(struct it_pipeline *p, uint64_t now_ns)
{
	int i;

	for (i = 0; i < p->ncons; i++)
		if (p->cons[i]->ops->tick)
			p->cons[i]->ops->tick(p->cons[i], now_ns);
}

int it_pipeline_end(struct it_pipeline *p)
{
	int i, r, verdict = 0;

	for (i = 0; i < p->ncons; i++) {
		if (!p->cons[i]->ops->end)
			continue;
		r = p->cons[i]->ops->end(p->cons[i], &p->sum);
		if (r > verdict)
			verdict = r;
	}
	return verdict;
}

void it_pipeline_fini(struct it_pipeline *p)
{
	int i;

	for (i = 0; i < p->ncons; i++)
		if (p->cons[i]->ops->destroy)
			p->cons[i]->ops->destroy(p->cons[i]);
	p->ncons = 0;
	it_decoder_fini(&p->dec);
}
