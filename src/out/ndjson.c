// SPDX-License-Identifier: GPL-2.0
/*
 * Machine output: one JSON object per line, each with a "type":
 * "start", "event", "hist" (one report), "summary", "doctor".
 * Addresses are hex strings (u64 does not survive JSON doubles); times
 * are integer ns; only fields an event actually carries are present.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "consumer.h"
#include "out.h"
#include "json.h"
#include "check/check.h"

static struct it_json *J(struct it_writer *w)
{
	if (!w->priv) {
		w->priv = calloc(1, sizeof(struct it_json));
		if (w->priv)
			it_json_init(w->priv, w->f);
	}
	return w->priv;
}

static const char *mode_of(uint32_t flags)
{
	return flags & IT_F_KPROBE ? "kprobe" : "fentry";
}

static void nd_begin(struct it_writer *w, const struct it_session_info *s)
{
	struct it_json *j = J(w);

	if (!j)
		return;
	w->start_ns = s->start_ns;
	it_json_obj(j, NULL);
	it_json_str(j, "type", "start");
	it_json_str(j, "kernel", s->kernel_release);
	it_json_i64(j, "series", s->series_version);
	it_json_u64(j, "start_ns", s->start_ns);
	it_json_u64(j, "mono_to_real_ns", s->mono_to_real_ns);
	it_json_i64(j, "ncpus", s->ncpus);
	it_json_bool(j, "live", s->live);
	it_json_obj_end(j);
	it_json_eol(j);
}

/* An event's fields, inside an object the caller opened. */
static void event_fields(struct it_json *j, const struct it_event *e)
{
	it_json_u64(j, "seq", e->seq);
	it_json_u64(j, "ts_ns", e->ts_ns);
	it_json_str(j, "kind", it_kind_name(e->kind));
	it_json_str(j, "phase", it_phase_name(e->phase));
	if (e->phase != IT_PH_POINT) {
		it_json_u64(j, "cpu", e->cpu);
		it_json_u64(j, "pid", e->pid);
		it_json_u64(j, "tid", e->tid);
		it_json_str(j, "comm", e->comm);
		it_json_u64(j, "depth", e->depth);
	}
	if (e->flags & IT_F_HAS_ID)
		it_json_u64(j, "ioasid", e->ioasid);
	if (e->flags & IT_F_HAS_SID)
		it_json_i64(j, "sid", e->sid);
	if (e->flags & IT_F_HAS_CMD) {
		it_json_u64(j, "cmd", e->cmd);
		it_json_str(j, "cmd_name", it_cmd_name(e->cmd));
	}
	if (e->cb || (e->flags & IT_F_HAS_CB)) {
		it_json_hex(j, "cb", e->cb);
		it_json_str(j, "cb_sym", e->cb_sym);
		it_json_str(j, "cb_mod", e->cb_mod);
	}
	if (e->flags & IT_F_HAS_CB || e->kind == IT_K_META_ATTACHED ||
	    e->kind == IT_K_META_DETACHED) {
		it_json_hex(j, "nb", e->nb);
		it_json_i64(j, "prio", e->prio);
	}
	switch (e->kind) {
	case IT_K_ALLOC:
		it_json_u64(j, "min", e->min);
		it_json_u64(j, "max", e->max);
		it_json_hex(j, "private", e->ptr);
		break;
	case IT_K_ALLOC_SET:
		it_json_hex(j, "token", e->ptr);
		it_json_u64(j, "quota", e->quota);
		break;
	case IT_K_FREE_SET:
		it_json_bool(j, "destroy", e->flags & IT_F_DESTROY_SET);
		break;
	case IT_K_ATTACH_DATA:
		it_json_hex(j, "data", e->ptr);
		break;
	case IT_K_ALLOCATOR_FREE:
	case IT_K_ALLOCATOR_ALLOC:
		it_json_hex(j, "opaque", e->ptr);
		break;
	case IT_K_META_LOST:
		it_json_u64(j, "lost", e->lost);
		break;
	default:
		break;
	}
	if (e->flags & IT_F_HAS_ARGS) {
		it_json_obj(j, "args");
		it_json_u64(j, "id", e->args.id);
		it_json_i64(j, "sid", e->args.sid);
		it_json_hex(j, "set_token", e->args.set_token);
		it_json_hex(j, "pdata", e->args.pdata);
		it_json_str(j, "layout", e->flags & IT_F_ARGS_V2 ? "v2" : "v1");
		it_json_obj_end(j);
	}
	if (e->flags & IT_F_HAS_RET) {
		it_json_i64(j, "ret", e->ret);
		if (e->kind == IT_K_CHAIN || e->kind == IT_K_CALLBACK || e->kind == IT_K_NOTIFY)
			it_json_str(j, "ret_name", it_notify_ret_name(e->ret));
	}
	if (e->phase == IT_PH_EXIT) {
		if (e->flags & IT_F_UNMATCHED)
			it_json_bool(j, "unmatched", true);
		else
			it_json_u64(j, "lat_ns", e->lat_ns);
	}
	if (e->phase != IT_PH_POINT) {
		if (e->flags & IT_F_LOCK_UNKNOWN)
			it_json_str(j, "lock_held", NULL);
		else
			it_json_bool(j, "lock_held", e->flags & IT_F_LOCK_HELD);
		if (e->flags & IT_F_PREEMPT_KNOWN) {
			it_json_bool(j, "may_sleep", e->flags & IT_F_MAY_SLEEP);
			it_json_bool(j, "irqs_known", !(e->flags & IT_F_IRQS_UNKNOWN));
			it_json_u64(j, "preempt_count", e->preempt_count);
		}
		it_json_str(j, "mode", mode_of(e->flags));
	}
}

static void nd_event(struct it_writer *w, const struct it_event *e)
{
	struct it_json *j = J(w);

	if (!j)
		return;
	it_json_obj(j, NULL);
	it_json_str(j, "type", e->phase == IT_PH_POINT ? "meta" : "event");
	event_fields(j, e);
	it_json_obj_end(j);
	it_json_eol(j);
}

/* check: one "violation" line each (both sides of the evidence), then one
 * "verdict" line with the per-invariant table. */
static void nd_verdict(struct it_writer *w, const struct it_check_report *r)
{
	struct it_json *j = J(w);
	int i;

	if (!j)
		return;
	for (i = 0; i < r->nv; i++) {
		const struct it_violation *v = &r->v[i];
		const struct it_invariant *inv = it_invariant_by_id(v->inv);

		it_json_obj(j, NULL);
		it_json_str(j, "type", "violation");
		it_json_i64(j, "invariant", v->inv);
		it_json_str(j, "key", inv ? inv->key : NULL);
		it_json_str(j, "severity", inv && inv->severity == IT_SEV_WARNING ? "warning" : "error");
		it_json_str(j, "message", v->msg);
		it_json_bool(j, "suspect", v->suspect);
		it_json_obj(j, "now");
		event_fields(j, &v->now);
		it_json_str(j, "cmd", (v->now.flags & IT_F_HAS_CMD) ? it_cmd_name(v->now.cmd) : NULL);
		it_json_obj_end(j);
		if (v->has_cause) {
			it_json_obj(j, "cause");
			event_fields(j, &v->cause);
			it_json_obj_end(j);
		} else {
			it_json_str(j, "cause", NULL);
		}
		it_json_obj_end(j);
		it_json_eol(j);
	}
	it_json_obj(j, NULL);
	it_json_str(j, "type", "verdict");
	it_json_i64(j, "verdict", r->verdict);
	it_json_str(j, "reason", r->reason);
	it_json_u64(j, "events", r->events);
	it_json_u64(j, "lost", r->lost);
	it_json_u64(j, "unmatched_exits", r->unmatched_exits);
	it_json_u64(j, "outside_window", r->outside);
	it_json_u64(j, "half_calls_not_judged", r->half_calls);
	it_json_u64(j, "violations", r->nv_total);
	it_json_bool(j, "strict", r->strict);
	it_json_arr(j, "invariants");
	for (i = 0; i < r->nres; i++) {
		const struct it_inv_result *res = &r->res[i];

		it_json_obj(j, NULL);
		it_json_i64(j, "id", res->inv->id);
		it_json_str(j, "key", res->inv->key);
		it_json_str(j, "severity", res->inv->severity == IT_SEV_WARNING ? "warning" : "error");
		it_json_bool(j, "enabled", res->enabled);
		it_json_u64(j, "checked", res->checked);
		it_json_u64(j, "violations", res->violations);
		it_json_obj_end(j);
	}
	it_json_arr_end(j);
	it_json_obj_end(j);
	it_json_eol(j);
}

/*
 * The statistics as integer ns (the recorded unit; "unit" is the buckets'),
 * the _ns in each name so a reader of the older unit-valued "p50" fails
 * loudly instead of misreading.  An estimate carries its bound, |E - X| <
 * max(X * ppm / 1e6, abs_ns) (hist.h), ppm being exact where a 3-decimal
 * double would round 2^-4 down.
 */
static void nd_hist_stats(struct it_json *j, const struct it_hist_report *r,
			  const struct it_hist_stats *st)
{
	it_json_u64(j, "count", st->count);
	it_json_u64(j, "avg_ns", st->avg_ns);
	it_json_u64(j, "min_ns", st->min_ns);
	it_json_u64(j, "max_ns", st->max_ns);
	it_json_u64(j, "p50_ns", st->p50_ns);
	it_json_u64(j, "p90_ns", st->p90_ns);
	it_json_u64(j, "p99_ns", st->p99_ns);
	it_json_u64(j, "p99_9_ns", st->p999_ns);
	if (st->method == IT_PCT_EXACT) {
		it_json_str(j, "percentiles", "exact");
		return;
	}
	it_json_str(j, "percentiles", "bucket estimate");
	it_json_u64(j, "percentile_error_ppm", st->err_ppm);
	it_json_u64(j, "percentile_error_abs_ns", st->err_abs_ns);
}

static void nd_hists(struct it_writer *w, const struct it_hist_report *r)
{
	struct it_json *j = J(w);
	__u64 lo, hi;
	size_t i;
	uint32_t b, used;

	if (!j)
		return;
	it_json_obj(j, NULL);
	it_json_str(j, "type", "hist");
	it_json_dbl(j, "at_s", r->at_s);
	it_json_bool(j, "final", r->final);
	it_json_str(j, "unit", r->unit);
	it_json_u64(j, "sub_bits", r->sub_bits);
	it_json_arr(j, "hists");
	for (i = 0; i < r->n; i++) {
		const struct it_hist_view *v = &r->v[i];

		it_json_obj(j, NULL);
		it_json_str(j, "group", v->group);
		it_json_str(j, "label", v->label);
		it_json_str(j, "module", v->module);
		it_json_hex(j, "id", v->id);
		if (v->timing)
			it_json_str(j, "timing", v->timing);
		nd_hist_stats(j, r, &v->st);
		it_json_arr(j, "buckets");
		used = it_hist_used_slots(v->h);
		for (b = 0; b < used; b++) {
			if (!v->h->slots[b])
				continue;
			it_hist_bucket_range(b, r->sub_bits, &lo, &hi);
			it_json_obj(j, NULL);
			it_json_u64(j, "lo", lo);
			it_json_u64(j, "hi", hi);
			it_json_u64(j, "count", v->h->slots[b]);
			it_json_obj_end(j);
		}
		it_json_arr_end(j);
		it_json_obj_end(j);
	}
	it_json_arr_end(j);
	it_json_obj_end(j);
	it_json_eol(j);
}

static void nd_summary(struct it_writer *w, const struct it_summary *s)
{
	struct it_json *j = J(w);
	int k;

	if (!j)
		return;
	it_json_obj(j, NULL);
	it_json_str(j, "type", "summary");
	it_json_dbl(j, "duration_s", s->duration_s);
	it_json_u64(j, "events", s->events);
	it_json_u64(j, "lost", s->lost);
	it_json_u64(j, "bad", s->bad);
	it_json_u64(j, "unmatched", s->unmatched);
	it_json_obj(j, "calls");
	for (k = 1; k < IT_K__MAX; k++)
		if (s->per_kind[k])
			it_json_u64(j, it_kind_name(k), s->per_kind[k]);
	it_json_obj_end(j);
	it_json_obj(j, "bpf");
	it_json_u64(j, "ringbuf_full", s->bpf_stats[IT_STAT_RB_FULL]);
	it_json_u64(j, "frame_full", s->bpf_stats[IT_STAT_FRAME_FULL]);
	it_json_u64(j, "unmatched", s->bpf_stats[IT_STAT_UNMATCHED]);
	it_json_u64(j, "hist_full", s->bpf_stats[IT_STAT_HIST_FULL]);
	it_json_u64(j, "callback_gap", s->bpf_stats[IT_STAT_CB_GAP]);
	it_json_u64(j, "exit_missed", s->bpf_stats[IT_STAT_EXIT_MISSED]);
	it_json_u64(j, "exit_missed_armed", s->bpf_stats[IT_STAT_EXIT_MISSED_ARMED]);
	it_json_obj_end(j);
	it_json_str(j, "stop_reason", s->stop_reason);
	if (s->child_status >= 0)
		it_json_i64(j, "child_status", s->child_status);
	it_json_obj_end(j);
	it_json_eol(j);
}

static void nd_doctor(struct it_writer *w, const struct it_doctor_report *r)
{
	struct it_json *j = J(w);
	size_t i;

	if (!j)
		return;
	it_json_obj(j, NULL);
	it_json_str(j, "type", r->dry_run ? "dry_run" : "doctor");
	it_json_str(j, "kernel", r->release);
	it_json_bool(j, "root", r->root);
	it_json_bool(j, "btf", r->btf);
	it_json_bool(j, "kallsyms_visible", r->ksyms_visible);
	it_json_i64(j, "series", r->series);
	it_json_hex(j, "chain", r->chain_addr);
	it_json_hex(j, "lock", r->lock_addr);
	it_json_str(j, "lock_kind", r->lock_kind);
	it_json_str(j, "preemption", r->preemption);
	it_json_bool(j, "preempt_full", r->preempt_full);
	it_json_hex(j, "allocator_free", r->allocator_free);
	it_json_str(j, "allocator_free_sym", r->allocator_free_sym);
	it_json_arr(j, "attach_points");
	for (i = 0; i < r->npoints; i++) {
		const struct it_doctor_point *p = &r->points[i];

		it_json_obj(j, NULL);
		it_json_str(j, "name", p->name);
		it_json_str(j, "what", p->what);
		it_json_bool(j, "present", p->present);
		it_json_bool(j, "required", p->required);
		it_json_str(j, "mode", p->present ? p->mode : NULL);
		it_json_str(j, "why", p->why);
		it_json_obj_end(j);
	}
	it_json_arr_end(j);
	it_json_bool(j, "chain_walked", r->chain_walked);
	it_json_arr(j, "callbacks");
	for (i = 0; i < r->ncbs; i++) {
		const struct it_doctor_cb *c = &r->cbs[i];

		it_json_obj(j, NULL);
		it_json_hex(j, "cb", c->cb);
		it_json_hex(j, "nb", c->nb);
		it_json_i64(j, "prio", c->prio);
		it_json_str(j, "sym", c->sym);
		it_json_str(j, "mod", c->mod);
		it_json_str(j, "mode", c->mode);
		it_json_obj_end(j);
	}
	it_json_arr_end(j);
	it_json_arr(j, "missing");
	{
		char buf[sizeof(r->missing)], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", r->missing);
		for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			it_json_str(j, NULL, tok);
	}
	it_json_arr_end(j);
	it_json_obj_end(j);
	it_json_eol(j);
}

const struct it_writer_ops it_ndjson_writer = {
	.name = "json",
	.begin = nd_begin,
	.event = nd_event,
	.hists = nd_hists,
	.summary = nd_summary,
	.doctor = nd_doctor,
	.verdict = nd_verdict,
};
