// SPDX-License-Identifier: GPL-2.0
/*
 * "hist": latency histograms.  Live, the kernel aggregates per CPU and this
 * consumer reads the map at each -i tick (and resets it) and at the end.
 * Offline (from_events), it adds each EXIT event's latency with the same
 * bucketing, so both give the same buckets for the same calls, and keeps
 * every latency too: a recording has them all, so its percentiles are
 * exact (nearest rank) where the live ones can only be bucket estimates.
 */
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "hist.h"
#include "record.h"
#include "replay.h"
#include "session.h"

struct hist_priv {
	struct it_hist_table t;		/* fine buckets (IT_HIST_FINE_BITS), as the kernel's */
	uint32_t show_bits;		/* the table shown: 0 = log2, --linear=K */
	bool from_events;
	enum it_unit unit;
	uint64_t start_ns;
	bool printed;
};

static int hist_begin(struct it_consumer *c, const struct it_session_info *s)
{
	struct hist_priv *p = c->priv;

	p->start_ns = s->start_ns;
	it_out_begin(c->out, s);
	return 0;
}

static int hist_event(struct it_consumer *c, const struct it_event *e)
{
	struct hist_priv *p = c->priv;
	int err = 0;

	if (!p->from_events || e->phase != IT_PH_EXIT || (e->flags & IT_F_UNMATCHED))
		return IT_CONSUME_OK;
	if (e->kind == IT_K_CHAIN)
		err = it_hist_table_add(&p->t, IT_H_CHAIN, e->cmd, e->lat_ns);
	else if (e->kind == IT_K_CALLBACK)
		err = it_hist_table_add(&p->t, IT_H_CALLBACK, e->cb, e->lat_ns);
	else if (e->kind == IT_K_FREE)
		err = it_hist_table_add(&p->t, IT_H_FREE_PATH, 0, e->lat_ns);
	/* a latency dropped would make every percentile after it wrong, silently */
	return err < 0 ? err : IT_CONSUME_OK;
}

static void render(struct it_consumer *c, uint64_t now_ns, bool final)
{
	struct hist_priv *p = c->priv;
	struct it_hist_view *v;
	struct it_hist *shown;
	struct it_hist_report r = {
		.sub_bits = p->show_bits,
		.unit_ns = p->t.unit_ns,
		.unit = it_unit_name(p->unit),
		.at_s = now_ns > p->start_ns ? (now_ns - p->start_ns) / 1e9 : 0,
		.final = final,
	};
	char (*names)[32];
	size_t i;

	if (!p->from_events && c->info && c->info->hist_map_fd >= 0)
		it_hist_table_load_map(&p->t, c->info->hist_map_fd, c->info->hist_keys, true);
	it_hist_table_sort(&p->t);
	v = calloc(p->t.n + 1, sizeof(*v));
	names = calloc(p->t.n + 1, sizeof(*names));
	shown = calloc(p->t.n + 1, sizeof(*shown));
	if (!v || !names || !shown)
		goto out;
	for (i = 0; i < p->t.n; i++) {
		struct it_hist_entry *e = &p->t.e[i];
		struct it_event ev = { .cb = e->key.id };

		v[i].id = e->key.id;
		it_hist_coarsen(&e->h, p->t.sub_bits, p->show_bits, &shown[i]);
		v[i].h = &shown[i];
		switch (e->key.type) {
		case IT_H_CHAIN:
			v[i].group = "chain";
			if (it_cmd_name(e->key.id))
				v[i].label = it_cmd_name(e->key.id);
			else {
				snprintf(names[i], sizeof(names[i]), "cmd %llu",
					 (unsigned long long)e->key.id);
				v[i].label = names[i];
			}
			break;
		case IT_H_CALLBACK:
			v[i].group = "callback";
			v[i].timing = c->info && c->info->cb_chained ? "chain" : "return";
			if (c->info && c->info->dec)
				it_decode_resolve(c->info->dec, &ev);
			if (ev.cb_sym) {
				v[i].label = ev.cb_sym;
				v[i].module = ev.cb_mod;
			} else {
				snprintf(names[i], sizeof(names[i]), "0x%llx",
					 (unsigned long long)e->key.id);
				v[i].label = names[i];
			}
			break;
		default:
			v[i].group = "free_path";
			v[i].label = "ioasid_free";
		}
		if (p->t.keep_samples)
			it_hist_get_exact_stats(&e->h, &e->s, &v[i].st);
		else
			it_hist_get_stats(&e->h, p->t.sub_bits, p->t.unit_ns, &v[i].st);
	}
	r.v = v;
	r.n = p->t.n;
	it_out_hists(c->out, &r);
	p->printed = true;
out:
	free(v);
	free(names);
	free(shown);
	it_hist_table_clear(&p->t);
}

static int hist_tick(struct it_consumer *c, uint64_t now_ns)
{
	render(c, now_ns, false);
	return 0;
}

static int hist_end(struct it_consumer *c, const struct it_summary *s)
{
	struct hist_priv *p = c->priv;

	render(c, p->start_ns + (uint64_t)(s->duration_s * 1e9), true);
	it_out_summary(c->out, s);
	return 0;
}

static void hist_destroy(struct it_consumer *c)
{
	struct hist_priv *p = c->priv;

	if (!p)
		return;
	it_hist_table_fini(&p->t);
	free(p);
	c->priv = NULL;
}

static const struct it_consumer_ops hist_ops = {
	.name = "hist",
	.begin = hist_begin,
	.event = hist_event,
	.tick = hist_tick,
	.end = hist_end,
	.destroy = hist_destroy,
};

int it_hist_consumer_init(struct it_consumer *c, struct it_writer *out, uint32_t sub_bits,
			  enum it_unit unit, bool from_events)
{
	struct hist_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	it_hist_table_init(&p->t, IT_HIST_FINE_BITS, it_unit_ns(unit));
	p->show_bits = sub_bits;
	p->t.keep_samples = from_events;
	p->from_events = from_events;
	p->unit = unit;
	c->ops = &hist_ops;
	c->out = out;
	c->priv = p;
	return 0;
}

int it_cmd_hist(const struct it_options *o)
{
	struct it_writer *w = it_writer_new(o->json ? "json" : "text", stdout, stderr);
	struct it_consumer hist, *rec = NULL;
	struct it_session_spec spec = {
		.o = o,
		.out = w,
		.kernel_hists = true,
	};
	char why[200];
	int rc;

	/* --input FILE: histograms from the recorded EXIT events (from_events) */
	if (!w || it_hist_consumer_init(&hist, w, o->sub_bits, o->unit, o->input != NULL)) {
		it_writer_free(w);
		return IT_EXIT_FAIL;
	}
	w->unit = o->unit == IT_UNIT_US ? IT_W_US : o->unit == IT_UNIT_MS ? IT_W_MS : IT_W_NS;
	spec.cons[spec.ncons++] = &hist;
	if (o->input) {
		rc = it_replay_run(&spec, o->input);
		it_writer_free(w);
		return rc;
	}
	/* --record: stream every record too, so the file can rebuild these histograms */
	if (o->record && !o->dry_run) {
		rec = it_record_writer_new(o->record, IT_EXIT_FAIL, why, sizeof(why));
		if (!rec) {
			fprintf(stderr, "ioasid-trace: %s\n", why);
			hist.ops->destroy(&hist);
			it_writer_free(w);
			return IT_EXIT_FAIL;
		}
		spec.cons[spec.ncons++] = rec;
		spec.stream_events = true;
	}
	/* Printed once attached: a setup error stays the only line. */
	spec.banner = "Measuring IOASID latencies... Hit Ctrl-C to end.";
	rc = it_session_run(&spec);
	/* it_session_run's pipeline destroyed the consumers */
	it_writer_free(w);
	return rc;
}
