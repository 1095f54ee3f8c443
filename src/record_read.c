// SPDX-License-Identifier: GPL-2.0
/*
 * The record file reader.  The whole file is read and validated before the
 * first event is replayed (header, every block header and payload CRC,
 * block order, the trailer, the symbol table, the record count), so a
 * corrupt file is refused with one line and no partial output.  Replaying
 * then inflates one block per poll and hands each raw record to
 * it_pipeline_raw() (the one decoder), and each meta record to the
 * pipeline as the chain follower made it live.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>
#include "attach.h"
#include "record.h"

#define MAX_FILE	(1ull << 36)	/* 64 GiB: beyond that, a foreign file */

struct it_recfile {
	size_t maplen;		/* data is file_buf()'s mapping of this size; 0: malloc()'s */
	unsigned char *data;
	size_t len;
	struct it_rec_header hdr;
	struct it_rec_trailer tr;
	struct it_rec_sym *syms;	/* the trailer's table; a salvaged file's symbol blocks' */
	uint32_t nsyms;
	struct it_rec_sym *bsyms;	/* from the symbol blocks (format 2) */
	uint32_t nbsyms;
	size_t first_block;	/* offset */
	uint64_t nblocks;	/* record blocks */
	uint64_t nrec;		/* records in them */
	unsigned flags;		/* IT_RECFILE_* */
	struct it_rec_point points[IT_MAX_POINTS];	/* the attach list (format 4) */
	struct it_attach_report att;	/* ... as a live run's report (func into points) */
	bool has_att;
	uint64_t counters[IT_REC_MAX_COUNTERS];	/* the counters block (format 4) */
	uint32_t ncounters;
	bool has_counters;
	char cut[160];		/* salvaged: where and why the file stops; "" if complete */
};

static int why_set(char *why, size_t n, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return err;
}

static bool str_ok(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* A symbol or module name that kallsyms format can carry. */
static bool name_ok(const char *s, size_t n, bool may_be_empty)
{
	size_t i;

	if (!str_ok(s, n) || (!*s && !may_be_empty))
		return false;
	for (i = 0; s[i]; i++)
		if (s[i] <= ' ' || s[i] == '[' || s[i] == ']' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static int check_header(const struct it_recfile *f, char *why, size_t n)
{
	const struct it_rec_header *h = &f->hdr;

	if (f->len < sizeof(IT_REC_MAGIC) - 1 || memcmp(f->data, IT_REC_MAGIC, 8))
		return why_set(why, n, -EPROTO, "not an ioasid-trace recording (bad magic)");
	if (f->len < sizeof(*h))
		return why_set(why, n, -ENODATA, "truncated: %zu bytes, the header alone is %zu",
			       f->len, sizeof(*h));
	if (h->format_version > IT_REC_FORMAT_VERSION)
		return why_set(why, n, -EPROTO,
			       "file format version %u is newer than this tool reads (%u)",
			       h->format_version, IT_REC_FORMAT_VERSION);
	if (h->byte_order != IT_REC_BYTE_ORDER)
		return why_set(why, n, -EPROTO, "recorded on a host of the other byte order");
	if (h->header_crc != crc32(0, (const Bytef *)h, offsetof(struct it_rec_header, header_crc)))
		return why_set(why, n, -EBADMSG, "corrupt: header CRC mismatch");
	if (h->format_version < 1 || h->header_size != sizeof(*h))
		return why_set(why, n, -EPROTO, "unknown header (format version %u, %u bytes)",
			       h->format_version, h->header_size);
	if (h->record_version != IT_RECORD_VERSION || h->record_size != sizeof(struct it_record))
		return why_set(why, n, -EPROTO,
			       "record layout version %u (%u bytes); this tool reads version %u (%zu bytes)",
			       h->record_version, h->record_size, IT_RECORD_VERSION,
			       sizeof(struct it_record));
	if (!str_ok(h->tool_version, sizeof(h->tool_version)) ||
	    !str_ok(h->kernel_release, sizeof(h->kernel_release)) ||
	    !str_ok(h->hostname, sizeof(h->hostname)))
		return why_set(why, n, -EBADMSG, "corrupt: unterminated string in the header");
	return 0;
}

/* Block header at off: bounds, CRCs.  *blk gets a copy (off may be unaligned). */
static int check_block(const struct it_recfile *f, size_t off, uint64_t idx,
		       struct it_rec_block *blk, char *why, size_t n)
{
	if (f->len - off < sizeof(*blk))
		return why_set(why, n, -ENODATA, "truncated: block %llu header at offset %zu is cut off",
			       (unsigned long long)idx, off);
	memcpy(blk, f->data + off, sizeof(*blk));
	if (blk->header_crc != crc32(0, (const Bytef *)blk, offsetof(struct it_rec_block, header_crc)) ||
	    blk->tag[0] != 'I' || blk->tag[1] != 'T' || blk->tag[2] != blk->tag[3] ||
	    (blk->tag[2] != 'R' && blk->tag[2] != 'T' &&
	     (blk->tag[2] != 'S' || f->hdr.format_version < 2) &&
	     ((blk->tag[2] != 'A' && blk->tag[2] != 'C') || f->hdr.format_version < 4)))
		return why_set(why, n, -EBADMSG, "corrupt: block %llu at offset %zu has a bad header",
			       (unsigned long long)idx, off);
	if (blk->raw_len > IT_REC_BLOCK_MAX)
		return why_set(why, n, -EBADMSG, "corrupt: block %llu claims %u raw bytes",
			       (unsigned long long)idx, blk->raw_len);
	if (f->len - off - sizeof(*blk) < blk->comp_len)
		return why_set(why, n, -ENODATA,
			       "truncated: block %llu at offset %zu needs %u bytes, the file has %zu",
			       (unsigned long long)idx, off, blk->comp_len,
			       f->len - off - sizeof(*blk));
	if (blk->crc != crc32(0, f->data + off + sizeof(*blk), blk->comp_len))
		return why_set(why, n, -EBADMSG, "corrupt: block %llu at offset %zu fails its CRC",
			       (unsigned long long)idx, off);
	return 0;
}

/* One inflater per reader: set up once, reset per block. */
static int inflater_init(z_stream *zs)
{
	memset(zs, 0, sizeof(*zs));
	if (inflateInit(zs) != Z_OK)
		return -ENOMEM;
	return 0;
}

/*
 * Inflate one block into exactly raw_len bytes at dst, as strictly as
 * uncompress(): a zlib header zlib accepts, a stream that ends within
 * comp_len, neither more nor less output, and a matching adler32.  In one
 * call with Z_FINISH zlib writes straight to dst and keeps no window copy.
 */
static int inflate_block(z_stream *zs, const unsigned char *src, const struct it_rec_block *b,
			 void *dst)
{
	unsigned char none;

	if (inflateReset(zs) != Z_OK)
		return -EBADMSG;
	zs->next_in = (Bytef *)src;
	zs->avail_in = b->comp_len;
	zs->next_out = b->raw_len ? dst : &none;
	zs->avail_out = b->raw_len;
	/* Z_STREAM_END only after zlib has checked the stream's adler32 */
	if (inflate(zs, Z_FINISH) != Z_STREAM_END || zs->avail_out)
		return -EBADMSG;
	return 0;
}

/* A single block (the trailer), with an inflater of its own. */
static int inflate_once(const unsigned char *src, const struct it_rec_block *b, void *dst)
{
	z_stream zs;
	int err = inflater_init(&zs);

	if (err)
		return err;
	err = inflate_block(&zs, src, b, dst);
	inflateEnd(&zs);
	return err;
}

static bool sym_ok(const struct it_rec_sym *s)
{
	return s->addr && name_ok(s->name, IT_REC_SYM_LEN, false) &&
	       name_ok(s->mod, IT_REC_MOD_LEN, true);
}

/* A symbol block (format 2): its symbols appended to f->bsyms. */
static int read_sym_block(struct it_recfile *f, size_t off, const struct it_rec_block *b,
			  uint64_t idx, char *why, size_t n)
{
	struct it_rec_sym *all;
	uint32_t i;

	if (!b->nitems || b->nitems > IT_REC_MAX_SYMS - f->nbsyms ||
	    b->raw_len != (size_t)b->nitems * sizeof(struct it_rec_sym))
		return why_set(why, n, -EBADMSG, "corrupt: symbol block %llu of %u bytes with %u symbols",
			       (unsigned long long)idx, b->raw_len, b->nitems);
	all = realloc(f->bsyms, (f->nbsyms + b->nitems) * sizeof(*all));
	if (!all)
		return why_set(why, n, -ENOMEM, "out of memory");
	f->bsyms = all;
	if (inflate_once(f->data + off + sizeof(*b), b, all + f->nbsyms))
		return why_set(why, n, -EBADMSG, "corrupt: symbol block %llu does not inflate",
			       (unsigned long long)idx);
	for (i = 0; i < b->nitems; i++)
		if (!sym_ok(&all[f->nbsyms + i]))
			return why_set(why, n, -EBADMSG, "corrupt: symbol %u of block %llu", i,
				       (unsigned long long)idx);
	f->nbsyms += b->nitems;
	return 0;
}

/* The attach list (format 4): once, every name and mode valid. */
static int read_attach_block(struct it_recfile *f, size_t off, const struct it_rec_block *b,
			     uint64_t idx, char *why, size_t n)
{
	uint32_t i;

	if (f->has_att || !b->nitems || b->nitems > IT_MAX_POINTS ||
	    b->raw_len != (size_t)b->nitems * sizeof(struct it_rec_point))
		return why_set(why, n, -EBADMSG, "corrupt: attach list block %llu of %u bytes with %u points",
			       (unsigned long long)idx, b->raw_len, b->nitems);
	if (inflate_once(f->data + off + sizeof(*b), b, f->points))
		return why_set(why, n, -EBADMSG, "corrupt: attach list block %llu does not inflate",
			       (unsigned long long)idx);
	memset(&f->att, 0, sizeof(f->att));
	for (i = 0; i < b->nitems; i++) {
		const struct it_rec_point *p = &f->points[i];
		struct it_point_state *ps = &f->att.pts[i];

		if (!name_ok(p->func, sizeof(p->func), false) || p->mode > IT_MODE_KPROBE_MULTI ||
		    p->kind >= IT_K__BPF_MAX)
			return why_set(why, n, -EBADMSG, "corrupt: attach point %u of block %llu", i,
				       (unsigned long long)idx);
		ps->func = p->func;
		ps->what = "";
		ps->kind = p->kind;
		ps->mode = (enum it_mode)p->mode;
		ps->required = p->flags & IT_REC_PT_REQUIRED;
		ps->present = p->flags & IT_REC_PT_PRESENT;
		ps->skipped = p->flags & IT_REC_PT_SKIPPED;
	}
	f->att.n = b->nitems;
	f->has_att = true;
	return 0;
}

/* The counters block (format 4): once, at most IT_REC_MAX_COUNTERS. */
static int read_counters_block(struct it_recfile *f, size_t off, const struct it_rec_block *b,
			       uint64_t idx, char *why, size_t n)
{
	if (f->has_counters || !b->nitems || b->nitems > IT_REC_MAX_COUNTERS ||
	    b->raw_len != (size_t)b->nitems * sizeof(__u64))
		return why_set(why, n, -EBADMSG, "corrupt: counters block %llu of %u bytes with %u counters",
			       (unsigned long long)idx, b->raw_len, b->nitems);
	if (inflate_once(f->data + off + sizeof(*b), b, f->counters))
		return why_set(why, n, -EBADMSG, "corrupt: counters block %llu does not inflate",
			       (unsigned long long)idx);
	f->ncounters = b->nitems;
	f->has_counters = true;
	return 0;
}

static int check_trailer(struct it_recfile *f, size_t off, const struct it_rec_block *b,
			 uint64_t nrec, char *why, size_t n)
{
	unsigned char *raw;
	uint32_t i;
	int err;

	if (b->raw_len < sizeof(f->tr) || b->nitems > IT_REC_MAX_SYMS ||
	    b->raw_len != sizeof(f->tr) + (size_t)b->nitems * sizeof(struct it_rec_sym))
		return why_set(why, n, -EBADMSG, "corrupt: trailer of %u bytes with %u symbols",
			       b->raw_len, b->nitems);
	raw = malloc(b->raw_len);
	if (!raw)
		return why_set(why, n, -ENOMEM, "out of memory");
	if (inflate_once(f->data + off + sizeof(*b), b, raw)) {
		free(raw);
		return why_set(why, n, -EBADMSG, "corrupt: the trailer does not inflate");
	}
	memcpy(&f->tr, raw, sizeof(f->tr));
	f->nsyms = b->nitems;
	f->syms = calloc(f->nsyms ? f->nsyms : 1, sizeof(*f->syms));
	if (!f->syms) {
		free(raw);
		return why_set(why, n, -ENOMEM, "out of memory");
	}
	memcpy(f->syms, raw + sizeof(f->tr), f->nsyms * sizeof(*f->syms));
	free(raw);
	err = 0;
	for (i = 0; i < f->nsyms && !err; i++)
		if (!sym_ok(&f->syms[i]))
			err = why_set(why, n, -EBADMSG, "corrupt: symbol %u in the trailer", i);
	if (!err && !str_ok(f->tr.stop_reason, sizeof(f->tr.stop_reason)))
		err = why_set(why, n, -EBADMSG, "corrupt: unterminated stop reason in the trailer");
	if (!err && f->tr.records + f->tr.meta != nrec)
		err = why_set(why, n, -EBADMSG,
			      "corrupt: the trailer counts %llu records, the blocks hold %llu",
			      (unsigned long long)(f->tr.records + f->tr.meta),
			      (unsigned long long)nrec);
	return err;
}

/*
 * A file that stops short (no trailer, or a block cut off: its writer was
 * killed) is refused, unless IT_RECFILE_SALVAGE: then the complete blocks
 * before the cut are kept, each checked as usual, and the trailer is
 * replaced by what is known (nothing of losses, symbols, duration).  A
 * block that fails a check is corruption, not a cut: refused either way.
 */
static int salvage(struct it_recfile *f, int err, uint64_t blocks, uint64_t nrec, char *why,
		   size_t n)
{
	if (!(f->flags & IT_RECFILE_SALVAGE) || err != -ENODATA)
		return err;
	snprintf(f->cut, sizeof(f->cut), "%s", why && *why ? why : "truncated");
	if (why && n)
		why[0] = '\0';
	f->nblocks = blocks;
	f->nrec = nrec;
	/* the names the symbol blocks gave, in place of the trailer's table */
	f->syms = f->bsyms;
	f->nsyms = f->nbsyms;
	f->bsyms = NULL;
	f->nbsyms = 0;
	memset(&f->tr, 0, sizeof(f->tr));
	f->tr.child_status = -1;
	snprintf(f->tr.stop_reason, sizeof(f->tr.stop_reason), "did not finish");
	return 0;
}

static int parse(struct it_recfile *f, char *why, size_t n)
{
	struct it_rec_block b;
	size_t off;
	uint64_t idx = 0, rblocks = 0, nrec = 0;
	int err;

	memcpy(&f->hdr, f->data, f->len < sizeof(f->hdr) ? f->len : sizeof(f->hdr));
	err = check_header(f, why, n);
	if (err)
		return err;
	f->first_block = off = sizeof(f->hdr);
	for (;; idx++) {
		if (off == f->len)
			return salvage(f, why_set(why, n, -ENODATA,
						  "truncated: no trailer after %llu blocks (the recording did not finish)",
						  (unsigned long long)idx), rblocks, nrec, why, n);
		err = check_block(f, off, idx, &b, why, n);
		if (err)
			return salvage(f, err, rblocks, nrec, why, n);
		if (b.tag[2] == 'T')
			break;
		if (b.tag[2] == 'S' || b.tag[2] == 'A' || b.tag[2] == 'C') {
			err = b.tag[2] == 'S' ? read_sym_block(f, off, &b, idx, why, n)
			    : b.tag[2] == 'A' ? read_attach_block(f, off, &b, idx, why, n)
			    : read_counters_block(f, off, &b, idx, why, n);
			if (err)
				return err;
			off += sizeof(b) + b.comp_len;
			continue;
		}
		if (!b.nitems || (size_t)b.nitems * sizeof(struct it_record) != b.raw_len)
			return why_set(why, n, -EBADMSG,
				       "corrupt: block %llu holds %u bytes for %u records",
				       (unsigned long long)idx, b.raw_len, b.nitems);
		nrec += b.nitems;
		off += sizeof(b) + b.comp_len;
		rblocks++;
	}
	f->nblocks = rblocks;
	f->nrec = nrec;
	err = check_trailer(f, off, &b, nrec, why, n);
	if (err)
		return err;
	off += sizeof(b) + b.comp_len;
	if (off != f->len)
		return why_set(why, n, -EBADMSG, "corrupt: %zu bytes of garbage after the trailer",
			       f->len - off);
	return 0;
}

/*
 * A file's image is read whole into a private buffer (a snapshot: a file
 * changed while it is read cannot fault the reader, as a file mapping
 * could).  Large ones go in an anonymous mapping with huge pages asked
 * for: on a VM whose page faults are dear, reading a 155 MB recording
 * into 4 KiB pages took 0.9-1.0 s of kernel time, into 2 MiB ones mostly
 * 0.04-0.06 s; the whole `check --input` on it went from 1.2 s to 0.19-0.47 s.
 */
#define BIG_FILE	(8u << 20)

static unsigned char *file_buf(size_t len, size_t *maplen)
{
	void *p;

	*maplen = 0;
	if (len >= BIG_FILE) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED) {
			madvise(p, len, MADV_HUGEPAGE);	/* a hint: no huge pages is fine */
			*maplen = len;
			return p;
		}
	}
	return malloc(len ? len : 1);
}

static void file_buf_free(unsigned char *data, size_t maplen)
{
	if (maplen)
		munmap(data, maplen);
	else
		free(data);
}

void it_recfile_free(struct it_recfile *f)
{
	if (!f)
		return;
	file_buf_free(f->data, f->maplen);
	free(f->syms);
	free(f->bsyms);
	free(f);
}

/* len bytes of data are the image; maplen: as file_buf() set it (0: malloc()'s) */
static struct it_recfile *take(unsigned char *data, size_t len, size_t maplen, unsigned flags,
			       int *err, char *why, size_t n)
{
	struct it_recfile *f = calloc(1, sizeof(*f));

	if (!f) {
		file_buf_free(data, maplen);
		*err = why_set(why, n, -ENOMEM, "out of memory");
		return NULL;
	}
	f->data = data;
	f->maplen = maplen;
	f->len = len;
	f->flags = flags;
	*err = parse(f, why, n);
	if (*err) {
		it_recfile_free(f);
		return NULL;
	}
	return f;
}

static struct it_recfile *from_buffer(const void *data, size_t len, unsigned flags, int *err,
				      char *why, size_t n)
{
	unsigned char *copy = malloc(len ? len : 1);

	if (!copy) {
		*err = why_set(why, n, -ENOMEM, "out of memory");
		return NULL;
	}
	if (len)
		memcpy(copy, data, len);
	return take(copy, len, 0, flags, err, why, n);
}

struct it_recfile *it_recfile_from_buffer(const void *data, size_t len, unsigned flags,
					  char *why, size_t n)
{
	int err;

	return from_buffer(data, len, flags, &err, why, n);
}

struct it_recfile *it_recfile_open(const char *path, unsigned flags, char *why, size_t n)
{
	unsigned char *data = NULL;
	struct stat st;
	size_t len = 0, maplen;
	int err;
	FILE *fp = fopen(path, "rb");

	if (!fp) {
		why_set(why, n, -errno, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE) {
		fclose(fp);
		why_set(why, n, -EINVAL, "not a regular file of a plausible size");
		return NULL;
	}
	data = file_buf(st.st_size, &maplen);
	if (!data) {
		fclose(fp);
		why_set(why, n, -ENOMEM, "out of memory");
		return NULL;
	}
	len = fread(data, 1, st.st_size, fp);
	err = ferror(fp);
	fclose(fp);
	if (err) {
		file_buf_free(data, maplen);
		why_set(why, n, -EIO, "read error");
		return NULL;
	}
	return take(data, len, maplen, flags, &err, why, n);
}

const struct it_rec_header *it_recfile_header(const struct it_recfile *f)
{
	return &f->hdr;
}

const struct it_rec_trailer *it_recfile_trailer(const struct it_recfile *f)
{
	return &f->tr;
}

const char *it_recfile_cut(const struct it_recfile *f)
{
	return f->cut[0] ? f->cut : NULL;
}

uint64_t it_recfile_blocks(const struct it_recfile *f, uint64_t *records)
{
	if (records)
		*records = f->nrec;
	return f->nblocks;
}

struct it_ksyms *it_recfile_ksyms(const struct it_recfile *f)
{
	struct it_ksyms *ks;
	char *text = NULL;
	size_t len = 0;
	uint32_t i;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return NULL;
	/* kallsyms format: names were checked to hold no blanks or brackets */
	for (i = 0; i < f->nsyms; i++)
		fprintf(m, "%016llx t %s%s%s%s\n", (unsigned long long)f->syms[i].addr,
			f->syms[i].name, f->syms[i].mod[0] ? "\t[" : "", f->syms[i].mod,
			f->syms[i].mod[0] ? "]" : "");
	if (fflush(m)) {
		fclose(m);
		free(text);
		return NULL;
	}
	fclose(m);
	m = fmemopen(text, len ? len : 1, "r");
	ks = m ? it_ksyms_load_stream(m) : NULL;
	if (m)
		fclose(m);
	free(text);
	return ks;
}

void it_recfile_session_info(const struct it_recfile *f, struct it_session_info *info)
{
	info->kernel_release = f->hdr.kernel_release;
	info->series_version = f->hdr.series;
	info->mono_to_real_ns = f->hdr.mono_to_real_ns;
	info->start_ns = f->hdr.start_ns;
	info->ncpus = (int)f->hdr.ncpus;
	info->live = false;
	info->rec_format = f->hdr.format_version;
	info->attach = f->has_att ? &f->att : NULL;
	info->hist_map_fd = -1;
}

const struct it_attach_report *it_recfile_attach(const struct it_recfile *f)
{
	return f->has_att ? &f->att : NULL;
}

size_t it_recfile_counters(const struct it_recfile *f, uint64_t *out, size_t n)
{
	size_t i, have = f->has_counters ? f->ncounters : IT_REC_BPF_STATS;

	memset(out, 0, n * sizeof(*out));
	for (i = 0; i < n && i < have; i++)
		out[i] = f->has_counters ? f->counters[i] : f->tr.bpf_stats[i];
	return have;
}

/* ---- the source ------------------------------------------------------- */

struct file_src {
	struct it_recfile *f;
	size_t off;		/* next block */
	uint64_t block;
	struct it_record *buf;
	size_t cap;
	z_stream zs;
	bool zs_ready;
	bool has_filter;
	struct it_config filter;
	uint64_t last_ts;	/* the latest record time replayed */
	char why[160];
};

/* A meta record back into the event the chain follower made live. */
static int replay_meta(struct it_pipeline *p, const struct it_record *r)
{
	struct it_event e;

	if (r->kind == IT_K_META_LOST) {
		it_pipeline_lost(p, p->sum.lost + r->ptr, r->ts_ns);
		return p->err;
	}
	it_decode_meta(&p->dec, &e, r->kind, r->ts_ns);
	e.cb = r->cb;
	e.nb = r->nb;
	e.prio = r->prio;
	e.ret = r->ret;
	e.flags = r->flags;
	it_decode_resolve(&p->dec, &e);
	return it_pipeline_event(p, &e);
}

static int deliver(struct it_pipeline *p, const struct it_record *r, const struct file_src *fs)
{
	if (r->kind >= IT_K_META_ATTACHED && r->kind < IT_K__MAX && r->phase == IT_PH_POINT)
		return replay_meta(p, r);
	if (fs && fs->has_filter && !it_record_matches(&fs->filter, r))
		return 0;
	return it_pipeline_raw(p, r, sizeof(*r));	/* a bad kind is counted as bad there */
}

static int file_poll(struct it_source *s, int timeout_ms)
{
	struct file_src *fs = s->priv;
	struct it_recfile *f = fs->f;
	struct it_rec_block b;
	uint32_t i;
	int err;

	(void)timeout_ms;
	if (fs->block == f->nblocks)
		return -ENODATA;
	/* symbol, attach list, counters: read by parse(); records come only from R blocks */
	for (memcpy(&b, f->data + fs->off, sizeof(b)); b.tag[2] != 'R';
	     memcpy(&b, f->data + fs->off, sizeof(b)))
		fs->off += sizeof(b) + b.comp_len;
	if (b.raw_len > fs->cap * sizeof(*fs->buf)) {
		struct it_record *nb = realloc(fs->buf, b.raw_len);

		if (!nb)
			return -ENOMEM;
		fs->buf = nb;
		fs->cap = b.raw_len / sizeof(*nb);
	}
	if (!fs->zs_ready) {
		if (inflater_init(&fs->zs))
			return -ENOMEM;
		fs->zs_ready = true;
	}
	if (inflate_block(&fs->zs, f->data + fs->off + sizeof(b), &b, fs->buf)) {
		snprintf(fs->why, sizeof(fs->why), "corrupt: block %llu does not inflate",
			 (unsigned long long)fs->block);
		return -EBADMSG;
	}
	for (i = 0; i < b.nitems; i++) {
		if (fs->buf[i].ts_ns > fs->last_ts)
			fs->last_ts = fs->buf[i].ts_ns;
		err = deliver(s->pipe, &fs->buf[i], fs);
		if (err < 0)
			return err;
	}
	fs->off += sizeof(b) + b.comp_len;
	fs->block++;
	return (int)b.nitems;
}

static uint64_t file_lost(struct it_source *s)
{
	/* Losses are replayed in place, as META_LOST records. */
	return s->pipe->sum.lost;
}

static void file_destroy(struct it_source *s)
{
	struct file_src *fs = s->priv;

	if (fs->zs_ready)
		inflateEnd(&fs->zs);
	free(fs->buf);
	free(fs);
	free(s);
}

static const struct it_source_ops file_ops = {
	.poll = file_poll,
	.lost = file_lost,
	.destroy = file_destroy,
};

struct it_source *it_source_file(struct it_recfile *f, struct it_pipeline *p,
				 const struct it_config *filter)
{
	struct it_source *s = calloc(1, sizeof(*s));
	struct file_src *fs = calloc(1, sizeof(*fs));

	if (!s || !fs) {
		free(s);
		free(fs);
		return NULL;
	}
	fs->f = f;
	fs->off = f->first_block;
	if (filter) {
		fs->has_filter = true;
		fs->filter = *filter;
	}
	s->ops = &file_ops;
	s->pipe = p;
	s->priv = fs;
	return s;
}

const char *it_source_file_error(struct it_source *s)
{
	struct file_src *fs = s->priv;

	return fs->why[0] ? fs->why : "read error";
}

uint64_t it_source_file_last_ts(struct it_source *s)
{
	return ((struct file_src *)s->priv)->last_ts;
}

int it_record_read_buffer(const void *data, size_t len, unsigned flags, char *why, size_t n)
{
	struct it_pipeline p;
	struct it_recfile *f;
	struct it_source *s;
	char buf[160];
	int err;

	if (!why) {
		why = buf;
		n = sizeof(buf);
	}
	f = from_buffer(data, len, flags, &err, why, n);
	if (!f)
		return err;
	it_pipeline_init(&p);
	p.dec.ksyms = it_recfile_ksyms(f);
	it_recfile_session_info(f, &p.info);
	s = it_source_file(f, &p, NULL);
	err = s ? 0 : -ENOMEM;
	while (!err && (err = s->ops->poll(s, 0)) >= 0)
		err = 0;
	if (err == -ENODATA)
		err = 0;
	if (err == -EBADMSG)
		snprintf(why, n, "%s", it_source_file_error(s));
	if (s)
		s->ops->destroy(s);
	it_pipeline_fini(&p);
	it_recfile_free(f);
	return err;
}
