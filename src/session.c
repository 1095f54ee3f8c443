// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "allocators.h"
#include "chain.h"
#include "child.h"
#include "session.h"
#include "source.h"

/*
 * How long the end waits for the operations inside the armed window to
 * finish before detaching: a harness cycle takes milliseconds even under
 * TCG; one that blocks longer loses its exits (check: inconclusive).
 */
#define IT_DISARM_WAIT_NS	2000000000ull

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void on_sigchld(int sig)
{
	(void)sig;	/* only to interrupt the poll */
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Where start-up time goes, for -v: "attached" is what a user waits for,
 * so its parts are printed with it (docs/performance.md uses them).
 */
struct setup_clock {
	uint64_t last_ns;
	char buf[256];
	size_t len;
};

static void setup_lap(struct setup_clock *c, const char *what)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (c->last_ns && c->len < sizeof(c->buf))
		c->len += snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s%s %.3f",
				   c->len ? ", " : "", what, (now - c->last_ns) / 1e9);
	c->last_ns = now;
}

/* check exits 3 on setup failures, trace and hist 1 (see it_session_spec) */
static int setup_rc = IT_EXIT_FAIL;

static int die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	it_verror(stderr, fmt, ap);
	va_end(ap);
	return setup_rc;
}

static void print_plan(struct it_writer *w, const struct it_kernel *k,
		       const struct it_attach_report *rep, enum it_mode_pref pref, bool dry)
{
	struct it_doctor_report r = { .dry_run = dry };
	struct it_doctor_point pts[IT_MAX_POINTS];
	struct it_doctor_cb cbs[IT_MAX_CALLBACKS];
	size_t i;

	for (i = 0; i < rep->n; i++) {
		pts[i] = (struct it_doctor_point){
			.name = rep->pts[i].func, .what = rep->pts[i].what,
			.present = rep->pts[i].present, .required = rep->pts[i].required,
			.mode = it_mode_name(rep->pts[i].mode),
			.why = rep->pts[i].why[0] ? rep->pts[i].why : NULL,
		};
	}
	for (i = 0; i < k->nchain; i++) {
		uint64_t off = 0;
		const struct it_ksym *s = it_ksyms_by_addr(k->ksyms, k->chain[i].cb, &off);
		static char why[IT_MAX_CALLBACKS][160];

		cbs[i] = (struct it_doctor_cb){
			.nb = k->chain[i].nb, .cb = k->chain[i].cb, .prio = k->chain[i].prio,
			.sym = s && !off ? s->name : NULL, .mod = s && !off ? s->mod : NULL,
			.mode = "-",
		};
		if (cbs[i].sym)
			cbs[i].mode = it_mode_name(it_attach_probe(cbs[i].sym,
								   it_attach_cb_pref(pref, cbs[i].mod),
								   why[i], sizeof(why[i])));
	}
	r.points = pts;
	r.npoints = rep->n;
	r.cbs = cbs;
	r.ncbs = k->nchain;
	r.preemption = k->preempt_how;
	r.preempt_full = k->preempt_full;
	r.chain_walked = k->walked;
	r.walk_error = k->walk_error[0] ? k->walk_error : NULL;
	it_out_doctor(w, &r);
}

static struct it_config make_config(const struct it_session_spec *sp, const struct it_kernel *k)
{
	const struct it_options *o = sp->o;
	struct it_config c = {
		.chain_addr = k->chain_addr,
		.lock_addr = k->lock_addr,
		.active_allocator_addr = k->active_allocator_addr,
		.lock_is_mutex = !strcmp(k->lock_kind, "mutex"),
		.emit_events = sp->stream_events,
		.hist_enabled = sp->kernel_hists,
		.hist_sub_bits = IT_HIST_FINE_BITS,
		.hist_unit_ns = it_unit_ns(o->unit),
		.targ_tgid = o->pid,
	};

	if (o->has_ioasid) {
		c.filter_mask |= IT_FILTER_ID;
		c.targ_ioasid = o->ioasid;
	}
	if (o->has_sid) {
		c.filter_mask |= IT_FILTER_SID;
		c.targ_sid = o->sid;
	}
	if (o->has_cmd) {
		c.filter_mask |= IT_FILTER_CMD;
		c.targ_cmd = o->cmd;
	}
	/* Only the in-kernel histograms' fast path times callbacks by their chain. */
	c.cb_chained = c.hist_enabled && !c.emit_events && !c.filter_mask &&
		       o->cb_latency != IT_CBL_RETURN;
	return c;
}

/*
 * The ring buffer's size: --buffer, else the default for what runs,
 * measured with the bench's full-speed bursts (docs/performance.md,
 * "Ring-buffer size"): check lost records with 16 MiB and none with
 * 32 MiB; a recording compresses every record on top of decoding it and
 * needed 64 MiB.  hist streams only (un)registrations: a small buffer,
 * which is also less to allocate before "attached".
 */
static uint64_t ringbuf_bytes(const struct it_options *o)
{
	if (o->ringbuf_bytes)
		return o->ringbuf_bytes;
	if (o->sub == IT_SUB_RECORD || o->record)
		return IT_RINGBUF_RECORD_BYTES;
	return o->sub == IT_SUB_HIST ? IT_RINGBUF_HIST_BYTES : IT_RINGBUF_BYTES;
}

int it_session_run(const struct it_session_spec *sp)
{
	const struct it_options *o = sp->o;
	struct it_pipeline pipe;
	struct it_attach att;
	struct it_chain chain;
	struct it_allocators allocs;
	struct it_kernel k;
	enum it_mode_pref pref;
	uint64_t skipped;
	struct it_attach_report plan;
	struct it_config cfg;
	struct it_source *src = NULL;
	struct it_child child = { 0, -1 };
	struct it_ksyms *ks;
	struct sigaction sa = { 0 };
	struct setup_clock sc = { 0 };
	uint64_t t0, deadline = 0, next_tick = 0, now;
	char missing[512];
	size_t i;
	int err, rc = IT_EXIT_OK;

	setup_lap(&sc, NULL);
	setup_rc = sp->setup_rc ? sp->setup_rc : IT_EXIT_FAIL;
	memset(&att, 0, sizeof(att));
	memset(&chain, 0, sizeof(chain));
	memset(&allocs, 0, sizeof(allocs));
	it_libbpf_setup(o->verbose);
	if (geteuid() != 0)
		return die("must run as root (loading BPF needs CAP_BPF and CAP_PERFMON)");
	if (!it_btf_usable())
		return die("kernel has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF=y");
	ks = it_ksyms_load(NULL);
	if (!ks)
		return die("cannot read /proc/kallsyms: %s", strerror(errno));
	if (it_ksyms_hidden(ks)) {
		it_ksyms_free(ks);
		return die("kallsyms addresses are hidden (kptr_restrict): run as root");
	}
	setup_lap(&sc, "kallsyms");
	it_pipeline_init(&pipe);
	pipe.dec.ksyms = ks;	/* the decoder owns the symbol table from here */
	it_kernel_discover(&k, ks);
	if (!k.chain_addr) {
		/* Look it up before fini: the pipeline frees ks (it owns it). */
		bool notify = it_ksyms_by_name(ks, "ioasid_notify", NULL) != NULL;

		it_pipeline_fini(&pipe);
		return die("kernel lacks the IOASID notifier series (missing: ioasid_chain%s); "
			   "see 'ioasid-trace doctor'", notify ? "" : ", ioasid_notify");
	}
	/* The first walk finds a custom allocator's free and the series version. */
	if (it_kernel_snapshot(&k))
		it_kernel_detect_series(&k);
	setup_lap(&sc, "walk");
	pref = it_attach_pref(o->mode, &k);
	if (o->verbose && pref != o->mode)
		fprintf(stderr, "ioasid-trace: preemption %s: kprobes, not fentry\n", k.preempt_how);
	/* A live run lets the real load be the probe (see it_attach_plan_quick). */
	err = o->dry_run ? it_attach_plan(&plan, &k, pref, sp->stream_events)
			 : it_attach_plan_quick(&plan, &k, pref, sp->stream_events);
	if (o->dry_run) {
		print_plan(sp->out, &k, &plan, pref, true);
		it_attach_close(&att);
		it_pipeline_fini(&pipe);
		return err ? IT_EXIT_FAIL : IT_EXIT_OK;
	}
	if (err) {
		it_attach_missing(&plan, true, missing, sizeof(missing));
		it_pipeline_fini(&pipe);
		return die("cannot attach to %s; see 'ioasid-trace doctor'", missing);
	}
	it_attach_missing(&plan, false, missing, sizeof(missing));
	if (missing[0])
		fprintf(stderr, "ioasid-trace: warning: not traced (missing): %s\n", missing);

	cfg = make_config(sp, &k);
	err = it_attach_open(&att, &plan, &cfg, pref, ringbuf_bytes(o), o->verbose);
	if (err && pref != IT_PREF_KPROBE) {
		/*
		 * Some point refused fentry, or the kernel kprobe.multi: probe
		 * each one, as doctor does, and give each its own programs.
		 */
		it_attach_close(&att);
		err = it_attach_plan(&plan, &k, pref, false);
		if (!err)
			err = it_attach_open(&att, &plan, &cfg, pref, ringbuf_bytes(o),
					     o->verbose);
	}
	if (err) {
		rc = die("loading/attaching the BPF programs failed: %s%s%s", strerror(-err),
			 *it_libbpf_last_error() ? ": " : "", it_libbpf_last_error());
		goto out;
	}
	setup_lap(&sc, "load+attach");
	src = it_source_live(&att, &pipe);
	if (!src) {
		rc = die("ring buffer: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < plan.n && o->verbose; i++)
		if (att.rep.pts[i].mode != IT_MODE_NONE)
			fprintf(stderr, "ioasid-trace: %-30s %s%s\n", att.rep.pts[i].func,
				att.rep.pts[i].skipped ? "not needed (hist)"
						       : it_mode_name(att.rep.pts[i].mode),
				!att.rep.pts[i].skipped && att.rep.pts[i].links[0] &&
				!att.rep.pts[i].links[1] ? " (exit only)" : "");

	/*
	 * The follower is attached (ioasid_add/remove_notifier are in the
	 * events object): walk again now, so a registration between the first
	 * walk and the attach is not missed; duplicates are ignored by nb.
	 */
	it_kernel_snapshot(&k);
	setup_lap(&sc, "walk");
	it_chain_init(&chain, &att, stderr, o->verbose);
	it_pipeline_add(&pipe, &chain.consumer);
	it_allocators_init(&allocs, &att, stderr, o->verbose);
	it_pipeline_add(&pipe, &allocs.consumer);
	for (i = 0; i < (size_t)sp->ncons; i++)
		it_pipeline_add(&pipe, sp->cons[i]);

	t0 = clock_ns(CLOCK_MONOTONIC);
	pipe.info = (struct it_session_info){
		.kernel_release = k.release,
		.series_version = k.series,
		.mono_to_real_ns = clock_ns(CLOCK_REALTIME) - t0,
		.start_ns = t0,
		.ncpus = libbpf_num_possible_cpus(),
		.live = true,
		.attach = &att.rep,
		.hist_map_fd = it_attach_hists_fd(&att),
		.hist_keys = it_attach_hist_keys(&att),
		.hist_sub_bits = IT_HIST_FINE_BITS,
		.hist_unit_ns = it_unit_ns(o->unit),
		.cb_chained = cfg.cb_chained,
		.opts = o,
	};
	if (sp->out) {
		sp->out->start_ns = t0;
		sp->out->dec = &pipe.dec;
	}
	err = it_pipeline_begin(&pipe);
	if (err) {
		rc = die("starting consumers: %s", strerror(-err));
		goto out_chain;
	}
	it_chain_seed(&chain, &k);
	it_allocators_seed(&allocs, &k);
	/* Everything known is attached: operations from now on are seen whole. */
	it_attach_arm(&att);
	setup_lap(&sc, "callbacks");

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_sigchld;
	sigaction(SIGCHLD, &sa, NULL);

	if (o->child_argv) {
		err = it_child_start(&child, o->child_argv);
		if (err) {
			rc = die("cannot run '%s': %s", o->child_argv[0], strerror(-err));
			goto out_chain;
		}
	}
	if (o->verbose)
		fprintf(stderr, "ioasid-trace: attached%s (s: %s)\n",
			o->child_argv ? ", command started" : "", sc.buf);
	else if (!o->child_argv && !o->json && (sp->banner || sp->stream_events))
		fprintf(stderr, "%s\n", sp->banner ? sp->banner
				       : "Tracing IOASID events... Hit Ctrl-C to end.");

	if (o->duration_s)
		deadline = t0 + (uint64_t)(o->duration_s * 1e9);
	if (o->interval_s)
		next_tick = t0 + (uint64_t)(o->interval_s * 1e9);
	pipe.sum.stop_reason = "signal";
	for (;;) {
		int timeout = 100;

		if (stop_signal)
			break;
		if (pipe.stop) {
			pipe.sum.stop_reason = "consumer";
			break;
		}
		if (o->child_argv && it_child_done(&child)) {
			pipe.sum.stop_reason = "command exited";
			break;
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (deadline && now >= deadline) {
			pipe.sum.stop_reason = "duration";
			break;
		}
		if (next_tick && now >= next_tick) {
			it_pipeline_lost(&pipe, src->ops->lost(src), now);
			it_pipeline_tick(&pipe, now);
			next_tick += (uint64_t)(o->interval_s * 1e9);
		}
		err = src->ops->poll(src, timeout);
		if (err < 0) {
			rc = die("reading the ring buffer: %s", strerror(-err));
			break;
		}
		it_pipeline_lost(&pipe, src->ops->lost(src), clock_ns(CLOCK_MONOTONIC));
	}
	if (child.pid)
		it_child_stop(&child);
	pipe.sum.child_status = o->child_argv ? child.status : -1;

	/*
	 * Close the window first, so no operation begins that detaching could
	 * cut, and let those inside it end (reading their records meanwhile).
	 * Then deliver what is already in the ring buffer while the follower
	 * still listens (a subscriber removed just before the end is
	 * announced), then detach callbacks and API points, then drain the
	 * rest.  Both waits are bounded: a call may block for long.
	 */
	it_attach_disarm(&att);
	now = clock_ns(CLOCK_MONOTONIC) + IT_DISARM_WAIT_NS;
	while (it_attach_inflight(&att) && clock_ns(CLOCK_MONOTONIC) < now)
		src->ops->poll(src, 1);
	now = clock_ns(CLOCK_MONOTONIC) + 200000000ull;
	while (src->ops->poll(src, 0) > 0 && clock_ns(CLOCK_MONOTONIC) < now)
		;
	it_chain_fini(&chain);
	it_allocators_fini(&allocs);
	it_attach_detach(&att);
	while (src->ops->poll(src, 0) > 0)
		;
	/* Callback objects are gone by now: their skipped runs are counted. */
	it_pipeline_lost(&pipe, src->ops->lost(src), clock_ns(CLOCK_MONOTONIC));
	skipped = it_attach_skipped(&att);
	if (skipped)
		fprintf(stderr, "ioasid-trace: warning: the kernel skipped %llu runs of our probes "
			"(a probe preempted on its CPU; --mode kprobe avoids it)\n",
			(unsigned long long)skipped);
	it_attach_read_stats(&att, pipe.sum.bpf_stats);
	pipe.sum.duration_s = (clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (stop_signal)
		pipe.sum.stop_reason = stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
	err = it_pipeline_end(&pipe);
	if (err > rc)
		rc = err;
	if (pipe.err && !rc)
		rc = IT_EXIT_FAIL;
out_chain:
	it_attach_disarm(&att);
	it_chain_fini(&chain);
	it_allocators_fini(&allocs);
out:
	if (child.pid)
		it_child_stop(&child);
	if (src)
		src->ops->destroy(src);
	it_attach_close(&att);
	it_pipeline_fini(&pipe);
	return rc;
}
