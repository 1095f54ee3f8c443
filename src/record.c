// SPDX-License-Identifier: GPL-2.0
/*
 * The record file writer: a pipeline consumer.  Events are re-encoded into
 * raw records (the inverse of decode.c), buffered in memory and deflated a
 * block (1 MiB raw) at a time at zlib level 1, so a full harness load is
 * written with one deflate call per ~7000 records instead of a write per
 * record.  The trailer (counts, lost, the callbacks' symbols) is written at
 * end(); see record.h for the layout.
 *
 * So that a writer killed with SIGKILL (or by the OOM killer) leaves
 * something to salvage (`--salvage`), each block is handed to the kernel
 * as soon as it is written, a block is closed early once its first record
 * is IT_REC_FLUSH_NS old (a slow trickle of events still reaches the file
 * within about a second), and the symbols a block's events named first
 * go out in a symbol block just before it (the trailer repeats them all).
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "attach.h"
#include "record.h"

_Static_assert(sizeof(struct it_rec_header) == 240, "record file header layout");
_Static_assert(sizeof(struct it_rec_block) == 24, "record file block layout");
_Static_assert(sizeof(struct it_rec_trailer) == 128, "record file trailer layout");
_Static_assert(IT_REC_BPF_STATS <= IT_STAT__COUNT, "the trailer's counters are enum it_stat's first");
_Static_assert(sizeof(struct it_rec_sym) == 200, "record file symbol layout");
_Static_assert(sizeof(struct it_rec_point) == 48, "record file attach point layout");
_Static_assert(IT_STAT__COUNT <= IT_REC_MAX_COUNTERS, "a counters block a reader accepts");

#define SYM_SLOTS	512	/* open addressing, power of two */

struct writer {
	FILE *f;
	char path[256];
	int fail_rc;
	int level;		/* the level asked for (it_record_writer_level) */
	int cur_level;		/* the level blocks are deflated at now */
	int next_level;		/* ... and from the next block on (adapt_level) */
	int err;		/* first errno */
	struct it_record *buf;
	size_t nbuf, capbuf;	/* records */
	unsigned char *zbuf;
	size_t zcap;
	z_stream z;
	bool z_ready;
	uint64_t records, meta, blocks;
	uint64_t start_ns;
	uint64_t block_ts;	/* ts_ns of the buffered block's first record */
	struct it_rec_sym *syms;	/* SYM_SLOTS, addr 0 = free */
	unsigned nsyms;
	struct it_rec_sym *pend;	/* noted since the last symbol block */
	unsigned npend;
};

void it_record_encode(const struct it_event *e, struct it_record *r)
{
	memset(r, 0, sizeof(*r));
	r->ts_ns = e->ts_ns;
	r->lat_ns = e->lat_ns;
	r->cb = e->cb;
	r->nb = e->nb;
	r->ptr = e->kind == IT_K_META_LOST ? e->lost : e->ptr;
	r->ret = e->ret;
	r->args = e->args;
	r->pid = e->pid;
	r->tid = e->tid;
	r->cpu = e->cpu;
	r->ioasid = e->ioasid;
	r->sid = e->sid;
	r->cmd = e->cmd;
	r->prio = e->prio;
	r->min = e->min;
	r->max = e->max;
	r->quota = e->quota;
	r->preempt_count = e->preempt_count;
	r->flags = e->flags;
	r->depth = e->depth;
	r->kind = (__u8)e->kind;
	r->phase = (__u8)e->phase;
	memcpy(r->comm, e->comm, IT_COMM_LEN);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void fail(struct writer *w, int err)
{
	if (!w->err)
		w->err = err ? err : EIO;
}

static void put(struct writer *w, const void *p, size_t n)
{
	if (!w->err && fwrite(p, 1, n, w->f) != n)
		fail(w, errno);
}

/* Deflate one payload and write it as a block. */
static void write_block(struct writer *w, char type, const void *raw, size_t raw_len,
			uint32_t nitems)
{
	struct it_rec_block b = { .tag = { 'I', 'T', type, type } };
	uLong bound;

	if (w->err)
		return;
	deflateReset(&w->z);
	if (w->next_level != w->cur_level &&
	    deflateParams(&w->z, w->next_level, Z_DEFAULT_STRATEGY) == Z_OK)
		w->cur_level = w->next_level;
	bound = deflateBound(&w->z, raw_len);
	if (bound > w->zcap) {
		unsigned char *z = realloc(w->zbuf, bound);

		if (!z)
			return fail(w, ENOMEM);
		w->zbuf = z;
		w->zcap = bound;
	}
	w->z.next_in = (Bytef *)raw;
	w->z.avail_in = raw_len;
	w->z.next_out = w->zbuf;
	w->z.avail_out = w->zcap;
	if (deflate(&w->z, Z_FINISH) != Z_STREAM_END)
		return fail(w, EIO);
	b.raw_len = raw_len;
	b.comp_len = w->zcap - w->z.avail_out;
	b.nitems = nitems;
	b.crc = crc32(0, w->zbuf, b.comp_len);
	b.header_crc = crc32(0, (const Bytef *)&b, offsetof(struct it_rec_block, header_crc));
	put(w, &b, sizeof(b));
	put(w, w->zbuf, b.comp_len);
	if (!w->err && fflush(w->f))
		fail(w, errno);
	w->blocks++;
}

/*
 * Keep pace before compressing.  Under load every record already costs a
 * decode and an encode on its way here; when deflating a block also takes
 * more than a quarter of the time its records span, the writer is on its
 * way to falling behind the ring buffer, where records would be lost.  The
 * next blocks are then stored (zlib level 0: still a checked zlib stream,
 * read the same way, 15 times larger), and compressed again once storing
 * one takes under 1/64 of its span.
 */
static void adapt_level(struct writer *w, uint64_t took_ns, uint64_t span_ns)
{
	if (w->cur_level != Z_NO_COMPRESSION && took_ns * 4 > span_ns)
		w->next_level = Z_NO_COMPRESSION;
	else if (w->cur_level == Z_NO_COMPRESSION && took_ns * 64 < span_ns)
		w->next_level = w->level;
}

static void flush_records(struct writer *w)
{
	uint64_t t0, first, last;

	if (!w->nbuf)
		return;
	if (w->npend)
		write_block(w, 'S', w->pend, w->npend * sizeof(*w->pend), w->npend);
	w->npend = 0;
	first = w->buf[0].ts_ns;
	last = w->buf[w->nbuf - 1].ts_ns;
	t0 = clock_ns(CLOCK_MONOTONIC);
	write_block(w, 'R', w->buf, w->nbuf * sizeof(*w->buf), w->nbuf);
	adapt_level(w, clock_ns(CLOCK_MONOTONIC) - t0, last > first ? last - first : 0);
	w->nbuf = 0;
}

/* The callbacks (and allocator frees) seen, for offline symbol lookup. */
static void note_symbol(struct writer *w, const struct it_event *e)
{
	unsigned h, i;

	if (!e->cb || !e->cb_sym || w->nsyms >= SYM_SLOTS / 2)
		return;
	h = (unsigned)((e->cb >> 4) * 0x9e3779b97f4a7c15ull >> 55) & (SYM_SLOTS - 1);
	for (i = 0; i < SYM_SLOTS; i++, h = (h + 1) & (SYM_SLOTS - 1)) {
		struct it_rec_sym *s = &w->syms[h];

		if (s->addr == e->cb)
			return;
		if (s->addr)
			continue;
		s->addr = e->cb;
		snprintf(s->name, sizeof(s->name), "%s", e->cb_sym);
		snprintf(s->mod, sizeof(s->mod), "%s", e->cb_mod ? e->cb_mod : "");
		w->nsyms++;
		w->pend[w->npend++] = *s;	/* at most SYM_SLOTS / 2, as nsyms */
		return;
	}
}

/*
 * What was attached, first thing after the header: without it check --input
 * cannot tell a point that saw nothing from one that was not there.
 */
static void write_attach_list(struct writer *w, const struct it_attach_report *rep)
{
	struct it_rec_point pts[IT_MAX_POINTS];
	size_t i;

	if (!rep || !rep->n)
		return;
	memset(pts, 0, sizeof(pts));
	for (i = 0; i < rep->n && i < IT_MAX_POINTS; i++) {
		const struct it_point_state *ps = &rep->pts[i];

		snprintf(pts[i].func, sizeof(pts[i].func), "%s", ps->func ? ps->func : "?");
		pts[i].kind = ps->kind;
		pts[i].mode = (__u8)ps->mode;
		pts[i].flags = (ps->required ? IT_REC_PT_REQUIRED : 0) |
			       (ps->present ? IT_REC_PT_PRESENT : 0) |
			       (ps->skipped ? IT_REC_PT_SKIPPED : 0);
	}
	write_block(w, 'A', pts, i * sizeof(pts[0]), (uint32_t)i);
}

static int rec_begin(struct it_consumer *c, const struct it_session_info *s)
{
	struct writer *w = c->priv;
	struct it_rec_header h = {
		.format_version = IT_REC_FORMAT_VERSION,
		.header_size = sizeof(h),
		.record_version = IT_RECORD_VERSION,
		.record_size = sizeof(struct it_record),
		.byte_order = IT_REC_BYTE_ORDER,
		.series = s->series_version,
		.ncpus = s->ncpus > 0 ? s->ncpus : 0,
		.start_ns = s->start_ns,
		.mono_to_real_ns = s->mono_to_real_ns,
	};

	memcpy(h.magic, IT_REC_MAGIC, sizeof(h.magic));
	if (s->live)
		h.boot_to_mono_ns = (int64_t)(clock_ns(CLOCK_BOOTTIME) - clock_ns(CLOCK_MONOTONIC));
	snprintf(h.tool_version, sizeof(h.tool_version), "%s",
		 argp_program_version ? argp_program_version : "ioasid-trace");
	snprintf(h.kernel_release, sizeof(h.kernel_release), "%s",
		 s->kernel_release ? s->kernel_release : "");
	gethostname(h.hostname, sizeof(h.hostname) - 1);
	h.header_crc = crc32(0, (const Bytef *)&h, offsetof(struct it_rec_header, header_crc));
	w->start_ns = s->start_ns;
	put(w, &h, sizeof(h));
	write_attach_list(w, s->attach);
	return w->err ? -w->err : 0;
}

static int rec_event(struct it_consumer *c, const struct it_event *e)
{
	struct writer *w = c->priv;

	if (w->err)
		return IT_CONSUME_OK;	/* reported once, at end() */
	if (!w->nbuf)
		w->block_ts = e->ts_ns;
	it_record_encode(e, &w->buf[w->nbuf++]);
	if (e->kind >= IT_K_META_ATTACHED)
		w->meta++;
	else
		w->records++;
	if (e->cb_sym)
		note_symbol(w, e);
	/* signed: records of different CPUs arrive a little out of order */
	if (w->nbuf == w->capbuf || (int64_t)(e->ts_ns - w->block_ts) > IT_REC_FLUSH_NS)
		flush_records(w);
	return IT_CONSUME_OK;
}

static int rec_end(struct it_consumer *c, const struct it_summary *s)
{
	struct writer *w = c->priv;
	struct it_rec_trailer *t;
	size_t len = sizeof(*t) + w->nsyms * sizeof(struct it_rec_sym), i, k = 0;
	unsigned char *p;

	flush_records(w);
	/* every counter, the ones added after the trailer's layout was fixed too */
	write_block(w, 'C', s->bpf_stats, sizeof(s->bpf_stats), IT_STAT__COUNT);
	p = calloc(1, len);
	if (!p) {
		fail(w, ENOMEM);
		goto out;
	}
	t = (struct it_rec_trailer *)p;
	t->records = w->records;
	t->meta = w->meta;
	t->lost = s->lost;
	t->bad = s->bad;
	t->unmatched = s->unmatched;
	memcpy(t->bpf_stats, s->bpf_stats, sizeof(t->bpf_stats));
	t->duration_ns = (uint64_t)(s->duration_s * 1e9);
	t->end_ns = w->start_ns + t->duration_ns;
	t->child_status = s->child_status;
	t->flags = s->lost ? IT_REC_F_LOST : 0;
	snprintf(t->stop_reason, sizeof(t->stop_reason), "%s",
		 s->stop_reason ? s->stop_reason : "");
	for (i = 0; i < SYM_SLOTS; i++)
		if (w->syms[i].addr)
			memcpy(p + sizeof(*t) + k++ * sizeof(struct it_rec_sym), &w->syms[i],
			       sizeof(struct it_rec_sym));
	write_block(w, 'T', p, len, w->nsyms);
	free(p);
out:
	if (w->f && fclose(w->f) && !w->err)
		fail(w, errno);
	w->f = NULL;
	if (w->err) {
		fprintf(stderr, "ioasid-trace: writing %s: %s\n", w->path, strerror(w->err));
		return w->fail_rc;
	}
	if (s->lost)
		fprintf(stderr, "ioasid-trace: warning: %llu records lost; %s says so\n",
			(unsigned long long)s->lost, w->path);
	return 0;
}

static void writer_free(struct writer *w)
{
	if (!w)
		return;
	if (w->f)
		fclose(w->f);
	if (w->z_ready)
		deflateEnd(&w->z);
	free(w->buf);
	free(w->zbuf);
	free(w->syms);
	free(w->pend);
	free(w);
}

static void rec_destroy(struct it_consumer *c)
{
	writer_free(c->priv);
	free(c);
}

static const struct it_consumer_ops rec_ops = {
	.name = "record",
	.begin = rec_begin,
	.event = rec_event,
	.end = rec_end,
	.destroy = rec_destroy,
};

struct it_consumer *it_record_writer_new(const char *path, int fail_rc, char *why, size_t n)
{
	struct it_consumer *c = calloc(1, sizeof(*c));
	struct writer *w = calloc(1, sizeof(*w));

	if (!c || !w)
		goto oom;
	w->fail_rc = fail_rc;
	w->level = w->cur_level = w->next_level = Z_BEST_SPEED;
	w->capbuf = IT_REC_BLOCK_RAW / sizeof(struct it_record);
	w->buf = malloc(w->capbuf * sizeof(*w->buf));
	w->syms = calloc(SYM_SLOTS, sizeof(*w->syms));
	w->pend = calloc(SYM_SLOTS / 2, sizeof(*w->pend));
	if (!w->buf || !w->syms || !w->pend)
		goto oom;
	if (deflateInit(&w->z, w->level) != Z_OK)
		goto oom;
	w->z_ready = true;
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->f = fopen(path, "wb");
	if (!w->f) {
		snprintf(why, n, "cannot write %s: %s", path, strerror(errno));
		writer_free(w);
		free(c);
		return NULL;
	}
	/* Blocks are written whole: a large stdio buffer saves nothing. */
	c->ops = &rec_ops;
	c->priv = w;
	return c;
oom:
	snprintf(why, n, "out of memory");
	writer_free(w);
	free(c);
	return NULL;
}

void it_record_writer_level(struct it_consumer *c, int level)
{
	struct writer *w = c->priv;

	if (deflateParams(&w->z, level, Z_DEFAULT_STRATEGY) == Z_OK)
		w->level = w->cur_level = w->next_level = level;
}

void it_record_writer_free(struct it_consumer *c)
{
	if (c)
		rec_destroy(c);
}
