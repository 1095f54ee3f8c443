// SPDX-License-Identifier: GPL-2.0
/* Human output: aligned columns like the bcc tools, bar histograms. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "consumer.h"
#include "out.h"
#include "check/check.h"

struct text_priv {
	bool header_done;
};

static const char *unit_name(const struct it_writer *w)
{
	return w->unit == IT_W_US ? "us" : w->unit == IT_W_MS ? "ms" : "ns";
}

static double in_unit(const struct it_writer *w, uint64_t ns)
{
	return w->unit == IT_W_US ? ns / 1e3 : w->unit == IT_W_MS ? ns / 1e6 : (double)ns;
}

static void text_begin(struct it_writer *w, const struct it_session_info *s)
{
	if (!w->priv)
		w->priv = calloc(1, sizeof(struct text_priv));
	w->start_ns = s->start_ns;
}

/* The per-kind detail column: what a reader needs to follow the story. */
static void detail(struct it_writer *w, const struct it_event *e, char *buf, size_t len)
{
	char sym[160];
	size_t n = 0;

	buf[0] = '\0';
#define ADD(...) do { if (n < len) n += snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	switch (e->kind) {
	case IT_K_ALLOC:
		if (e->phase == IT_PH_ENTER)
			ADD("range=[%u,%u] private=0x%" PRIx64, e->min, e->max, e->ptr);
		break;
	case IT_K_CALLBACK:
	case IT_K_ADD_NOTIFIER:
	case IT_K_REMOVE_NOTIFIER:
	case IT_K_META_ATTACHED:
	case IT_K_META_DETACHED:
		if (e->cb_sym)
			ADD("%s%s%s%s", e->cb_sym, e->cb_mod ? " [" : "", e->cb_mod ? e->cb_mod : "",
			    e->cb_mod ? "]" : "");
		else
			ADD("%s", it_ksyms_describe(w->dec ? w->dec->ksyms : NULL, e->cb, sym,
						    sizeof(sym)));
		ADD(" prio=%d", e->prio);
		break;
	case IT_K_ALLOCATOR_FREE:
	case IT_K_ALLOCATOR_ALLOC:
	case IT_K_META_ALLOCATOR:
		ADD("%s", e->cb_sym ? e->cb_sym :
		    it_ksyms_describe(w->dec ? w->dec->ksyms : NULL, e->cb, sym, sizeof(sym)));
		break;
	case IT_K_ALLOC_SET:
		ADD("token=0x%" PRIx64 " quota=%u", e->ptr, e->quota);
		break;
	case IT_K_FREE_SET:
		ADD("destroy=%d", !!(e->flags & IT_F_DESTROY_SET));
		break;
	case IT_K_ATTACH_DATA:
		ADD("data=0x%" PRIx64, e->ptr);
		break;
	case IT_K_META_LOST:
		ADD("%" PRIu64 " records lost", e->lost);
		break;
	default:
		break;
	}
	if (e->flags & IT_F_HAS_ARGS)
		ADD("%sargs{id=%u sid=%d tok=0x%llx pdata=0x%llx}", n ? " " : "",
		    e->args.id, e->args.sid, (unsigned long long)e->args.set_token,
		    (unsigned long long)e->args.pdata);
#undef ADD
}

static void text_event(struct it_writer *w, const struct it_event *e)
{
	struct text_priv *p = w->priv;
	char name[48], id[12], sid[12], ret[24], lat[24], flg[4], det[256];
	const char *cmd = "-";
	int indent = e->depth > 1 ? (e->depth - 1) * 2 : 0;

	if (p && !p->header_done) {
		fprintf(w->f, "%-12s %-3s %-7s %-16s %-26s %-6s %-4s %-6s %-11s %10s %-3s %s\n",
			"TIME(s)", "CPU", "TID", "COMM", "EVENT", "IOASID", "SID", "CMD", "RET",
			unit_name(w)[0] == 'n' ? "LAT(ns)" : unit_name(w)[0] == 'u' ? "LAT(us)" : "LAT(ms)",
			"FLG", "DETAIL");
		p->header_done = true;
	}
	if (indent > 16)
		indent = 16;
	snprintf(name, sizeof(name), "%*s%s%s", indent, "", it_kind_name(e->kind),
		 e->phase == IT_PH_ENTER ? ">" : e->phase == IT_PH_EXIT ? "<" : "");
	if (e->ioasid != IT_NO_ID)
		snprintf(id, sizeof(id), "%u", e->ioasid);
	else
		strcpy(id, "-");
	if (e->sid != IT_NO_SID)
		snprintf(sid, sizeof(sid), "%d", e->sid);
	else
		strcpy(sid, "-");
	if ((e->flags & IT_F_HAS_CMD) && it_cmd_name(e->cmd))
		cmd = it_cmd_name(e->cmd);
	if (e->flags & IT_F_HAS_RET) {
		const char *rn = (e->kind == IT_K_CHAIN || e->kind == IT_K_CALLBACK ||
				  e->kind == IT_K_NOTIFY) ? it_notify_ret_name(e->ret) : NULL;

		if (rn)
			snprintf(ret, sizeof(ret), "%s", rn + 7);	/* without NOTIFY_ */
		else
			snprintf(ret, sizeof(ret), "%" PRId64, e->ret);
	} else {
		strcpy(ret, "-");
	}
	if (e->phase == IT_PH_EXIT && !(e->flags & IT_F_UNMATCHED)) {
		if (w->unit == IT_W_NS)
			snprintf(lat, sizeof(lat), "%" PRIu64, e->lat_ns);
		else
			snprintf(lat, sizeof(lat), "%.3f", in_unit(w, e->lat_ns));
	} else {
		strcpy(lat, "-");
	}
	flg[0] = e->flags & IT_F_LOCK_HELD ? 'L' : '-';
	flg[1] = e->flags & IT_F_MAY_SLEEP ? 's' : '-';
	flg[2] = e->flags & IT_F_KPROBE ? 'k' : '-';
	flg[3] = '\0';
	if (e->phase == IT_PH_POINT)
		strcpy(flg, "---");
	detail(w, e, det, sizeof(det));
	fprintf(w->f, "%-12.6f %-3u %-7u %-16s %-26s %-6s %-4s %-6s %-11s %10s %-3s %s\n",
		e->ts_ns >= w->start_ns ? (e->ts_ns - w->start_ns) / 1e9 : 0.0, e->cpu, e->tid,
		e->comm[0] ? e->comm : "-", name, id, sid, cmd, ret, lat, flg, det);
}

static void bar(FILE *f, uint64_t v, uint64_t max, int width)
{
	int n = max ? (int)((double)v * width / (double)max + 0.5) : 0, i;

	if (v && !n)
		n = 1;
	fputc('|', f);
	for (i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', f);
	fputc('|', f);
}

/* Where the percentiles come from and, estimated, how far off they can be. */
static void text_pct_method(struct it_writer *w, const struct it_hist_report *r,
			    const struct it_hist_stats *st)
{
	if (st->method == IT_PCT_EXACT) {
		fprintf(w->f, "percentiles: exact (nearest rank) from %" PRIu64
			" recorded latencies\n", st->count);
		return;
	}
	/* the bound of hist.h: |E - X| <= max(X * 2^-(k+1), u / 2) */
	fprintf(w->f, "percentiles: bucket estimate (nearest rank, bucket midpoint), within "
		"%g%% of the exact value or %" PRIu64 " ns, whichever is larger\n",
		st->err_ppm / 1e4, st->err_abs_ns);
}

static void text_stats(struct it_writer *w, const struct it_hist_report *r,
		       const struct it_hist_stats *st)
{
	char b[8][32];

	fprintf(w->f, "count %" PRIu64 "  avg %s  min %s  max %s  p50 %s  p90 %s  p99 %s"
		"  p99.9 %s (%s)\n", st->count,
		it_fmt_lat(b[0], sizeof(b[0]), st->avg_ns, r->unit_ns),
		it_fmt_lat(b[1], sizeof(b[1]), st->min_ns, r->unit_ns),
		it_fmt_lat(b[2], sizeof(b[2]), st->max_ns, r->unit_ns),
		it_fmt_lat(b[3], sizeof(b[3]), st->p50_ns, r->unit_ns),
		it_fmt_lat(b[4], sizeof(b[4]), st->p90_ns, r->unit_ns),
		it_fmt_lat(b[5], sizeof(b[5]), st->p99_ns, r->unit_ns),
		it_fmt_lat(b[6], sizeof(b[6]), st->p999_ns, r->unit_ns), r->unit);
	text_pct_method(w, r, st);
}

static void text_hist(struct it_writer *w, const struct it_hist_report *r,
		      const struct it_hist_view *v)
{
	uint32_t used = it_hist_used_slots(v->h), first = 0, i;
	uint64_t maxc = 0;
	__u64 lo, hi;

	fprintf(w->f, "\n%s %s%s%s%s%s:\n", v->group, v->label, v->module ? " [" : "",
		v->module ? v->module : "", v->module ? "]" : "",
		v->timing && !strcmp(v->timing, "chain") ? " (until the next callback or the "
		"chain's return)" : "");
	while (first < used && !v->h->slots[first])
		first++;
	for (i = first; i < used; i++)
		if (v->h->slots[i] > maxc)
			maxc = v->h->slots[i];
	fprintf(w->f, "%*s%-6s : count    distribution\n", 14, "", r->unit);
	for (i = first; i < used; i++) {
		it_hist_bucket_range(i, r->sub_bits, &lo, &hi);
		fprintf(w->f, "%12llu -> %-12llu : %-8llu ", (unsigned long long)lo,
			(unsigned long long)hi, (unsigned long long)v->h->slots[i]);
		bar(w->f, v->h->slots[i], maxc, 40);
		fputc('\n', w->f);
	}
	text_stats(w, r, &v->st);
}

static void text_hists(struct it_writer *w, const struct it_hist_report *r)
{
	size_t i;

	if (!r->final)
		fprintf(w->f, "\n--- %.3f s ---\n", r->at_s);
	if (!r->n)
		fprintf(w->f, "(no calls measured)\n");
	for (i = 0; i < r->n; i++)
		text_hist(w, r, &r->v[i]);
	fflush(w->f);
}

static void text_summary(struct it_writer *w, const struct it_summary *s)
{
	FILE *f = w->diag ? w->diag : w->f;
	int k, first = 1;

	fflush(w->f);	/* the summary follows the events, also on a shared terminal */
	fprintf(f, "ioasid-trace: %.3f s, %" PRIu64 " events, %" PRIu64 " lost", s->duration_s,
		s->events, s->lost);
	if (s->unmatched)
		fprintf(f, ", %" PRIu64 " unmatched exits", s->unmatched);
	if (s->bad)
		fprintf(f, ", %" PRIu64 " bad records", s->bad);
	fprintf(f, "; stopped by %s", s->stop_reason ? s->stop_reason : "?");
	if (s->child_status >= 0)
		fprintf(f, " (status %d)", s->child_status);
	fputc('\n', f);
	for (k = 1; k < IT_K__MAX; k++) {
		if (!s->per_kind[k])
			continue;
		fprintf(f, "%s%s %" PRIu64, first ? "ioasid-trace: calls: " : ", ", it_kind_name(k),
			s->per_kind[k]);
		first = 0;
	}
	if (!first)
		fputc('\n', f);
	if (s->bpf_stats[IT_STAT_FRAME_FULL] || s->bpf_stats[IT_STAT_HIST_FULL])
		fprintf(f, "ioasid-trace: warning: %" PRIu64 " nesting frames and %" PRIu64
			" histogram keys could not be stored\n", s->bpf_stats[IT_STAT_FRAME_FULL],
			s->bpf_stats[IT_STAT_HIST_FULL]);
	if (s->bpf_stats[IT_STAT_CB_GAP])
		fprintf(f, "ioasid-trace: warning: %" PRIu64 " callback latencies not counted: "
			"a callback ran outside a traced chain call or after one without a probe "
			"(--callback-latency return times each by its own return)\n",
			s->bpf_stats[IT_STAT_CB_GAP]);
}

static void text_doctor(struct it_writer *w, const struct it_doctor_report *r)
{
	FILE *f = w->f;
	size_t i;

	if (!r->dry_run) {
		fprintf(f, "kernel        %s\n", r->release ? r->release : "?");
		fprintf(f, "root          %s\n", r->root ? "yes" : "NO");
		fprintf(f, "BTF           %s\n", r->btf ? "/sys/kernel/btf/vmlinux" : "MISSING");
		fprintf(f, "kallsyms      %s\n", r->ksyms_visible ? "addresses visible" : "addresses HIDDEN");
		fprintf(f, "series        %s\n", r->series == 1 ? "v1 (seed: ioasid_nb_args has sid, set_token)" :
			r->series == 2 ? "v2+ (ioasid_nb_args has spid, set)" : "NOT FOUND (no struct ioasid_nb_args)");
		fprintf(f, "ioasid_chain  %s0x%" PRIx64 "\n", r->chain_addr ? "" : "MISSING ", r->chain_addr);
		fprintf(f, "lock          ioasid_allocator_lock 0x%" PRIx64 " (%s)\n", r->lock_addr,
			r->lock_kind ? r->lock_kind : "?");
		fprintf(f, "preemption    %s%s\n", r->preemption ? r->preemption : "?",
			r->preempt_full ? "; --mode auto uses kprobes (fentry runs can be preempted and skipped)" : "");
		if (r->allocator_free)
			fprintf(f, "allocator     ops->free = %s (0x%" PRIx64 ")\n",
				r->allocator_free_sym ? r->allocator_free_sym : "?", r->allocator_free);
	}
	fprintf(f, "%s\n", r->dry_run ? "would attach:" : "attach points:");
	for (i = 0; i < r->npoints; i++) {
		const struct it_doctor_point *p = &r->points[i];

		fprintf(f, "  %-30s %-12s %-9s %s%s%s\n", p->name, p->present ? p->mode : "-",
			p->present ? (p->required ? "required" : "optional") : "MISSING", p->what,
			p->why ? "; " : "", p->why ? p->why : "");
	}
	fprintf(f, "callbacks on ioasid_chain:%s\n",
		!r->chain_walked ? " (not walked)" : r->ncbs ? "" : " none");
	if (r->walk_error)
		fprintf(f, "  walk failed: %s\n", r->walk_error);
	for (i = 0; i < r->ncbs; i++) {
		const struct it_doctor_cb *c = &r->cbs[i];

		fprintf(f, "  %-30s %-8s prio %-6d nb 0x%" PRIx64 "%s%s%s\n",
			c->sym ? c->sym : "?", c->mode ? c->mode : "-", c->prio, c->nb,
			c->mod ? " [" : "", c->mod ? c->mod : "", c->mod ? "]" : "");
	}
	if (!r->dry_run)
		fprintf(f, "%s%s\n", r->missing[0] ? "missing: " : "ok: everything present",
			r->missing);
}

/*
 * check: each violation two-sided, as lockdep does (the event that broke
 * the rule, then the earlier one that set the expectation), then the table
 * of invariants and the verdict.
 */
static void text_verdict(struct it_writer *w, const struct it_check_report *r)
{
	static const char *const verdicts[] = { "PASS", "FAIL", "INCONCLUSIVE", "ERROR" };
	FILE *f = w->f;
	char line[512];
	int i;

	int shown[IT_CHECK_MAX_INV + 1] = { 0 };

	/* A defect that fires on every call would bury the rest: show the
	 * first few of each invariant (-v: all that were kept). */
	for (i = 0; i < r->nv; i++) {
		const struct it_violation *v = &r->v[i];
		const struct it_invariant *inv = it_invariant_by_id(v->inv);

		if (v->inv > 0 && v->inv <= IT_CHECK_MAX_INV && shown[v->inv]++ >= 5 && !w->verbose)
			continue;
		fprintf(f, "\n%s %d %s%s: %s\n",
			inv && inv->severity == IT_SEV_WARNING ? "WARNING" : "VIOLATION", v->inv,
			inv ? inv->key : "?", v->suspect ? " (suspect: events were lost)" : "", v->msg);
		it_out_describe(w, &v->now, line, sizeof(line));
		fprintf(f, "  broken by:  %s\n", line);
		if (v->has_cause) {
			it_out_describe(w, &v->cause, line, sizeof(line));
			fprintf(f, "  expected since: %s\n", line);
		}
	}
	for (i = 0; i < r->nres; i++) {
		const struct it_inv_result *res = &r->res[i];
		uint64_t rest = res->violations;

		if (w->verbose || rest <= 5)
			continue;
		fprintf(f, "\n... and %llu more of invariant %d %s (-v shows the first %d with evidence)\n",
			(unsigned long long)(rest - 5), res->inv->id, res->inv->key, IT_CHECK_KEEP);
	}
	fprintf(f, "\n%3s  %-22s %-8s %9s %10s\n", "ID", "INVARIANT", "SEVERITY", "CHECKED", "VIOLATIONS");
	for (i = 0; i < r->nres; i++) {
		const struct it_inv_result *res = &r->res[i];

		fprintf(f, "%3d  %-22s %-8s ", res->inv->id, res->inv->key,
			res->inv->severity == IT_SEV_WARNING ? "warning" : "error");
		if (!res->enabled)
			fprintf(f, "%9s %10s\n", "-", "off");
		else
			fprintf(f, "%9llu %10llu\n", (unsigned long long)res->checked,
				(unsigned long long)res->violations);
	}
	if (r->half_calls)
		fprintf(f, "\nnot judged: %llu half callback call(s) inside chain calls during which "
			"callback probes were attached or detached\n",
			(unsigned long long)r->half_calls);
	fprintf(f, "\nverdict: %s (exit %d): %s; %llu events, %llu lost\n",
		verdicts[r->verdict], r->verdict, r->reason, (unsigned long long)r->events,
		(unsigned long long)r->lost);
}

const struct it_writer_ops it_text_writer = {
	.name = "text",
	.begin = text_begin,
	.event = text_event,
	.hists = text_hists,
	.summary = text_summary,
	.doctor = text_doctor,
	.verdict = text_verdict,
};
