// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "decode.h"

static const char *const kind_names[IT_K__MAX] = {
	[IT_K_NONE] = "none",
	[IT_K_ALLOC] = "alloc",
	[IT_K_FREE] = "free",
	[IT_K_FREE_LOCKED] = "free_locked",
	[IT_K_ALLOCATOR_FREE] = "allocator_free",
	[IT_K_NOTIFY] = "notify",
	[IT_K_CHAIN] = "chain",
	[IT_K_CALLBACK] = "callback",
	[IT_K_ADD_NOTIFIER] = "add_notifier",
	[IT_K_REMOVE_NOTIFIER] = "remove_notifier",
	[IT_K_ALLOC_SET] = "alloc_set",
	[IT_K_FREE_SET] = "free_set",
	[IT_K_ATTACH_DATA] = "attach_data",
	[IT_K_ALLOCATOR_ALLOC] = "allocator_alloc",
	[IT_K_META_ATTACHED] = "cb_attached",
	[IT_K_META_DETACHED] = "cb_detached",
	[IT_K_META_LOST] = "lost",
	[IT_K_META_ALLOCATOR] = "allocator_attached",
};

const char *it_kind_name(enum it_kind k)
{
	if ((unsigned)k < IT_K__MAX && kind_names[k])
		return kind_names[k];
	return "?";
}

int it_kind_from_name(const char *name)
{
	int k;

	for (k = 0; k < IT_K__MAX; k++)
		if (kind_names[k] && !strcmp(kind_names[k], name))
			return k;
	return -1;
}

const char *it_phase_name(enum it_phase p)
{
	switch (p) {
	case IT_PH_ENTER: return "enter";
	case IT_PH_EXIT: return "exit";
	default: return "point";
	}
}

static const char *const cmd_names[] = { NULL, "ALLOC", "FREE", "BIND", "UNBIND" };

const char *it_cmd_name(uint32_t cmd)
{
	return cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ? cmd_names[cmd] : NULL;
}

int it_cmd_from_name(const char *name)
{
	unsigned i;
	char *end;
	long v;

	for (i = 1; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (!strcasecmp(name, cmd_names[i]) ||
		    (!strncasecmp(name, "IOASID_", 7) && !strcasecmp(name + 7, cmd_names[i])))
			return (int)i;
	v = strtol(name, &end, 0);
	if (*name && !*end && v > 0 && v < 0x10000)
		return (int)v;
	return -1;
}

const char *it_notify_ret_name(int64_t ret)
{
	switch (ret) {
	case 0x0000: return "NOTIFY_DONE";
	case 0x0001: return "NOTIFY_OK";
	case 0x8001: return "NOTIFY_STOP";	/* NOTIFY_OK | NOTIFY_STOP_MASK */
	case 0x8002: return "NOTIFY_BAD";	/* NOTIFY_STOP_MASK | 0x0002 */
	default: return NULL;
	}
}

void it_decode_resolve(struct it_decoder *d, struct it_event *e)
{
	const struct it_ksym *s;
	uint64_t off = 0;

	e->cb_sym = e->cb_mod = NULL;
	if (!e->cb || !d->ksyms)
		return;
	s = it_ksyms_by_addr(d->ksyms, e->cb, &off);
	if ((!s || off) && d->reload_on_miss && e->cb != d->unresolved &&
	    (e->kind == IT_K_ADD_NOTIFIER || it_kind_is_op(e->kind)) &&
	    e->phase == IT_PH_ENTER) {
		/* A callback or an allocator of a module loaded after start-up. */
		struct it_ksyms *fresh = it_ksyms_load(d->kallsyms_path);
		struct it_ksyms **r = realloc(d->retired, (d->nretired + 1) * sizeof(*r));

		if (fresh && r) {
			d->retired = r;
			d->retired[d->nretired++] = d->ksyms;
			d->ksyms = fresh;
			s = it_ksyms_by_addr(d->ksyms, e->cb, &off);
			if (!s || off)
				d->unresolved = e->cb;
		} else {
			it_ksyms_free(fresh);
			if (r)
				d->retired = r;
		}
	}
	if (s && !off) {
		e->cb_sym = s->name;
		e->cb_mod = s->mod;
	}
}

void it_decoder_fini(struct it_decoder *d)
{
	size_t i;

	for (i = 0; i < d->nretired; i++)
		it_ksyms_free(d->retired[i]);
	free(d->retired);
	it_ksyms_free(d->ksyms);
	d->retired = NULL;
	d->nretired = 0;
	d->ksyms = NULL;
}

/*
 * Copied over each event before its fields are filled, so what no field
 * sets (padding included) is zero.  GCC turns memset(e, 0, 200) into a
 * `rep stosq`, whose start-up cost was half of the decoder's time; the
 * copy of a zero object is 13 vector moves.
 */
static const struct it_event zero_event;

int it_decode(struct it_decoder *d, const void *data, size_t size, struct it_event *e)
{
	const struct it_record *r = data;

	if (size != sizeof(*r))
		return -EINVAL;
	if (r->kind == IT_K_NONE || r->kind >= IT_K__BPF_MAX || r->phase > IT_PH_EXIT)
		return -EINVAL;

	*e = zero_event;
	e->seq = ++d->seq;
	e->ts_ns = r->ts_ns;
	e->lat_ns = (r->phase == IT_PH_EXIT && !(r->flags & IT_F_UNMATCHED)) ? r->lat_ns : 0;
	e->cpu = r->cpu;
	e->pid = r->pid;
	e->tid = r->tid;
	memcpy(e->comm, r->comm, IT_COMM_LEN);
	e->comm[IT_COMM_LEN] = '\0';
	e->kind = r->kind;
	e->phase = r->phase;
	e->flags = r->flags;
	e->depth = r->depth;

	e->ioasid = (r->flags & IT_F_HAS_ID) ? r->ioasid : IT_NO_ID;
	e->sid = (r->flags & IT_F_HAS_SID) ? r->sid : IT_NO_SID;
	e->cmd = (r->flags & IT_F_HAS_CMD) ? r->cmd : 0;
	e->ret = (r->flags & IT_F_HAS_RET) ? r->ret : 0;
	e->cb = r->cb;
	e->nb = r->nb;
	e->prio = r->prio;
	e->ptr = r->ptr;
	e->min = r->min;
	e->max = r->max;
	e->quota = r->quota;
	if (r->flags & IT_F_HAS_ARGS)
		e->args = r->args;
	e->preempt_count = (r->flags & IT_F_PREEMPT_KNOWN) ? r->preempt_count : 0;
	it_decode_resolve(d, e);
	return 0;
}

void it_decode_meta(struct it_decoder *d, struct it_event *e, enum it_kind kind,
		    uint64_t ts_ns)
{
	memset(e, 0, sizeof(*e));
	e->seq = ++d->seq;
	e->ts_ns = ts_ns;
	e->kind = kind;
	e->phase = IT_PH_POINT;
	e->ioasid = IT_NO_ID;
	e->sid = IT_NO_SID;
}
