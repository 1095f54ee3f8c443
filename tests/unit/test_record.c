// SPDX-License-Identifier: GPL-2.0
/*
 * Record files: encode/decode round trip, write then replay through the
 * pipeline, rejection of foreign/newer/truncated/corrupt files (never a
 * crash), the recorded corpus through the checker (no VM), the writer's
 * throughput.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include "attach.h"
#include "check/check.h"
#include "commands.h"
#include "record.h"
#include "replay.h"

static char tmp[] = "/tmp/it-test-record-XXXXXX";
static char path[300];

static const char *data_dir(void)
{
	static char dir[256];
	const char *d = getenv("IT_TESTDATA");

	/* tests/unit/data -> tests/data (the recorded corpus) */
	snprintf(dir, sizeof(dir), "%s/../../data", d ? d : "tests/unit/data");
	return dir;
}

static struct it_event ev(uint64_t ts, enum it_kind k, enum it_phase ph, uint32_t tid)
{
	struct it_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = ts;
	e.kind = k;
	e.phase = ph;
	e.pid = 100;
	e.tid = tid;
	e.cpu = 1;
	e.depth = 1;
	e.ioasid = IT_NO_ID;
	e.sid = IT_NO_SID;
	e.flags = IT_F_LOCK_HELD | IT_F_MAY_SLEEP | IT_F_PREEMPT_KNOWN;
	e.preempt_count = 1;
	strcpy(e.comm, "bash");
	return e;
}

/* A small story: a callback attached, alloc, a BIND chain with a callback,
 * free, a loss.  Fed to a pipeline as the live session would. */
static int feed_story(struct it_pipeline *p)
{
	struct it_event e;

	it_decode_meta(&p->dec, &e, IT_K_META_ATTACHED, 1000);
	e.cb = 0xffffffffc0001000ull;
	e.cb_sym = "harness_kvm_notify";
	e.cb_mod = "ioasid_harness";
	e.nb = 0xffff888000001000ull;
	e.flags |= IT_F_HAS_CB;
	it_pipeline_event(p, &e);

	e = ev(2000, IT_K_ALLOC, IT_PH_ENTER, 7);
	e.flags |= IT_F_HAS_SID;
	e.sid = 1;
	e.min = 1;
	e.max = 100;
	e.ptr = 0xffff888000abc000ull;
	it_pipeline_event(p, &e);
	e.phase = IT_PH_EXIT;
	e.ts_ns = 2500;
	e.lat_ns = 500;
	e.flags |= IT_F_HAS_RET;
	e.ret = 5;
	it_pipeline_event(p, &e);

	e = ev(3000, IT_K_CHAIN, IT_PH_ENTER, 7);
	e.flags |= IT_F_HAS_CMD | IT_F_HAS_ARGS | IT_F_HAS_ID;
	e.cmd = IT_CMD_BIND;
	e.ioasid = 5;
	e.args = (struct it_nb_args){ 5, 1, 0x1234, 0xffff888000abc000ull };
	it_pipeline_event(p, &e);
	e.kind = IT_K_CALLBACK;
	e.depth = 2;
	e.ts_ns = 3100;
	e.flags |= IT_F_HAS_CB;
	e.cb = 0xffffffffc0001000ull;
	e.nb = 0xffff888000001000ull;
	e.prio = 10;
	it_pipeline_event(p, &e);
	e.phase = IT_PH_EXIT;
	e.ts_ns = 3300;
	e.lat_ns = 200;
	e.flags |= IT_F_HAS_RET;
	e.ret = 1;
	it_pipeline_event(p, &e);
	e.kind = IT_K_CHAIN;
	e.depth = 1;
	e.ts_ns = 3400;
	e.lat_ns = 400;
	e.flags &= ~IT_F_HAS_CB;
	e.cb = e.nb = 0;
	e.prio = 0;
	it_pipeline_event(p, &e);

	it_pipeline_lost(p, 3, 3500);
	return 0;
}

/* What a live run attached: three points, all of them (tests change it). */
static struct it_attach_report rep;

static void rep_reset(void)
{
	memset(&rep, 0, sizeof(rep));
	rep.pts[0] = (struct it_point_state){ .func = "ioasid_alloc", .kind = IT_K_ALLOC,
					      .mode = IT_MODE_FENTRY, .present = true };
	rep.pts[1] = (struct it_point_state){ .func = "ioasid_notify", .kind = IT_K_NOTIFY,
					      .mode = IT_MODE_KPROBE, .present = true,
					      .required = true };
	rep.pts[2] = (struct it_point_state){ .func = "ioasid_free_set", .kind = IT_K_FREE_SET,
					      .mode = IT_MODE_KPROBE_MULTI, .present = true };
	rep.n = 3;
}

static struct it_pipeline *make_pipe(void)
{
	struct it_pipeline *p = calloc(1, sizeof(*p));

	it_pipeline_init(p);
	p->info = (struct it_session_info){
		.kernel_release = "6.1.0-test", .series_version = 1, .mono_to_real_ns = 42,
		.start_ns = 500, .ncpus = 2, .live = true, .hist_map_fd = -1,
		.attach = rep.n ? &rep : NULL,
	};
	return p;
}

/* The story recorded into file, ending with these BPF counters and duration. */
static void write_story_as(const char *file, const uint64_t *stats, double duration_s)
{
	struct it_pipeline *p = make_pipe();
	struct it_consumer *c;
	char why[200] = "";

	c = it_record_writer_new(file, 7, why, sizeof(why));
	assert_non_null(c);
	it_pipeline_add(p, c);
	assert_int_equal(it_pipeline_begin(p), 0);
	feed_story(p);
	memcpy(p->sum.bpf_stats, stats, sizeof(p->sum.bpf_stats));
	p->sum.duration_s = duration_s;
	p->sum.child_status = 0;
	p->sum.stop_reason = "command exited";
	assert_int_equal(it_pipeline_end(p), 0);
	it_pipeline_fini(p);
	free(p);
}

static void write_story(const char *file)
{
	static const uint64_t none[IT_STAT__COUNT];

	write_story_as(file, none, 1.5);
}

static void *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	void *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

/* ---- a consumer that keeps what it sees ------------------------------- */

struct seen {
	struct it_event ev[64];
	char sym[64][64], mod[64][64];	/* the decoder's strings die with it */
	int n;
	struct it_summary sum;
};

static int seen_event(struct it_consumer *c, const struct it_event *e)
{
	struct seen *s = c->priv;

	if (s->n < 64) {
		s->ev[s->n] = *e;
		snprintf(s->sym[s->n], sizeof(s->sym[0]), "%s", e->cb_sym ? e->cb_sym : "");
		snprintf(s->mod[s->n], sizeof(s->mod[0]), "%s", e->cb_mod ? e->cb_mod : "");
		s->n++;
	}
	return 0;
}

static int seen_end(struct it_consumer *c, const struct it_summary *sum)
{
	((struct seen *)c->priv)->sum = *sum;
	return 0;
}

static const struct it_consumer_ops seen_ops = {
	.name = "seen", .event = seen_event, .end = seen_end,
};

static void test_encode_decode(void **state)
{
	struct it_decoder d = { 0 };
	struct it_event e = ev(123, IT_K_CALLBACK, IT_PH_EXIT, 9), back;
	struct it_record r;

	e.flags |= IT_F_HAS_ID | IT_F_HAS_CMD | IT_F_HAS_ARGS | IT_F_HAS_RET | IT_F_HAS_CB;
	e.ioasid = 77;
	e.cmd = IT_CMD_UNBIND;
	e.ret = 0x8001;
	e.cb = 0xa000;
	e.nb = 0xb000;
	e.prio = -3;
	e.lat_ns = 999;
	e.args = (struct it_nb_args){ 77, 2, 3, 4 };
	e.depth = 3;
	e.seq = 1;
	it_record_encode(&e, &r);
	assert_int_equal(it_decode(&d, &r, sizeof(r), &back), 0);
	assert_memory_equal(&e, &back, sizeof(e));	/* seq 1 from a fresh decoder too */
	it_decoder_fini(&d);
}

static void test_write_replay(void **state)
{
	struct it_recfile *f;
	const struct it_rec_header *h;
	const struct it_rec_trailer *t;
	struct it_session_spec spec = { 0 };
	struct it_options o = { 0 };
	struct seen s = { 0 };
	struct it_consumer c = { .ops = &seen_ops, .priv = &s };
	char why[200] = "";

	write_story(path);
	f = it_recfile_open(path, 0, why, sizeof(why));
	assert_non_null(f);
	h = it_recfile_header(f);
	t = it_recfile_trailer(f);
	assert_string_equal(h->kernel_release, "6.1.0-test");
	assert_int_equal(h->series, 1);
	assert_int_equal(h->start_ns, 500);
	assert_int_equal(h->ncpus, 2);
	assert_int_equal(h->record_version, IT_RECORD_VERSION);
	assert_int_equal(t->records, 6);
	assert_int_equal(t->meta, 2);
	assert_int_equal(t->lost, 3);
	assert_true(t->flags & IT_REC_F_LOST);
	assert_string_equal(t->stop_reason, "command exited");
	it_recfile_free(f);

	spec.o = &o;
	spec.cons[spec.ncons++] = &c;
	assert_int_equal(it_replay_run(&spec, path), 0);
	assert_int_equal(s.n, 8);
	assert_int_equal(s.ev[0].kind, IT_K_META_ATTACHED);
	assert_string_equal(s.sym[0], "harness_kvm_notify");
	assert_int_equal(s.ev[2].ret, 5);
	assert_int_equal(s.ev[4].kind, IT_K_CALLBACK);
	/* symbols come from the file's table, not the host */
	assert_string_equal(s.sym[4], "harness_kvm_notify");
	assert_string_equal(s.mod[4], "ioasid_harness");
	assert_int_equal(s.ev[4].args.set_token, 0x1234);
	assert_int_equal(s.ev[7].kind, IT_K_META_LOST);
	assert_int_equal(s.ev[7].lost, 3);
	assert_int_equal(s.sum.lost, 3);
	assert_int_equal(s.sum.events, 6);
	assert_float_equal(s.sum.duration_s, 1.5, 1e-9);

	/* the filters of trace, applied to the records (meta events pass) */
	memset(&s, 0, sizeof(s));
	o.has_cmd = true;
	o.cmd = IT_CMD_BIND;
	assert_int_equal(it_replay_run(&spec, path), 0);
	assert_int_equal(s.n, 6);	/* attached, 4 BIND chain/callback, lost */
}

/* ---- bad input: one line, a negative error, no crash ------------------- */

static int read_buf(const void *b, size_t n, char *why)
{
	int err;

	why[0] = '\0';
	err = it_record_read_buffer(b, n, 0, why, 200);
	if (err)
		assert_null(strchr(why, '\n'));
	return err;
}

static void refresh_header_crc(unsigned char *b)
{
	struct it_rec_header *h = (struct it_rec_header *)b;

	h->header_crc = crc32(0, b, offsetof(struct it_rec_header, header_crc));
}

static void test_bad_files(void **state)
{
	unsigned char *img, *b;
	size_t len, i;
	char why[200];

	write_story(path);
	img = slurp(path, &len);
	b = malloc(len);
	assert_int_equal(read_buf(img, len, why), 0);

	memcpy(b, img, len);
	memcpy(b, "GARBAGE!", 8);
	assert_int_equal(read_buf(b, len, why), -EPROTO);
	assert_non_null(strstr(why, "bad magic"));

	memcpy(b, img, len);
	((struct it_rec_header *)b)->format_version = 99;
	refresh_header_crc(b);
	assert_int_equal(read_buf(b, len, why), -EPROTO);
	assert_non_null(strstr(why, "newer"));

	memcpy(b, img, len);
	((struct it_rec_header *)b)->record_version = IT_RECORD_VERSION + 1;
	refresh_header_crc(b);
	assert_int_equal(read_buf(b, len, why), -EPROTO);
	assert_non_null(strstr(why, "record layout"));

	memcpy(b, img, len);
	((struct it_rec_header *)b)->ncpus ^= 1;	/* without fixing the CRC */
	assert_int_equal(read_buf(b, len, why), -EBADMSG);
	assert_non_null(strstr(why, "header CRC"));

	/* every truncation, from empty to one byte short */
	for (i = 0; i < len; i++) {
		int err = read_buf(img, i, why);

		assert_true(err == -ENODATA || err == -EPROTO);
		assert_true(why[0]);
	}
	assert_int_equal(read_buf(img, len - 1, why), -ENODATA);
	assert_non_null(strstr(why, "truncated"));

	/* every single-byte corruption after the header is caught by a CRC */
	for (i = sizeof(struct it_rec_header); i < len; i++) {
		memcpy(b, img, len);
		b[i] ^= 0x40;
		assert_int_not_equal(read_buf(b, len, why), 0);
	}
	memcpy(b, img, len);
	b[sizeof(struct it_rec_header) + sizeof(struct it_rec_block) + 3] ^= 1;
	assert_int_equal(read_buf(b, len, why), -EBADMSG);
	assert_non_null(strstr(why, "CRC"));

	/* garbage after the trailer */
	{
		unsigned char *g = malloc(len + 5);

		memcpy(g, img, len);
		memset(g + len, 0xaa, 5);
		assert_int_equal(read_buf(g, len + 5, why), -EBADMSG);
		assert_non_null(strstr(why, "garbage"));
		free(g);
	}
	/* random bytes, with and without our magic in front */
	srand(1);
	for (i = 0; i < 2000; i++) {
		size_t n = rand() % len, k;

		for (k = 0; k < n; k++)
			b[k] = rand();
		if (i & 1 && n >= 8)
			memcpy(b, IT_REC_MAGIC, 8);
		assert_int_not_equal(read_buf(b, n, why), 0);
	}
	free(b);
	free(img);
}

/* ---- salvage: a recording whose writer was killed ----------------------- */

/*
 * n allocations 0.6 s apart: the writer closes a block once its first
 * record is a second old, so the file has blocks of a few records each.
 */
static void write_blocks(const char *file, int n)
{
	struct it_pipeline *p = make_pipe();
	struct it_consumer *c;
	struct it_event e;
	char why[200] = "";
	int i;

	c = it_record_writer_new(file, 7, why, sizeof(why));
	assert_non_null(c);
	it_pipeline_add(p, c);
	assert_int_equal(it_pipeline_begin(p), 0);
	for (i = 0; i < n; i++) {
		e = ev(1000000000ull + i * 600000000ull, IT_K_ALLOC, IT_PH_ENTER, 7);
		e.flags |= IT_F_HAS_SID;
		e.sid = 1;
		e.max = 100;
		it_pipeline_event(p, &e);
		e.phase = IT_PH_EXIT;
		e.ts_ns += 1000;
		e.lat_ns = 1000;
		e.flags |= IT_F_HAS_RET | IT_F_HAS_ID;
		e.ret = e.ioasid = 10 + i;
		it_pipeline_event(p, &e);
	}
	p->sum.duration_s = n * 0.6;
	p->sum.child_status = -1;
	p->sum.stop_reason = "SIGINT";
	assert_int_equal(it_pipeline_end(p), 0);
	it_pipeline_fini(p);
	free(p);
}

static int replay_check(const char *file, bool salvage, struct seen *s)
{
	struct it_options o = { .salvage = salvage };
	struct it_session_spec spec = { .o = &o };
	struct it_consumer seen = { .ops = &seen_ops, .priv = s };

	spec.cons[spec.ncons++] = it_check_consumer_new(NULL, NULL);
	spec.cons[spec.ncons++] = &seen;
	return it_replay_run(&spec, file);
}

/*
 * Cut at every byte after the header: refused as truncated without
 * IT_RECFILE_SALVAGE; with it, exactly the complete record blocks before
 * the cut are kept, and check calls the replay inconclusive.  A complete
 * file reads the same either way; a corrupt block before the cut is
 * still refused.
 */
static void test_salvage(void **state)
{
	enum { MAXB = 32 };
	size_t ends[MAXB], len, off, cut, nb = 0, k;
	uint64_t cum[MAXB + 1] = { 0 }, blocks, records;
	unsigned char *img, *bad;
	struct it_recfile *f;
	struct seen s = { 0 };
	char why[200], part[320];
	FILE *out;

	write_blocks(path, 10);
	img = slurp(path, &len);
	for (off = sizeof(struct it_rec_header); off < len;) {
		struct it_rec_block b;

		memcpy(&b, img + off, sizeof(b));
		off += sizeof(b) + b.comp_len;
		if (b.tag[2] == 'R' && nb < MAXB) {
			ends[nb] = off;
			cum[nb + 1] = cum[nb] + b.nitems;
			nb++;
		}
	}
	assert_true(nb >= 3);		/* the early close made several blocks */
	assert_int_equal(cum[nb], 20);

	for (cut = sizeof(struct it_rec_header); cut < len; cut++) {
		f = it_recfile_from_buffer(img, cut, 0, why, sizeof(why));
		assert_null(f);
		assert_non_null(strstr(why, "truncated"));
		f = it_recfile_from_buffer(img, cut, IT_RECFILE_SALVAGE, why, sizeof(why));
		assert_non_null(f);
		for (k = 0; k < nb && ends[k] <= cut; k++)
			;
		blocks = it_recfile_blocks(f, &records);
		assert_int_equal(blocks, k);
		assert_int_equal(records, cum[k]);
		assert_non_null(it_recfile_cut(f));
		assert_non_null(strstr(it_recfile_cut(f), "truncated"));
		assert_int_equal(it_recfile_trailer(f)->child_status, -1);
		it_recfile_free(f);
	}
	f = it_recfile_from_buffer(img, len, IT_RECFILE_SALVAGE, why, sizeof(why));
	assert_non_null(f);
	assert_null(it_recfile_cut(f));
	assert_int_equal(it_recfile_trailer(f)->records, 20);
	it_recfile_free(f);

	bad = malloc(len);
	memcpy(bad, img, len);
	bad[ends[0] + sizeof(struct it_rec_block) + 2] ^= 1;	/* block 1's payload */
	f = it_recfile_from_buffer(bad, ends[2] + 5, IT_RECFILE_SALVAGE, why, sizeof(why));
	assert_null(f);
	assert_non_null(strstr(why, "CRC"));
	free(bad);

	/* the whole file conforms; its first two blocks and a bit cannot say */
	assert_int_equal(replay_check(path, true, &s), IT_VERDICT_PASS);
	assert_int_equal(s.n, 20);
	snprintf(part, sizeof(part), "%s.part", path);
	out = fopen(part, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(img, 1, ends[1] + 7, out), ends[1] + 7);
	fclose(out);
	assert_int_equal(replay_check(part, false, &s), IT_EXIT_BAD_FILE);
	memset(&s, 0, sizeof(s));
	assert_int_equal(replay_check(part, true, &s), IT_VERDICT_INCONCLUSIVE);
	assert_int_equal(s.n, (int)cum[2]);
	assert_string_equal(s.sum.stop_reason, "recording did not finish");
	assert_true(s.sum.duration_s > 0.5);
	unlink(part);
	free(img);
}

/*
 * Format 2 writes the symbols a block's events named in a symbol block
 * just before it: a recording cut before its trailer (where the whole
 * table is) still names its callbacks when salvaged.
 */
static void test_salvage_keeps_names(void **state)
{
	struct seen s = { 0 };
	struct it_options o = { .salvage = true };
	struct it_session_spec spec = { .o = &o };
	struct it_consumer c = { .ops = &seen_ops, .priv = &s };
	size_t len, off, trailer = 0, nsym = 0;
	unsigned char *img;
	char part[320];
	FILE *out;

	write_story(path);
	img = slurp(path, &len);
	assert_int_equal(((struct it_rec_header *)img)->format_version, IT_REC_FORMAT_VERSION);
	for (off = sizeof(struct it_rec_header); off < len;) {
		struct it_rec_block b;

		memcpy(&b, img + off, sizeof(b));
		if (b.tag[2] == 'S')
			nsym += b.nitems;
		if (b.tag[2] == 'T')
			trailer = off;
		off += sizeof(b) + b.comp_len;
	}
	assert_int_equal(nsym, 1);
	assert_true(trailer > 0);
	snprintf(part, sizeof(part), "%s.part", path);
	out = fopen(part, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(img, 1, trailer, out), trailer);
	fclose(out);
	spec.cons[spec.ncons++] = &c;
	assert_int_equal(it_replay_run(&spec, part), 0);
	assert_int_equal(s.n, 8);
	assert_int_equal(s.ev[0].kind, IT_K_META_ATTACHED);
	assert_string_equal(s.sym[0], "harness_kvm_notify");
	assert_int_equal(s.ev[4].kind, IT_K_CALLBACK);
	assert_string_equal(s.sym[4], "harness_kvm_notify");
	assert_string_equal(s.mod[4], "ioasid_harness");
	unlink(part);

	/* a symbol block in a format 1 file is corrupt, not skipped */
	((struct it_rec_header *)img)->format_version = 1;
	refresh_header_crc(img);
	assert_int_equal(read_buf(img, len, (char[200]){ 0 }), -EBADMSG);
	free(img);
}

/*
 * A block whose CRC matches but whose zlib stream does not (a writer bug,
 * or a file edited and re-checksummed): a wrong adler32 is still refused.
 */
static void test_bad_adler(void **state)
{
	const size_t off = sizeof(struct it_rec_header);
	struct it_rec_block blk;
	unsigned char *img;
	size_t len;
	char why[200];

	write_story(path);
	img = slurp(path, &len);
	memcpy(&blk, img + off, sizeof(blk));
	assert_true(blk.comp_len > 6);
	/* the stream's last byte is the adler32's low byte */
	img[off + sizeof(blk) + blk.comp_len - 1] ^= 0x01;
	blk.crc = crc32(0, img + off + sizeof(blk), blk.comp_len);
	blk.header_crc = crc32(0, (const Bytef *)&blk, offsetof(struct it_rec_block, header_crc));
	memcpy(img + off, &blk, sizeof(blk));
	assert_int_equal(read_buf(img, len, why), -EBADMSG);
	assert_non_null(strstr(why, "does not inflate"));
	free(img);
}

/* report/hist --input/check --input: one line on stderr and exit 3 */
static void test_bad_file_exit_codes(void **state)
{
	struct it_options o = { 0 };
	char bad[320];
	FILE *f;

	snprintf(bad, sizeof(bad), "%s/foreign.itr", tmp);
	f = fopen(bad, "w");
	fputs("#!/bin/sh\necho not a recording\n", f);
	fclose(f);
	o.input = bad;
	o.sub = IT_SUB_REPORT;
	assert_int_equal(it_cmd_report(&o), 3);
	o.sub = IT_SUB_HIST;
	assert_int_equal(it_cmd_hist(&o), 3);
	o.sub = IT_SUB_CHECK;
	assert_int_equal(it_cmd_check(&o), 3);
	o.input = "/nonexistent/file.itr";
	assert_int_equal(it_cmd_check(&o), 3);
}

/* ---- the recorded corpus through the checker (tests/data) ----------- */

struct verdict {
	struct it_check *ck;
	struct it_check_report r;
	uint64_t lost;
};

static int v_begin(struct it_consumer *c, const struct it_session_info *s)
{
	it_check_session(((struct verdict *)c->priv)->ck, s);
	return 0;
}

static int v_event(struct it_consumer *c, const struct it_event *e)
{
	it_check_event(((struct verdict *)c->priv)->ck, e);
	return 0;
}

static int v_end(struct it_consumer *c, const struct it_summary *s)
{
	struct verdict *v = c->priv;

	it_check_summary(v->ck, s);
	it_check_finish(v->ck, &v->r);
	return v->r.verdict;
}

/* What check --input does, with the report kept (the check consumer prints it). */
static const struct it_consumer_ops v_ops = {
	.name = "v", .begin = v_begin, .event = v_event, .end = v_end,
};

/* check --input FILE: its exit code, the report in v (free v->ck after). */
static int replay_verdict(const char *file, struct verdict *v)
{
	struct it_options o = { 0 };
	struct it_consumer c = { .ops = &v_ops, .priv = v };
	struct it_session_spec spec = { .o = &o };

	v->ck = it_check_new(NULL);
	spec.cons[spec.ncons++] = &c;
	return it_replay_run(&spec, file);
}

/*
 * want: the invariant IDs that must be violated, exactly (verdict.py's
 * rules).  The corpus is format 1: it has no attach list, so whatever it
 * shows, check --input cannot call it a pass or a failure (the violations are
 * still found and kept, as suspect evidence).
 */
static void corpus_case_rc(const char *name, uint32_t want, uint32_t exercised, int want_rc)
{
	struct verdict v = { 0 };
	char file[400];
	uint32_t got = 0, checked = 0;
	int i, rc;

	snprintf(file, sizeof(file), "%s/%s.itr", data_dir(), name);
	if (access(file, R_OK)) {
		print_message("corpus %s missing (scripts/make-corpus.sh)\n", file);
		fail();
	}
	rc = replay_verdict(file, &v);
	for (i = 0; i < v.r.nres; i++) {
		if (v.r.res[i].violations)
			got |= 1u << v.r.res[i].inv->id;
		if (v.r.res[i].checked)
			checked |= 1u << v.r.res[i].inv->id;
	}
	print_message("%-28s verdict %d violated 0x%03x exercised 0x%03x, %llu events\n", name,
		      rc, got, checked, (unsigned long long)v.r.events);
	assert_int_equal(v.r.lost, 0);
	assert_int_equal(got, want);
	assert_int_equal(rc, want_rc);
	assert_non_null(strstr(v.r.reason, "could not see: recording has no attach list (format 1)"));
	assert_int_equal(checked & exercised, exercised);
	/* both sides of the evidence for every violation kept */
	for (i = 0; i < v.r.nv; i++)
		assert_true(v.r.v[i].has_cause);
	/* seed: only BIND/UNBIND callbacks see a wrong set_token */
	if (!strcmp(name, "seed"))
		for (i = 0; i < v.r.nv; i++) {
			assert_true(v.r.v[i].now.cmd == IT_CMD_BIND || v.r.v[i].now.cmd == IT_CMD_UNBIND);
			assert_non_null(strstr(v.r.v[i].msg, "set_token"));
		}
	it_check_free(v.ck);
}

static void corpus_case(const char *name, uint32_t want, uint32_t exercised)
{
	corpus_case_rc(name, want, exercised, IT_VERDICT_INCONCLUSIVE);
}

#define EXERCISED	(0x2fe)	/* 1-7 and 9 */
#define BIT(n)		(1u << (n))

static void test_corpus_fixed(void **s) { corpus_case("fixed", 0, EXERCISED); }
static void test_corpus_seed(void **s) { corpus_case("seed", BIT(5), EXERCISED); }
/*
 * The inv* recordings were made (scripts/make-corpus.sh) on the mutants of
 * that name, which kernel/patches/mutants no longer holds: they are kept
 * as they were recorded, under their old names, until the corpus is
 * recorded again.  inv1, inv2, inv4, inv5 and inv6 are the code of today's
 * free-after-allocator, bind-delivered-twice, notify-unknown-id,
 * notify-null-pdata and notify-chain-unlocked; inv3 (an open-coded head
 * insert) and inv9 (allocation without the lock, the allocator's free
 * inline) were retired: their patches are in git, 5023ffd32039:kernel/patches/mutants/.
 */
static void test_corpus_inv1(void **s) { corpus_case("inv1-free-after-allocator", BIT(1), EXERCISED); }
static void test_corpus_inv2(void **s) { corpus_case("inv2-duplicate-delivery", BIT(2), EXERCISED); }
static void test_corpus_inv3(void **s) { corpus_case("inv3-priority-ignored", BIT(3), EXERCISED); }
static void test_corpus_inv4(void **s) { corpus_case("inv4-notify-unknown", BIT(4), EXERCISED); }
static void test_corpus_inv5(void **s) { corpus_case("inv5-stale-pdata", BIT(5), EXERCISED); }
static void test_corpus_inv6(void **s) { corpus_case("inv6-chain-unlocked", BIT(6), EXERCISED); }
/*
 * The inv9 mutant does the allocator's work inline: its FREE chains
 * complete and no allocator free follows.  This recording's frees name no
 * allocator free (it predates records that do), so whether one was traced
 * cannot be told: inconclusive, with the reuse it saw kept as suspect.
 */
static void test_corpus_inv9(void **s)
{
	corpus_case_rc("inv9-early-release", BIT(9), EXERCISED & ~BIT(1), IT_VERDICT_INCONCLUSIVE);
}

/* ---- format 4: the attach list and counters blocks ------------------ */

/* The story (write_story) with these BPF counters at its end. */
static void write_story_stats(const char *file, const uint64_t *stats)
{
	write_story_as(file, stats, 1);
}

static void test_attach_list_and_counters(void **state)
{
	uint64_t stats[IT_STAT__COUNT] = { 0 }, back[IT_STAT__COUNT];
	const struct it_attach_report *a;
	const struct it_rec_header *h;
	struct it_recfile *f;
	char why[200] = "";
	size_t i;

	for (i = 0; i < IT_STAT__COUNT; i++)
		stats[i] = 100 + i;
	write_story_stats(path, stats);
	f = it_recfile_open(path, 0, why, sizeof(why));
	assert_non_null(f);
	h = it_recfile_header(f);
	assert_int_equal(h->format_version, IT_REC_FORMAT_VERSION);
	assert_int_equal(IT_REC_FORMAT_VERSION, 4);
	a = it_recfile_attach(f);
	assert_non_null(a);
	assert_int_equal(a->n, 3);
	assert_string_equal(a->pts[0].func, "ioasid_alloc");
	assert_int_equal(a->pts[0].mode, IT_MODE_FENTRY);
	assert_int_equal(a->pts[0].kind, IT_K_ALLOC);
	assert_false(a->pts[0].required);
	assert_string_equal(a->pts[1].func, "ioasid_notify");
	assert_int_equal(a->pts[1].mode, IT_MODE_KPROBE);
	assert_true(a->pts[1].required);
	assert_true(a->pts[1].present);
	assert_int_equal(a->pts[2].mode, IT_MODE_KPROBE_MULTI);
	/* every counter, also those past the trailer's four */
	assert_int_equal(it_recfile_counters(f, back, IT_STAT__COUNT), IT_STAT__COUNT);
	assert_memory_equal(back, stats, sizeof(stats));
	/* the trailer still holds the first four, for older readers */
	assert_int_equal(it_recfile_trailer(f)->bpf_stats[IT_STAT_UNMATCHED], 102);
	it_recfile_free(f);
}

/* A recording that saw everything it needed passes; a point not attached is named. */
static void test_attach_list_verdict(void **state)
{
	uint64_t stats[IT_STAT__COUNT] = { 0 };
	struct verdict v = { 0 };

	write_blocks(path, 3);
	assert_int_equal(replay_verdict(path, &v), IT_VERDICT_PASS);
	it_check_free(v.ck);

	rep.pts[1].mode = IT_MODE_NONE;
	write_story_stats(path, stats);
	memset(&v, 0, sizeof(v));
	assert_int_equal(replay_verdict(path, &v), IT_VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(v.r.reason, "not traced: ioasid_notify"));
	assert_null(strstr(v.r.reason, "attach list"));
	it_check_free(v.ck);
	rep_reset();
}

/* A format 4 file written without one (a replayed run's) is no pass either. */
static void test_no_attach_list(void **state)
{
	struct verdict v = { 0 };
	struct it_recfile *f;
	char why[200];

	rep.n = 0;
	write_blocks(path, 3);
	rep_reset();
	f = it_recfile_open(path, 0, why, sizeof(why));
	assert_non_null(f);
	assert_null(it_recfile_attach(f));
	it_recfile_free(f);
	assert_int_equal(replay_verdict(path, &v), IT_VERDICT_INCONCLUSIVE);
	assert_string_equal(v.r.reason, "could not see: recording has no attach list (format 4)");
	it_check_free(v.ck);
}

/*
 * Exits BPF could not pair: inconclusive only when they were inside an
 * operation in the armed window; the others were outside it, unstreamed.
 */
static void test_exit_missed_counters(void **state)
{
	uint64_t stats[IT_STAT__COUNT] = { 0 };
	struct verdict v = { 0 };

	stats[IT_STAT_EXIT_MISSED] = 5;
	write_blocks(path, 3);		/* no counters: the baseline passes */
	assert_int_equal(replay_verdict(path, &v), IT_VERDICT_PASS);
	it_check_free(v.ck);
	{
		struct it_recfile *f;
		uint64_t back[IT_STAT__COUNT];
		char why[200];

		write_story_stats(path, stats);
		f = it_recfile_open(path, 0, why, sizeof(why));
		assert_non_null(f);
		it_recfile_counters(f, back, IT_STAT__COUNT);
		assert_int_equal(back[IT_STAT_EXIT_MISSED], 5);
		it_recfile_free(f);
	}
	memset(&v, 0, sizeof(v));
	/* the story loses 3 records: its own cause, but not an armed one */
	assert_int_equal(replay_verdict(path, &v), IT_VERDICT_INCONCLUSIVE);
	assert_null(strstr(v.r.reason, "armed window"));
	it_check_free(v.ck);

	stats[IT_STAT_EXIT_MISSED_ARMED] = 2;
	write_story_stats(path, stats);
	memset(&v, 0, sizeof(v));
	assert_int_equal(replay_verdict(path, &v), IT_VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(v.r.reason,
			       "could not see: 2 exits without their entry inside the armed window"));
	it_check_free(v.ck);
}

/* A format 3 reader's file: an attach list block there is corruption. */
static void test_attach_block_needs_format4(void **state)
{
	unsigned char *img;
	struct it_rec_header *h;
	char why[200];
	size_t len;

	write_blocks(path, 2);
	img = slurp(path, &len);
	h = (struct it_rec_header *)img;
	h->format_version = 3;
	refresh_header_crc(img);
	assert_int_equal(read_buf(img, len, why), -EBADMSG);
	assert_non_null(strstr(why, "block 0"));
	free(img);
}

/* ---- throughput -------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The writer alone (encode, buffer, deflate level 1, write) on a harness-
 * like stream: each cycle's ENTER/EXIT pairs, advancing timestamps and IDs.
 * Prints events/s; fails below 1 M/s (the harness's full load in the guest
 * is far below that, tests/vm/record.sh reports it).
 */
/*
 * The writer on a synthetic harness-like stream, events gap_ns apart on
 * average: returns bytes per event on disk.  Prints events/s written and
 * read back.
 */
static double writer_run(uint64_t n, uint64_t gap_ns, const char *what)
{
	struct it_pipeline *p = make_pipe();
	struct it_consumer *c;
	struct it_event e = ev(1000, IT_K_CALLBACK, IT_PH_ENTER, 7);
	static const enum it_kind kinds[] = { IT_K_ALLOC, IT_K_NOTIFY, IT_K_CHAIN,
					      IT_K_CALLBACK, IT_K_CALLBACK, IT_K_FREE };
	char why[200];
	double t0, t1, rt;
	uint64_t i;
	size_t len;

	c = it_record_writer_new(path, 1, why, sizeof(why));
	assert_non_null(c);
	it_pipeline_add(p, c);
	it_pipeline_begin(p);
	e.flags |= IT_F_HAS_ID | IT_F_HAS_CMD | IT_F_HAS_ARGS | IT_F_HAS_CB;
	e.cb = 0xffffffffc0001000ull;
	e.cb_sym = "harness_kvm_notify";
	t0 = now_s();
	for (i = 0; i < n; i++) {
		e.ts_ns += gap_ns / 2 + (i * 7919) % gap_ns;
		e.kind = kinds[(i / 2) % 6];
		e.phase = i & 1;
		e.lat_ns = e.phase ? 100 + i % 900 : 0;
		e.ioasid = e.args.id = 1 + (uint32_t)(i / 12) % 1000;
		e.cmd = 1 + (i / 12) % 4;
		e.tid = 7 + (i / 12) % 2;
		e.cpu = e.tid & 1;
		c->ops->event(c, &e);
	}
	p->sum.duration_s = 1;
	assert_int_equal(it_pipeline_end(p), 0);
	t1 = now_s();
	it_pipeline_fini(p);
	free(p);
	{
		void *img = slurp(path, &len);

		rt = now_s();
		assert_int_equal(it_record_read_buffer(img, len, 0, NULL, 0), 0);
		rt = now_s() - rt;
		free(img);
	}
	print_message("writer, %s (events %llu ns apart): %llu events in %.3f s = %.2f M events/s, "
		      "%.1f bytes/event (raw %zu); reader (parse+inflate+decode): %.2f M events/s\n",
		      what, (unsigned long long)gap_ns, (unsigned long long)n, t1 - t0,
		      n / (t1 - t0) / 1e6, (double)len / n, sizeof(struct it_record), n / rt / 1e6);
	/* speed is make bench's to judge (docs/performance.md), not a test's */
	return (double)len / n;
}

/*
 * Events far enough apart that deflating a block takes a small part of
 * the time its records span: compressed (about 15:1).  Events closer than
 * the writer can compress them (an event every 287 ns on average, as a
 * burst faster than real time): blocks are stored instead (zlib level 0),
 * so the writer keeps pace rather than letting the ring buffer drop them.
 */
static void test_writer_throughput(void **state)
{
	const uint64_t n = getenv("IT_BENCH_EVENTS") ? strtoull(getenv("IT_BENCH_EVENTS"), 0, 0)
						     : 2000000;
	double spaced = writer_run(n, 100000, "spaced"), dense = writer_run(n / 4, 300, "dense");

	(void)state;
	if (getenv("IT_BENCH_EVENTS"))
		return;
	assert_true(spaced < 20);
	assert_true(dense > 100);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(tmp));
	rep_reset();
	snprintf(path, sizeof(path), "%s/t.itr", tmp);
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_decode),
		cmocka_unit_test(test_write_replay),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_adler),
		cmocka_unit_test(test_salvage),
		cmocka_unit_test(test_salvage_keeps_names),
		cmocka_unit_test(test_bad_file_exit_codes),
		cmocka_unit_test(test_attach_list_and_counters),
		cmocka_unit_test(test_attach_list_verdict),
		cmocka_unit_test(test_no_attach_list),
		cmocka_unit_test(test_exit_missed_counters),
		cmocka_unit_test(test_attach_block_needs_format4),
		cmocka_unit_test(test_corpus_fixed),
		cmocka_unit_test(test_corpus_seed),
		cmocka_unit_test(test_corpus_inv1),
		cmocka_unit_test(test_corpus_inv2),
		cmocka_unit_test(test_corpus_inv3),
		cmocka_unit_test(test_corpus_inv4),
		cmocka_unit_test(test_corpus_inv5),
		cmocka_unit_test(test_corpus_inv6),
		cmocka_unit_test(test_corpus_inv9),
		cmocka_unit_test(test_writer_throughput),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
