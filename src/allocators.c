// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "allocators.h"

/*
 * Stamped when the attach returned, with the chain follower's clock
 * (it_mono_ns): the free's calls are traced from then on, and the
 * records still queued from before it carry earlier times.
 */
static void announce(struct it_allocators *al, const struct it_allocator_fn *f)
{
	struct it_pipeline *p = al->consumer.pipe;
	struct it_event e;

	if (!p)
		return;
	it_decode_meta(&p->dec, &e, IT_K_META_ALLOCATOR, it_mono_ns());
	e.cb = f->fn;
	e.cb_sym = f->sym[0] ? f->sym : NULL;
	e.cb_mod = f->mod[0] ? f->mod : NULL;
	e.ret = f->err;
	if (f->err)
		e.flags |= IT_F_HAS_RET;
	it_pipeline_event(p, &e);
}

/* Trace fn (named sym [mod], "" if it has no symbol) once, however often it is met. */
static void follow(struct it_allocators *al, uint64_t fn, const char *sym, const char *mod)
{
	struct it_allocator_fn *f;
	int i;

	if (al->closed || !fn || fn == al->default_free)
		return;
	for (i = 0; i < al->n; i++)
		if (al->fns[i].fn == fn)
			return;
	if (al->n == IT_ALLOCATORS_MAX) {
		/* check then names each free it could not see: never a pass */
		if (!al->full)
			fprintf(al->diag, "ioasid-trace: warning: more than %d allocator frees, "
				"the rest are not traced\n", IT_ALLOCATORS_MAX);
		al->full = true;
		return;
	}
	f = &al->fns[al->n++];
	memset(f, 0, sizeof(*f));
	f->fn = fn;
	snprintf(f->sym, sizeof(f->sym), "%s", sym ? sym : "");
	snprintf(f->mod, sizeof(f->mod), "%s", mod ? mod : "");
	if (!f->sym[0]) {
		snprintf(f->why, sizeof(f->why), "no symbol for 0x%llx", (unsigned long long)fn);
		f->err = -ENOENT;
	} else {
		f->err = it_attach_allocator_free(al->a, f->sym, f->mod[0] ? f->mod : NULL, &f->link,
						  f->why, sizeof(f->why));
	}
	if (f->err)
		fprintf(al->diag, "ioasid-trace: warning: allocator free %s not traced: %s\n",
			f->sym[0] ? f->sym : "?", f->why);
	else if (al->verbose)
		fprintf(al->diag, "ioasid-trace: tracing allocator free %s%s%s%s (%s)\n", f->sym,
			f->mod[0] ? " [" : "", f->mod, f->mod[0] ? "]" : "",
			it_mode_name(f->link.mode));
	announce(al, f);
}

void it_allocators_seed(struct it_allocators *al, const struct it_kernel *k)
{
	struct it_pipeline *p = al->consumer.pipe;
	struct it_event e = { .cb = k->allocator_free, .kind = IT_K_FREE_LOCKED,
			      .phase = IT_PH_ENTER };
	size_t i;

	al->default_free = k->default_free_addr;
	if (!p || !al->a->cfg.emit_events)
		return;
	/*
	 * default_free is an attach point, traced from before this: said
	 * too, so check (live or from a recording) knows a default free that
	 * never runs is the kernel's doing, not an unseen one.
	 */
	for (i = 0; i < al->a->rep.n; i++) {
		const struct it_point_state *ps = &al->a->rep.pts[i];
		struct it_allocator_fn d = { .fn = ps->addr };

		if (ps->kind != IT_K_ALLOCATOR_FREE || ps->mode == IT_MODE_NONE || ps->skipped ||
		    !ps->addr)
			continue;
		snprintf(d.sym, sizeof(d.sym), "%s", ps->func);
		announce(al, &d);
	}
	/* A free's allocator may be a module loaded after start-up. */
	p->dec.reload_on_miss = true;
	if (!k->allocator_free)
		return;
	it_decode_resolve(&p->dec, &e);
	follow(al, e.cb, e.cb_sym, e.cb_mod);
}

static int allocators_event(struct it_consumer *cons, const struct it_event *e)
{
	struct it_allocators *al = cons->priv;

	/* Every free path says which free it will call (bpf/common.bpf.h). */
	if (it_kind_is_op(e->kind) && e->phase == IT_PH_ENTER && e->cb)
		follow(al, e->cb, e->cb_sym, e->cb_mod);
	return IT_CONSUME_OK;
}

static const struct it_consumer_ops allocators_ops = {
	.name = "allocator-follower",
	.event = allocators_event,
};

void it_allocators_init(struct it_allocators *al, struct it_attach *a, FILE *diag, int verbose)
{
	memset(al, 0, sizeof(*al));
	al->a = a;
	al->diag = diag;
	al->verbose = verbose;
	al->consumer.ops = &allocators_ops;
	al->consumer.priv = al;
}

void it_allocators_fini(struct it_allocators *al)
{
	int i;

	for (i = 0; i < al->n; i++)
		if (al->fns[i].link.mode != IT_MODE_NONE)
			it_attach_callback_detach(&al->fns[i].link);
	al->closed = true;
}
