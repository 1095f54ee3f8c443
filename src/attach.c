// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "preempt.h"
#include "events.skel.h"
#include "callbacks.skel.h"
#include "allocator.skel.h"
#include "probe.skel.h"
#include "snapshot.skel.h"

/*
 * The attach points.  fentry_prog/kprobe_prog name the program pairs in
 * events.bpf.c (fe_X/fx_X and kp_X/kr_X); kind is the IT_K_* its records
 * carry.  "required": without it the notifier chain cannot be followed at
 * all.  "series": added by the IOASID notifier series (v1 01-08), so absent
 * on a vanilla kernel.  "hist": needed when nothing is streamed (hist mode):
 * it feeds a histogram or drives attaching; the others are then not
 * attached at all (each fentry/fexit pair costs two trampolines per call
 * even if its programs return at once).  "follow": the registration points
 * the chain follower reads; it reads only their EXIT records, and fexit
 * sees the arguments itself, so in hist mode their fentry programs are not
 * loaded nor attached (two programs to verify and two trampoline updates
 * fewer before "attached").  "multi": the cold points, off the per-ID
 * path (a harness cycle calls none of them): when records are streamed
 * they share one kprobe.multi/kretprobe.multi pair (see plan_multi).
 */
static const struct {
	const char *func, *what, *fentry_prog, *kprobe_prog;
	__u8 kind;
	bool required, series, hist, follow, multi;
} points[] = {
	{ .func = "ioasid_alloc", .what = "allocate an IOASID (args + new id)",
	  .fentry_prog = "ioasid_alloc", .kprobe_prog = "ioasid_alloc", .kind = IT_K_ALLOC },
	{ .func = "ioasid_free", .what = "free an IOASID (free path start/end)",
	  .fentry_prog = "ioasid_free", .kprobe_prog = "ioasid_free", .kind = IT_K_FREE,
	  .hist = true },
	{ .func = "ioasid_free_locked", .what = "free under the mutex, runs the FREE chain",
	  .fentry_prog = "ioasid_free_locked", .kprobe_prog = "ioasid_free_locked",
	  .kind = IT_K_FREE_LOCKED, .series = true },
	{ .func = "default_alloc", .what = "default allocator's ops->alloc (an ID's life begins)",
	  .fentry_prog = "default_alloc", .kprobe_prog = "allocator_alloc",
	  .kind = IT_K_ALLOCATOR_ALLOC },
	{ .func = "default_free", .what = "default allocator's ops->free",
	  .fentry_prog = "default_free", .kprobe_prog = "allocator_free",
	  .kind = IT_K_ALLOCATOR_FREE },
	{ .func = "ioasid_notify", .what = "publish BIND/UNBIND/... (cmd + result)",
	  .fentry_prog = "ioasid_notify", .kprobe_prog = "ioasid_notify", .kind = IT_K_NOTIFY,
	  .required = true, .series = true },
	{ .func = "ioasid_add_notifier", .what = "subscriber registers (followed live)",
	  .fentry_prog = "ioasid_add_notifier", .kprobe_prog = "ioasid_add_notifier",
	  .kind = IT_K_ADD_NOTIFIER, .required = true, .series = true, .hist = true,
	  .follow = true, .multi = true },
	{ .func = "ioasid_remove_notifier", .what = "subscriber unregisters (followed live)",
	  .fentry_prog = "ioasid_remove_notifier", .kprobe_prog = "ioasid_remove_notifier",
	  .kind = IT_K_REMOVE_NOTIFIER, .required = true, .series = true, .hist = true,
	  .follow = true, .multi = true },
	{ .func = "blocking_notifier_call_chain", .what = "the chain call, filtered to ioasid_chain",
	  .fentry_prog = "blocking_notifier_call_chain",
	  .kprobe_prog = "blocking_notifier_call_chain", .kind = IT_K_CHAIN, .required = true,
	  .hist = true },
	{ .func = "ioasid_alloc_set", .what = "allocate an IOASID set",
	  .fentry_prog = "ioasid_alloc_set", .kprobe_prog = "ioasid_alloc_set",
	  .kind = IT_K_ALLOC_SET, .series = true, .multi = true },
	{ .func = "ioasid_free_set", .what = "free a set and its IDs",
	  .fentry_prog = "ioasid_free_set", .kprobe_prog = "ioasid_free_set",
	  .kind = IT_K_FREE_SET, .series = true, .multi = true },
	{ .func = "ioasid_attach_data", .what = "attach private data to an IOASID",
	  .fentry_prog = "ioasid_attach_data", .kprobe_prog = "ioasid_attach_data",
	  .kind = IT_K_ATTACH_DATA, .series = true, .multi = true },
};

const char *it_mode_name(enum it_mode m)
{
	switch (m) {
	case IT_MODE_FENTRY:
		return "fentry";
	case IT_MODE_KPROBE:
		return "kprobe";
	case IT_MODE_KPROBE_MULTI:
		return "kprobe.multi";
	default:
		return "-";
	}
}

/* ---- libbpf messages ---------------------------------------------------- */

static int libbpf_verbosity;
static char libbpf_last[256];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list cp;

	if (level == LIBBPF_DEBUG && libbpf_verbosity < 3)
		return 0;
	va_copy(cp, ap);
	vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, cp);
	va_end(cp);
	libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
	if (libbpf_verbosity >= 2)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void it_libbpf_setup(int verbose)
{
	libbpf_verbosity = verbose;
	libbpf_set_print(libbpf_print);
}

const char *it_libbpf_last_error(void)
{
	return libbpf_last;
}

/* ---- kernel facts --------------------------------------------------------- */

/* Series version from the kernel's BTF, parsed here (the walker's is cheaper). */
static int detect_series(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_member *m;
	const struct btf_type *t;
	bool sid = false, token = false, spid = false, set = false;
	int id, i;

	if (!btf)
		return 0;
	id = btf__find_by_name_kind(btf, "ioasid_nb_args", BTF_KIND_STRUCT);
	if (id < 0) {
		btf__free(btf);
		return 0;
	}
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);

		sid |= !strcmp(n, "sid");
		token |= !strcmp(n, "set_token");
		spid |= !strcmp(n, "spid");
		set |= !strcmp(n, "set");
	}
	btf__free(btf);
	if (sid && token)
		return 1;
	if (spid && set)
		return 2;
	return 0;
}

bool it_btf_usable(void)
{
	unsigned char magic[2];
	FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
	bool ok;

	if (!f)
		return false;
	ok = fread(magic, 1, 2, f) == 2 && magic[0] == 0x9f && magic[1] == 0xeb;
	fclose(f);
	return ok;
}

/*
 * ioasid_allocator_lock has no BTF (only per-CPU variables do): its type
 * follows from the series.  v1 patch 07 made it a mutex before 08 added
 * the chain; v2+ went back to a spinlock, as has 6.1.
 */
static void set_series(struct it_kernel *k, int series)
{
	k->series = series;
	k->lock_kind = series == 1 ? "mutex" : series == 2 ? "spinlock" : "?";
}

void it_kernel_detect_series(struct it_kernel *k)
{
	set_series(k, k->btf ? detect_series() : 0);
}

static uint64_t sym_addr(const struct it_ksyms *ks, const char *name)
{
	const struct it_ksym *s = it_ksyms_by_name(ks, name, NULL);

	return s ? s->addr : 0;
}

void it_kernel_discover(struct it_kernel *k, const struct it_ksyms *ks)
{
	struct utsname u;

	memset(k, 0, sizeof(*k));
	k->ksyms = ks;
	if (!uname(&u))
		snprintf(k->release, sizeof(k->release), "%s", u.release);
	k->root = geteuid() == 0;
	k->btf = it_btf_usable();
	k->ksyms_visible = ks && it_ksyms_count(ks) && !it_ksyms_hidden(ks);
	set_series(k, 0);
	if (!k->ksyms_visible)
		return;
	k->chain_addr = sym_addr(ks, "ioasid_chain");
	k->lock_addr = sym_addr(ks, "ioasid_allocator_lock");
	k->active_allocator_addr = sym_addr(ks, "active_allocator");
	k->default_free_addr = sym_addr(ks, "default_free");
	k->preempt_full = it_preempt_full(ks, IT_PREEMPT_DEBUGFS, k->preempt_how,
					  sizeof(k->preempt_how));
}

/*
 * The loaded walker, kept for the next walk of the same kernel: a live run
 * walks twice (before and after attaching), and a second load would parse
 * the vmlinux BTF and verify again for nothing.  Freed by it_attach_close().
 */
static struct snapshot_bpf *snap;

static void snapshot_put(void)
{
	snapshot_bpf__destroy(snap);
	snap = NULL;
}

int it_kernel_snapshot(struct it_kernel *k)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct snapshot_bpf *s = snap;
	int err = 0;

	if (!k->chain_addr) {
		snprintf(k->walk_error, sizeof(k->walk_error), "no ioasid_chain in kallsyms");
		return -ENOENT;
	}
	if (s && (s->rodata->chain_addr != k->chain_addr ||
		  s->rodata->active_allocator_addr != k->active_allocator_addr)) {
		snapshot_put();
		s = NULL;
	}
	if (!s) {
		s = snapshot_bpf__open();
		if (!s) {
			snprintf(k->walk_error, sizeof(k->walk_error), "open: %s",
				 strerror(errno));
			return -errno;
		}
		s->rodata->chain_addr = k->chain_addr;
		s->rodata->active_allocator_addr = k->active_allocator_addr;
		err = snapshot_bpf__load(s);
		if (!err)
			snap = s;
	}
	if (!err) {
		s->bss->done = 0;
		s->bss->allocator_ops = 0;
		s->bss->allocator_free = 0;
		s->bss->series = 0;
		err = bpf_prog_test_run_opts(bpf_program__fd(s->progs.snapshot), &topts);
	}
	if (err || !s->bss->done) {
		snprintf(k->walk_error, sizeof(k->walk_error), "snapshot program: %s%s%s",
			 err ? strerror(-err) : "did not run", *it_libbpf_last_error() ? ": " : "",
			 it_libbpf_last_error());
		if (s == snap)
			snapshot_put();
		else
			snapshot_bpf__destroy(s);
		return err ? err : -EIO;
	}
	k->nchain = s->bss->chain_len;
	if (k->nchain > IT_MAX_CALLBACKS)
		k->nchain = IT_MAX_CALLBACKS;
	memcpy(k->chain, s->bss->chain, sizeof(k->chain[0]) * k->nchain);
	k->chain_truncated = s->bss->chain_truncated;
	k->allocator_free = s->bss->allocator_free;
	set_series(k, (int)s->bss->series);
	k->walked = true;
	return 0;
}

/* ---- probing ---------------------------------------------------------------- */

/* Load + attach empty fentry and fexit programs on func; 0 if both work. */
static int probe_fentry(const char *func, char *why, size_t len)
{
	struct bpf_link *l1 = NULL, *l2 = NULL;
	struct probe_bpf *p;
	int err;

	p = probe_bpf__open();
	if (!p)
		return -errno;
	bpf_program__set_autoload(p->progs.probe_kprobe, false);
	err = bpf_program__set_attach_target(p->progs.probe_fentry, 0, func);
	if (!err)
		err = bpf_program__set_attach_target(p->progs.probe_fexit, 0, func);
	if (!err)
		err = probe_bpf__load(p);
	if (err) {
		snprintf(why, len, "fentry: no BTF/trampoline for %s", func);
		goto out;
	}
	l1 = bpf_program__attach_trace(p->progs.probe_fentry);
	l2 = l1 ? bpf_program__attach_trace(p->progs.probe_fexit) : NULL;
	if (!l1 || !l2) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, len, "fentry attach: %s", strerror(-err));
	}
out:
	bpf_link__destroy(l2);
	bpf_link__destroy(l1);
	probe_bpf__destroy(p);
	return err;
}

static struct probe_bpf *kprobe_probe;

static int probe_kprobe(const char *func, char *why, size_t len)
{
	struct bpf_link *l1, *l2 = NULL;
	int err = 0;

	if (!kprobe_probe) {
		kprobe_probe = probe_bpf__open();
		if (!kprobe_probe)
			return -errno;
		bpf_program__set_autoload(kprobe_probe->progs.probe_fentry, false);
		bpf_program__set_autoload(kprobe_probe->progs.probe_fexit, false);
		err = probe_bpf__load(kprobe_probe);
		if (err) {
			probe_bpf__destroy(kprobe_probe);
			kprobe_probe = NULL;
			snprintf(why, len, "kprobe programs cannot load: %s", strerror(-err));
			return err;
		}
	}
	l1 = bpf_program__attach_kprobe(kprobe_probe->progs.probe_kprobe, false, func);
	if (l1)
		l2 = bpf_program__attach_kprobe(kprobe_probe->progs.probe_kprobe, true, func);
	if (!l1 || !l2) {
		err = errno ? -errno : -EINVAL;
		snprintf(why + strlen(why), len - strlen(why), "%skprobe: %s", *why ? "; " : "",
			 strerror(-err));
	}
	bpf_link__destroy(l2);
	bpf_link__destroy(l1);
	return err;
}

enum it_mode it_attach_probe(const char *func, enum it_mode_pref pref, char *why, size_t len)
{
	why[0] = '\0';
	if (pref != IT_PREF_KPROBE && !probe_fentry(func, why, len))
		return IT_MODE_FENTRY;
	if (pref == IT_PREF_FENTRY)
		return IT_MODE_NONE;
	if (!probe_kprobe(func, why, len)) {
		if (pref == IT_PREF_KPROBE)
			why[0] = '\0';
		return IT_MODE_KPROBE;
	}
	return IT_MODE_NONE;
}

/*
 * probe=false (it_attach_plan_quick): no probe-load per function, every
 * present point is planned as fentry (unless kprobes are forced) and
 * it_attach_open() is the probe for all of them at once.  Under TCG each
 * probe costs ~0.15 s (a vmlinux BTF parse plus two trampolines installed
 * and removed), 1.6 s for the 11 points.
 */
static enum it_mode plan_mode(const char *func, enum it_mode_pref pref, bool probe,
			      char *why, size_t len)
{
	if (!probe && pref != IT_PREF_KPROBE) {
		why[0] = '\0';
		return IT_MODE_FENTRY;
	}
	return it_attach_probe(func, pref, why, len);
}

/*
 * When records are streamed (trace, check, record, hist --record), the
 * cold points (points[].multi) share one kprobe.multi program for their
 * entries and one kretprobe.multi program for their exits (fprobe: one
 * ftrace update for all of them), the point's IT_K_* kind in the cookie
 * (it_attach_open).  A fentry/fexit pair per point costs two programs to
 * verify and two trampoline updates, about 20 ms per point in the guest
 * before "attached", for calls that are rare.  The per-ID points keep
 * theirs: a kprobe and a rethook return cost more per call than two
 * trampolines, and with all ten points on the pair check's cost per
 * harness cycle rose by a median 17 % (8 alternated rounds; attached 0.22
 * instead of 0.36 s): a tool meant to be left on pays per call for as
 * long as it runs and pays start-up once (docs/performance.md).  hist
 * without --record keeps a pair per point; so do --mode fentry|kprobe
 * and doctor.  Not probed: if the kernel refuses it (no CONFIG_FPROBE),
 * the session plans again without it.
 */
static bool plan_multi(const struct it_point_state *p, enum it_mode_pref pref, bool streaming)
{
	return streaming && pref == IT_PREF_AUTO && p->multi && p->present && p->addr;
}

static int plan(struct it_attach_report *rep, const struct it_kernel *k,
		enum it_mode_pref pref, bool probe, bool streaming)
{
	const struct it_ksym *sym;
	size_t i;
	int err = 0;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		struct it_point_state *p = &rep->pts[rep->n++];

		p->func = points[i].func;
		p->what = points[i].what;
		p->fentry_prog = points[i].fentry_prog;
		p->kprobe_prog = points[i].kprobe_prog;
		p->required = points[i].required;
		p->series = points[i].series;
		p->hist = points[i].hist;
		p->follow = points[i].follow;
		p->multi = points[i].multi;
		p->kind = points[i].kind;
		sym = it_ksyms_by_name(k->ksyms, p->func, NULL);
		p->present = sym != NULL;
		p->addr = sym ? sym->addr : 0;
		if (plan_multi(p, pref, streaming))
			p->mode = IT_MODE_KPROBE_MULTI;
		else if (p->present)
			p->mode = plan_mode(p->func, pref, probe, p->why, sizeof(p->why));
	}
	/* A custom allocator's free is followed, not planned: src/allocators.c */
	for (i = 0; i < rep->n; i++)
		if (rep->pts[i].required && rep->pts[i].mode == IT_MODE_NONE)
			err = -ENOENT;
	return err;
}

int it_attach_plan(struct it_attach_report *rep, const struct it_kernel *k,
		   enum it_mode_pref pref, bool streaming)
{
	return plan(rep, k, pref, true, streaming);
}

int it_attach_plan_quick(struct it_attach_report *rep, const struct it_kernel *k,
			 enum it_mode_pref pref, bool streaming)
{
	return plan(rep, k, pref, false, streaming);
}

void it_attach_missing(const struct it_attach_report *rep, bool required_only, char *buf,
		       size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < rep->n && n < len; i++) {
		const struct it_point_state *p = &rep->pts[i];

		if (p->mode != IT_MODE_NONE || (required_only && !p->required))
			continue;
		n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "", p->func);
	}
}

/* ---- the real thing ------------------------------------------------------------ */

static struct bpf_program *prog(struct bpf_object *obj, const char *prefix, const char *base)
{
	char name[128];

	snprintf(name, sizeof(name), "%s_%s", prefix, base);
	return bpf_object__find_program_by_name(obj, name);
}

/* The fixed slots of the histogram array; callbacks get theirs on attach. */
static void hist_keys_init(struct it_attach *a)
{
	uint32_t cmd;

	a->hist_keys[IT_HSLOT_FREE_PATH].type = IT_H_FREE_PATH;
	for (cmd = 0; cmd < IT_HSLOT_CMDS; cmd++) {
		a->hist_keys[IT_HSLOT_CHAIN0 + cmd].type = IT_H_CHAIN;
		a->hist_keys[IT_HSLOT_CHAIN0 + cmd].id = cmd;
	}
}

/*
 * The slot of callback cb: the one it had (a callback detached and attached
 * again keeps its histogram), else the first free one; 0 when all are taken
 * (then its latencies count in IT_STAT_HIST_FULL).  Slots are never reused
 * within a run: a gone callback's histogram is still reported at the end.
 */
static uint32_t hist_cb_slot(struct it_attach *a, uint64_t cb)
{
	uint32_t i;

	for (i = IT_HSLOT_CB0; i < IT_HIST_KEYS; i++)
		if (a->hist_keys[i].type == IT_H_CALLBACK && a->hist_keys[i].id == cb)
			return i;
	for (i = IT_HSLOT_CB0; i < IT_HIST_KEYS; i++) {
		if (!a->hist_keys[i].type) {
			a->hist_keys[i].type = IT_H_CALLBACK;
			a->hist_keys[i].id = cb;
			return i;
		}
	}
	return 0;
}

/*
 * fexit alone: a followed point when only control records are streamed
 * (hist; see points[] and it_exit_a0() in bpf/common.bpf.h).
 */
static bool it_attach_exit_only(const struct it_point_state *ps, const struct it_config *cfg)
{
	return ps->follow && !cfg->emit_events && ps->mode == IT_MODE_FENTRY;
}

/* Attach the kretprobe.multi (exit) or kprobe.multi (entry) program. */
static int attach_multi(struct it_attach *a, bool exits)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, mo);
	unsigned long addrs[IT_MAX_POINTS];
	__u64 cookies[IT_MAX_POINTS];
	struct bpf_link *l;
	size_t i, n = 0;

	for (i = 0; i < a->rep.n; i++) {
		if (a->rep.pts[i].mode != IT_MODE_KPROBE_MULTI)
			continue;
		addrs[n] = a->rep.pts[i].addr;
		cookies[n++] = a->rep.pts[i].kind;
	}
	if (!n)
		return 0;
	mo.addrs = addrs;
	mo.cookies = cookies;
	mo.cnt = n;
	mo.retprobe = exits;
	/*
	 * Test knob: behave as on a kernel without CONFIG_FPROBE, so the
	 * fallback below (the session plans again, a pair per point) runs
	 * where every kernel has it (tests/vm/trace.sh).
	 */
	if (getenv("IOASID_TRACE_NO_KPROBE_MULTI")) {
		l = NULL;
		errno = EOPNOTSUPP;
	} else {
		l = bpf_program__attach_kprobe_multi_opts(exits ? a->ev->progs.kx_point
							  : a->ev->progs.km_point, NULL, &mo);
	}
	if (!l) {
		int err = -errno;

		for (i = 0; i < a->rep.n; i++)
			if (a->rep.pts[i].mode == IT_MODE_KPROBE_MULTI)
				snprintf(a->rep.pts[i].why, sizeof(a->rep.pts[i].why),
					 "kprobe.multi attach: %s", strerror(-err));
		return err ? err : -EINVAL;
	}
	a->multi[exits ? 0 : 1] = l;
	return 0;
}

int it_attach_open(struct it_attach *a, const struct it_attach_report *plan,
		   const struct it_config *cfg, enum it_mode_pref pref, uint64_t ringbuf_bytes,
		   int verbose)
{
	struct bpf_program *p;
	size_t i, nmulti = 0;
	int err;

	memset(a, 0, sizeof(*a));
	hist_keys_init(a);
	a->rep = *plan;
	a->cfg = *cfg;
	a->pref = pref;
	a->verbose = verbose;
	a->ev = events_bpf__open();
	if (!a->ev)
		return -errno;
	a->ev->rodata->cfg = *cfg;
	/*
	 * The histograms (1 MiB per possible CPU) exist only for hist; other
	 * modes never touch them, so one slot keeps the map valid and small.
	 */
	if (!cfg->hist_enabled) {
		err = bpf_map__set_max_entries(a->ev->maps.hists, 1);
		if (err)
			return err;
	}
	/* --buffer (the options checked it: a power of two the map accepts) */
	if (ringbuf_bytes) {
		err = bpf_map__set_max_entries(a->ev->maps.events, (__u32)ringbuf_bytes);
		if (err)
			return err;
	}

	bpf_object__for_each_program(p, a->ev->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < a->rep.n; i++) {
		struct it_point_state *ps = &a->rep.pts[i];
		struct bpf_program *pe, *px;

		ps->skipped = !cfg->emit_events && !ps->hist && ps->mode != IT_MODE_NONE;
		if (ps->skipped)
			continue;
		if (ps->mode == IT_MODE_KPROBE_MULTI) {
			nmulti++;
			continue;
		}
		if (ps->mode == IT_MODE_FENTRY) {
			pe = prog(a->ev->obj, "fe", ps->fentry_prog);
			px = prog(a->ev->obj, "fx", ps->fentry_prog);
		} else if (ps->mode == IT_MODE_KPROBE) {
			pe = prog(a->ev->obj, "kp", ps->kprobe_prog);
			px = prog(a->ev->obj, "kr", ps->kprobe_prog);
		} else {
			continue;
		}
		if (!pe || !px)
			return -ENOENT;
		bpf_program__set_autoload(pe, !it_attach_exit_only(ps, cfg));
		bpf_program__set_autoload(px, true);
	}
	bpf_program__set_autoload(a->ev->progs.km_point, nmulti > 0);
	bpf_program__set_autoload(a->ev->progs.kx_point, nmulti > 0);
	/* Callbacks may fall back to kprobes unless fentry is forced. */
	bpf_program__set_autoload(a->ev->progs.kp_callback, pref != IT_PREF_FENTRY);
	bpf_program__set_autoload(a->ev->progs.kr_callback,
				  pref != IT_PREF_FENTRY && !cfg->cb_chained);
	err = events_bpf__load(a->ev);
	if (err)
		return err;

	/* Exits before entries: an entry without its exit would leave a frame behind. */
	err = attach_multi(a, true);
	for (i = 0; i < a->rep.n && !err; i++) {
		struct it_point_state *ps = &a->rep.pts[i];
		int ph;

		for (ph = 0; ph < 2 && !ps->skipped; ph++) {
			struct bpf_link *l;

			if (ph && it_attach_exit_only(ps, cfg))
				break;
			if (ps->mode == IT_MODE_FENTRY) {
				l = bpf_program__attach_trace(prog(a->ev->obj, ph ? "fe" : "fx",
								   ps->fentry_prog));
			} else if (ps->mode == IT_MODE_KPROBE) {
				l = bpf_program__attach_kprobe(prog(a->ev->obj, ph ? "kp" : "kr",
								    ps->kprobe_prog),
							       !ph, ps->func);
			} else {
				break;
			}
			if (!l) {
				err = -errno;
				snprintf(ps->why, sizeof(ps->why), "attach: %s", strerror(errno));
				return err ? err : -EINVAL;
			}
			ps->links[ph] = l;
		}
	}
	return err ?: attach_multi(a, false);
}

/* An object opened from callbacks.bpf.c or allocator.bpf.c uses the events object's maps. */
static int reuse_maps(struct bpf_object *obj, const struct events_bpf *ev)
{
	/* .bss: the armed window's flag is one for every program */
	static const char *const names[] = { "events", "tstack", "stats", "hists", ".bss" };
	struct bpf_map *m;
	size_t i;
	int err;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		m = bpf_object__find_map_by_name(obj, names[i]);
		if (!m)
			return -ENOENT;
		err = bpf_map__reuse_fd(m, bpf_map__fd(bpf_object__find_map_by_name(ev->obj,
										  names[i])));
		if (err)
			return err;
	}
	return 0;
}

/*
 * fentry programs are bound to their target at load time, so each callback
 * gets its own instance of callbacks.bpf.c (a separate bpf_object opened
 * from the same embedded ELF, sharing the events object's maps).  Loading
 * it IS the probe: if it fails, the callback falls back to kprobes: the
 * events object's kp_callback/kr_callback, one pair for any number of
 * callbacks, each attachment told its histogram slot by its cookie.
 */
enum it_mode_pref it_attach_cb_pref(enum it_mode_pref pref, const char *mod)
{
	return pref == IT_PREF_AUTO && mod && *mod ? IT_PREF_KPROBE : pref;
}

enum it_mode_pref it_attach_pref(enum it_mode_pref pref, const struct it_kernel *k)
{
	return pref == IT_PREF_AUTO && k->preempt_full ? IT_PREF_KPROBE : pref;
}

int it_attach_callback(struct it_attach *a, uint64_t cb, const char *sym, const char *mod,
		       struct it_cb_link *out, char *why, size_t whylen)
{
	enum it_mode_pref pref = it_attach_cb_pref(a->pref, mod);
	uint32_t slot = hist_cb_slot(a, cb);
	LIBBPF_OPTS(bpf_kprobe_opts, kopts);
	struct callbacks_bpf *c;
	int err;

	memset(out, 0, sizeof(*out));
	out->owner = a;
	why[0] = '\0';
	if (pref != IT_PREF_KPROBE) {
		c = callbacks_bpf__open();
		if (!c)
			return -errno;
		c->rodata->cfg = a->cfg;
		c->rodata->cfg.cb_slot = slot;
		err = reuse_maps(c->obj, a->ev);
		err = err ?: bpf_program__set_attach_target(c->progs.cb_fentry, 0, sym);
		err = err ?: bpf_program__set_attach_target(c->progs.cb_fexit, 0, sym);
		/* Timed by the chain: the entry alone (bpf/common.bpf.h) */
		bpf_program__set_autoload(c->progs.cb_fexit, !a->cfg.cb_chained);
		err = err ?: callbacks_bpf__load(c);
		if (!err) {
			out->links[0] = a->cfg.cb_chained ? NULL
					: bpf_program__attach_trace(c->progs.cb_fexit);
			out->links[1] = out->links[0] || a->cfg.cb_chained
					? bpf_program__attach_trace(c->progs.cb_fentry) : NULL;
			if (out->links[1]) {
				out->mode = IT_MODE_FENTRY;
				out->obj = c;
				return 0;
			}
			err = -errno;
			bpf_link__destroy(out->links[0]);
			out->links[0] = NULL;
		}
		snprintf(why, whylen, "fentry: %s", *it_libbpf_last_error() ?
			 it_libbpf_last_error() : strerror(-err));
		callbacks_bpf__destroy(c);
		if (pref == IT_PREF_FENTRY)
			return err ? err : -EINVAL;
	}

	/* Loaded with the events object unless fentry was forced. */
	if (bpf_program__fd(a->ev->progs.kp_callback) < 0) {
		snprintf(why + strlen(why), whylen - strlen(why), "%skprobe: not loaded",
			 *why ? "; " : "");
		return -ENOENT;
	}
	/* One program for every callback: the cookie says whose histogram. */
	kopts.bpf_cookie = slot;
	kopts.retprobe = true;
	out->links[0] = a->cfg.cb_chained ? NULL
			: bpf_program__attach_kprobe_opts(a->ev->progs.kr_callback, sym, &kopts);
	kopts.retprobe = false;
	out->links[1] = out->links[0] || a->cfg.cb_chained ?
		bpf_program__attach_kprobe_opts(a->ev->progs.kp_callback, sym, &kopts) : NULL;
	if (!out->links[1]) {
		err = -errno;
		bpf_link__destroy(out->links[0]);
		out->links[0] = NULL;
		snprintf(why + strlen(why), whylen - strlen(why), "%skprobe: %s", *why ? "; " : "",
			 strerror(-err));
		return err ? err : -EINVAL;
	}
	out->mode = IT_MODE_KPROBE;
	return 0;
}

/* Runs of obj's programs the kernel skipped (it_attach_skipped()). */
static uint64_t obj_skipped(struct bpf_object *obj)
{
	struct bpf_program *p;
	uint64_t n = 0;

	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}

void it_attach_callback_detach(struct it_cb_link *l)
{
	bpf_link__destroy(l->links[1]);
	bpf_link__destroy(l->links[0]);
	l->links[0] = l->links[1] = NULL;
	if (l->owner)
		l->owner->skipped_gone += (l->obj ? obj_skipped(l->obj->obj) : 0) +
					  (l->aobj ? obj_skipped(l->aobj->obj) : 0);
	if (l->obj)
		callbacks_bpf__destroy(l->obj);
	if (l->aobj)
		allocator_bpf__destroy(l->aobj);
	l->obj = NULL;
	l->aobj = NULL;
	l->mode = IT_MODE_NONE;
}

/*
 * A custom allocator's free: an allocator.bpf.c object of its own, maps
 * reused.  fentry (its target set before load) where it_attach_cb_pref()
 * allows it, else, or when that fails, the kprobe pair: a module's free
 * gets kprobes in --mode auto, as a module's callback does.  Exits are
 * attached before entries, so no call is left with an entry and no exit.
 */
int it_attach_allocator_free(struct it_attach *a, const char *sym, const char *mod,
			     struct it_cb_link *out, char *why, size_t whylen)
{
	enum it_mode_pref pref = it_attach_cb_pref(a->pref, mod);
	struct bpf_program *pe, *px;
	struct allocator_bpf *o;
	int err = 0, pass;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->owner = a;
	why[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		bool fentry = pass == 0;

		if (fentry ? pref == IT_PREF_KPROBE : pref == IT_PREF_FENTRY)
			continue;
		o = allocator_bpf__open();
		if (!o)
			return -errno;
		o->rodata->cfg = a->cfg;
		pe = fentry ? o->progs.af_fentry : o->progs.af_kprobe;
		px = fentry ? o->progs.af_fexit : o->progs.af_kretprobe;
		bpf_program__set_autoload(fentry ? o->progs.af_kprobe : o->progs.af_fentry, false);
		bpf_program__set_autoload(fentry ? o->progs.af_kretprobe : o->progs.af_fexit, false);
		err = reuse_maps(o->obj, a->ev);
		if (fentry) {
			err = err ?: bpf_program__set_attach_target(pe, 0, sym);
			err = err ?: bpf_program__set_attach_target(px, 0, sym);
		}
		err = err ?: allocator_bpf__load(o);
		if (!err) {
			out->links[0] = fentry ? bpf_program__attach_trace(px)
					: bpf_program__attach_kprobe(px, true, sym);
			out->links[1] = !out->links[0] ? NULL : fentry ? bpf_program__attach_trace(pe)
					: bpf_program__attach_kprobe(pe, false, sym);
			if (out->links[1]) {
				out->mode = fentry ? IT_MODE_FENTRY : IT_MODE_KPROBE;
				out->aobj = o;
				return 0;
			}
			err = -errno;
			bpf_link__destroy(out->links[0]);
			out->links[0] = NULL;
		}
		n = strlen(why);
		snprintf(why + n, whylen - n, "%s%s: %s", n ? "; " : "", fentry ? "fentry" : "kprobe",
			 *it_libbpf_last_error() ? it_libbpf_last_error() : strerror(-err));
		allocator_bpf__destroy(o);
	}
	return err ? err : -EINVAL;
}

/*
 * Every record from here on is of an operation that began with all of
 * its probes in place.  A store the programs see at their next load of
 * armed (the .bss is mmap()ed): ordered after the attaches before it.
 */
void it_attach_arm(struct it_attach *a)
{
	if (!a->ev || !a->ev->bss)
		return;
	__atomic_store_n(&a->ev->bss->armed, 1, __ATOMIC_SEQ_CST);
	a->armed = true;
}

void it_attach_disarm(struct it_attach *a)
{
	if (!a->ev || !a->ev->bss || !a->armed)
		return;
	__atomic_store_n(&a->ev->bss->armed, 0, __ATOMIC_SEQ_CST);
	a->armed = false;
}

uint64_t it_attach_rb_full(const struct it_attach *a)
{
	return __atomic_load_n(&a->ev->bss->rb_full, __ATOMIC_RELAXED);
}

uint64_t it_attach_inflight(const struct it_attach *a)
{
	if (!a->ev || !a->ev->bss)
		return 0;
	return __atomic_load_n(&a->ev->bss->inflight, __ATOMIC_SEQ_CST);
}

void it_attach_detach(struct it_attach *a)
{
	size_t i;

	/* No record may come from a call whose probes are going away. */
	it_attach_disarm(a);

	bpf_link__destroy(a->multi[1]);
	a->multi[1] = NULL;
	for (i = 0; i < a->rep.n; i++) {
		bpf_link__destroy(a->rep.pts[i].links[1]);
		a->rep.pts[i].links[1] = NULL;
	}
	for (i = 0; i < a->rep.n; i++) {
		bpf_link__destroy(a->rep.pts[i].links[0]);
		a->rep.pts[i].links[0] = NULL;
	}
	bpf_link__destroy(a->multi[0]);
	a->multi[0] = NULL;
}

void it_attach_close(struct it_attach *a)
{
	it_attach_detach(a);
	if (a->ev)
		events_bpf__destroy(a->ev);
	a->ev = NULL;
	if (kprobe_probe)
		probe_bpf__destroy(kprobe_probe);
	kprobe_probe = NULL;
	snapshot_put();
}

int it_attach_ringbuf_fd(const struct it_attach *a)
{
	return bpf_map__fd(a->ev->maps.events);
}

int it_attach_hists_fd(const struct it_attach *a)
{
	return bpf_map__fd(a->ev->maps.hists);
}

const struct it_hist_key *it_attach_hist_keys(const struct it_attach *a)
{
	return a->hist_keys;
}

uint64_t it_attach_skipped(const struct it_attach *a)
{
	return (a->ev ? obj_skipped(a->ev->obj) : 0) + a->skipped_gone;
}

int it_attach_read_stats(const struct it_attach *a, uint64_t out[IT_STAT__COUNT])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(a->ev->maps.stats), c;
	uint64_t *vals;
	__u32 k;

	memset(out, 0, sizeof(uint64_t) * IT_STAT__COUNT);
	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < IT_STAT__COUNT; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	out[IT_STAT_RB_FULL] = it_attach_rb_full(a);
	return 0;
}
