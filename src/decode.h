/* SPDX-License-Identifier: GPL-2.0 */
/* raw records -> decoded events: the one place that interprets struct it_record. */
#ifndef IT_DECODE_H
#define IT_DECODE_H

#include <stddef.h>
#include "event.h"
#include "ksyms.h"

struct it_decoder {
	struct it_ksyms *ksyms;	/* may be NULL: addresses stay unresolved */
	uint64_t seq;
	/* Reload kallsyms when a newly registered callback or a free's
	 * allocator free is not found (a module loaded after start-up); set
	 * by the live session only.  Old tables are kept until
	 * it_decoder_fini() so earlier events' symbol pointers stay valid. */
	bool reload_on_miss;
	/* The last address a reload did not resolve either: not reloaded for
	 * again (every free names its allocator free). */
	uint64_t unresolved;
	const char *kallsyms_path;
	struct it_ksyms **retired;
	size_t nretired;
};

/* Frees ksyms and every table replaced by a reload. */
void it_decoder_fini(struct it_decoder *d);

/*
 * Decode one raw record.  Returns 0, or -EINVAL for a record of the wrong
 * size or an unknown kind/phase (a foreign or corrupt stream).
 */
int it_decode(struct it_decoder *d, const void *data, size_t size, struct it_event *e);

/* A meta event made by user space (attach/detach/lost), with a fresh seq. */
void it_decode_meta(struct it_decoder *d, struct it_event *e, enum it_kind kind,
		    uint64_t ts_ns);

/* Resolve e->cb into e->cb_sym / e->cb_mod. */
void it_decode_resolve(struct it_decoder *d, struct it_event *e);

#endif
