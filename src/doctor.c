// SPDX-License-Identifier: GPL-2.0
/*
 * "doctor": what the running kernel offers, each attach point with the
 * mode a real probe-load gives it, the chain and its callbacks.  Exits 1
 * naming whatever is missing, so it doubles as a precondition check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attach.h"
#include "commands.h"
#include "session.h"

static void add_missing(char *buf, size_t len, const char *name)
{
	size_t n = strlen(buf);

	if (strstr(buf, name))
		return;
	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
}

int it_cmd_doctor(const struct it_options *o)
{
	struct it_writer *w = it_writer_new(o->json ? "json" : "text", stdout, stderr);
	struct it_doctor_report r = { 0 };
	struct it_doctor_point pts[IT_MAX_POINTS];
	struct it_doctor_cb cbs[IT_MAX_CALLBACKS];
	static char cb_why[IT_MAX_CALLBACKS][160];
	struct it_attach_report plan = { 0 };
	struct it_kernel k;
	enum it_mode_pref pref;
	struct it_ksyms *ks = NULL;
	size_t i;
	int rc;

	if (!w)
		return IT_EXIT_FAIL;
	it_libbpf_setup(o->verbose);
	ks = it_ksyms_load(NULL);
	it_kernel_discover(&k, ks);
	it_kernel_detect_series(&k);
	r.release = k.release;
	r.root = k.root;
	r.btf = k.btf;
	r.ksyms_visible = k.ksyms_visible;
	r.series = k.series;
	r.chain_addr = k.chain_addr;
	r.lock_addr = k.lock_addr;
	r.lock_kind = k.lock_kind;
	r.preemption = k.preempt_how;
	r.preempt_full = k.preempt_full;
	pref = it_attach_pref(o->mode, &k);

	if (!k.root)
		add_missing(r.missing, sizeof(r.missing), "root");
	if (!k.btf)
		add_missing(r.missing, sizeof(r.missing), "BTF");
	if (!k.ksyms_visible)
		add_missing(r.missing, sizeof(r.missing), "kallsyms");

	if (k.root && k.btf && k.ksyms_visible) {
		if (k.chain_addr)
			it_kernel_snapshot(&k);
		it_attach_plan(&plan, &k, pref, false);
	} else {
		/* Without BPF, report presence only. */
		it_attach_plan(&plan, &(struct it_kernel){ .ksyms = ks }, IT_PREF_FENTRY, false);
		for (i = 0; i < plan.n; i++)
			snprintf(plan.pts[i].why, sizeof(plan.pts[i].why), "not probed");
	}
	r.allocator_free = k.allocator_free;
	if (k.allocator_free) {
		uint64_t off = 0;
		const struct it_ksym *s = it_ksyms_by_addr(ks, k.allocator_free, &off);

		r.allocator_free_sym = s && !off ? s->name : NULL;
	}

	for (i = 0; i < plan.n; i++) {
		const struct it_point_state *p = &plan.pts[i];

		pts[i] = (struct it_doctor_point){
			.name = p->func, .what = p->what, .present = p->present,
			.required = p->required, .mode = it_mode_name(p->mode),
			.why = p->why[0] ? p->why : NULL,
		};
		if (p->mode == IT_MODE_NONE)
			add_missing(r.missing, sizeof(r.missing), p->func);
	}
	r.points = pts;
	r.npoints = plan.n;
	if (!k.chain_addr)
		add_missing(r.missing, sizeof(r.missing), "ioasid_chain");
	if (!k.series)
		add_missing(r.missing, sizeof(r.missing), "struct ioasid_nb_args");

	r.chain_walked = k.walked;
	r.walk_error = k.walk_error[0] && k.chain_addr ? k.walk_error : NULL;
	for (i = 0; i < k.nchain; i++) {
		uint64_t off = 0;
		const struct it_ksym *s = it_ksyms_by_addr(ks, k.chain[i].cb, &off);

		cbs[i] = (struct it_doctor_cb){
			.nb = k.chain[i].nb, .cb = k.chain[i].cb, .prio = k.chain[i].prio,
			.sym = s && !off ? s->name : NULL, .mod = s && !off ? s->mod : NULL,
			.mode = "-",
		};
		if (cbs[i].sym)
			cbs[i].mode = it_mode_name(it_attach_probe(cbs[i].sym,
								   it_attach_cb_pref(pref, cbs[i].mod), cb_why[i],
								   sizeof(cb_why[i])));
		if (!strcmp(cbs[i].mode, "-"))
			add_missing(r.missing, sizeof(r.missing), cbs[i].sym ? cbs[i].sym : "callback");
	}
	r.cbs = cbs;
	r.ncbs = k.nchain;

	it_out_doctor(w, &r);
	rc = r.missing[0] ? IT_EXIT_FAIL : IT_EXIT_OK;
	if (rc && !o->json)
		fflush(stdout);
	if (rc)
		fprintf(stderr, "ioasid-trace: doctor: missing: %s\n", r.missing);
	/* release the probe object kept between kprobe probes */
	{
		struct it_attach a = { 0 };

		it_attach_close(&a);
	}
	it_ksyms_free(ks);
	it_writer_free(w);
	return rc;
}
