// SPDX-License-Identifier: GPL-2.0
/*
 * The Perfetto (Chrome trace-event JSON) writer: the output parses as JSON
 * (a small recursive-descent parser below), every task track's B/E slices
 * match and nest, every async IOASID span ("b"/"e" by cat and id) is closed,
 * and what was still open at the end is closed with args {"open": true}.
 * Run on a synthetic story and on every recorded trace of the corpus.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "consumer.h"
#include "commands.h"
#include "out/out.h"
#include "replay.h"

/* ---- a tiny JSON parser --------------------------------------------- */

enum jt { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jt t;
	double num;
	char *str;
	struct jv **v;		/* array items / object values */
	char **k;		/* object keys */
	size_t n;
};

struct jp {
	const char *s;
	bool bad;
};

static void ws(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r')
		p->s++;
}

static char *jstr(struct jp *p)
{
	size_t cap = 16, n = 0;
	char *out = malloc(cap);

	if (*p->s != '"') {
		p->bad = true;
		return out;
	}
	p->s++;
	while (*p->s && *p->s != '"') {
		char c = *p->s++;

		if ((unsigned char)c < 0x20) {
			p->bad = true;
			break;
		}
		if (c == '\\') {
			c = *p->s++;
			if (c == 'u') {
				for (int i = 0; i < 4; i++)
					if (!strchr("0123456789abcdefABCDEF", *p->s++) || !p->s[-1])
						p->bad = true;
				c = '?';
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				p->bad = true;
				break;
			}
		}
		if (n + 2 > cap)
			out = realloc(out, cap *= 2);
		out[n++] = c;
	}
	out[n] = '\0';
	if (*p->s != '"')
		p->bad = true;
	else
		p->s++;
	return out;
}

static struct jv *jval(struct jp *p, int depth)
{
	struct jv *v = calloc(1, sizeof(*v));
	char *end;

	ws(p);
	if (depth > 64)
		p->bad = true;
	if (p->bad)
		return v;
	if (*p->s == '{' || *p->s == '[') {
		char close = *p->s == '{' ? '}' : ']';

		v->t = *p->s == '{' ? J_OBJ : J_ARR;
		p->s++;
		ws(p);
		if (*p->s == close) {
			p->s++;
			return v;
		}
		for (;;) {
			v->v = realloc(v->v, (v->n + 1) * sizeof(*v->v));
			v->k = realloc(v->k, (v->n + 1) * sizeof(*v->k));
			v->k[v->n] = NULL;
			if (v->t == J_OBJ) {
				ws(p);
				v->k[v->n] = jstr(p);
				ws(p);
				if (*p->s++ != ':')
					p->bad = true;
			}
			v->v[v->n++] = jval(p, depth + 1);
			ws(p);
			if (p->bad)
				return v;
			if (*p->s == ',') {
				p->s++;
				continue;
			}
			if (*p->s++ != close)
				p->bad = true;
			return v;
		}
	}
	if (*p->s == '"') {
		v->t = J_STR;
		v->str = jstr(p);
	} else if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "null", 4)) {
		v->t = *p->s == 't' ? J_BOOL : J_NULL;
		v->num = *p->s == 't';
		p->s += 4;
	} else if (!strncmp(p->s, "false", 5)) {
		v->t = J_BOOL;
		p->s += 5;
	} else {
		v->t = J_NUM;
		v->num = strtod(p->s, &end);
		if (end == p->s)
			p->bad = true;
		p->s = end;
	}
	return v;
}

static void jfree(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		jfree(v->v[i]);
		if (v->k)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
	free(v->str);
	free(v);
}

static struct jv *jget(const struct jv *o, const char *key)
{
	size_t i;

	if (!o || o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->k[i], key))
			return o->v[i];
	return NULL;
}

static const char *jgets(const struct jv *o, const char *key)
{
	struct jv *v = jget(o, key);

	return v && v->t == J_STR ? v->str : NULL;
}

/* ---- the structural check -------------------------------------------- */

struct stat_ {
	int slices, spans, open_slices, open_spans, lifetimes, binds;
};

#define MAXT 256

/* Parse text, check every rule; returns what was counted. */
static struct stat_ check_trace(const char *text)
{
	struct jp p = { text, false };
	struct jv *root = jval(&p, 0), *evs;
	struct stat_ st = { 0 };
	/* per task: a stack depth; per (cat,id): a stack of names */
	struct { double pid, tid; int depth; } tracks[MAXT];
	struct { char key[64]; char names[8][40]; int n; } spans[MAXT];
	int ntr = 0, nsp = 0, i, k;
	double last_ts = -1e18;

	ws(&p);
	assert_false(p.bad);
	assert_int_equal(*p.s, '\0');	/* one document, nothing after it */
	evs = jget(root, "traceEvents");
	assert_non_null(evs);
	assert_int_equal(evs->t, J_ARR);
	for (size_t e = 0; e < evs->n; e++) {
		const struct jv *x = evs->v[e];
		const char *ph = jgets(x, "ph");
		struct jv *pid = jget(x, "pid"), *tid = jget(x, "tid"), *ts = jget(x, "ts");
		struct jv *args = jget(x, "args"), *open = jget(args, "open");

		assert_non_null(ph);
		assert_non_null(pid);
		assert_non_null(tid);
		if (strcmp(ph, "M")) {
			assert_non_null(ts);
			assert_int_equal(ts->t, J_NUM);
			if (ts->num > last_ts)
				last_ts = ts->num;
		}
		if (!strcmp(ph, "B") || !strcmp(ph, "E")) {
			for (i = 0; i < ntr; i++)
				if (tracks[i].pid == pid->num && tracks[i].tid == tid->num)
					break;
			if (i == ntr) {
				assert_true(ntr < MAXT);
				tracks[ntr].pid = pid->num;
				tracks[ntr].tid = tid->num;
				tracks[ntr++].depth = 0;
			}
			if (*ph == 'B') {
				assert_non_null(jgets(x, "name"));
				tracks[i].depth++;
				st.slices++;
			} else {
				assert_true(tracks[i].depth > 0);	/* no E without its B */
				tracks[i].depth--;
				if (open && open->num)
					st.open_slices++;
			}
		} else if (!strcmp(ph, "b") || !strcmp(ph, "e")) {
			const char *cat = jgets(x, "cat"), *id = jgets(x, "id"), *name = jgets(x, "name");
			char key[64];

			assert_non_null(cat);
			assert_non_null(id);
			assert_non_null(name);
			snprintf(key, sizeof(key), "%s/%s", cat, id);
			for (k = 0; k < nsp; k++)
				if (!strcmp(spans[k].key, key))
					break;
			if (k == nsp) {
				assert_true(nsp < MAXT);
				snprintf(spans[nsp].key, sizeof(spans[0].key), "%s", key);
				spans[nsp++].n = 0;
			}
			if (*ph == 'b') {
				assert_true(spans[k].n < 8);
				snprintf(spans[k].names[spans[k].n++], 40, "%s", name);
				st.spans++;
				if (!strcmp(name, "bound")) {
					st.binds++;
					assert_true(spans[k].n >= 2);	/* inside a lifetime */
				} else {
					st.lifetimes++;
				}
			} else {
				/* closes the innermost open span of this ID, by name */
				assert_true(spans[k].n > 0);
				assert_string_equal(spans[k].names[spans[k].n - 1], name);
				spans[k].n--;
				if (open && open->num)
					st.open_spans++;
			}
		} else {
			assert_true(!strcmp(ph, "i") || !strcmp(ph, "M"));
		}
	}
	for (i = 0; i < ntr; i++)
		assert_int_equal(tracks[i].depth, 0);
	for (k = 0; k < nsp; k++)
		assert_int_equal(spans[k].n, 0);
	jfree(root);
	return st;
}

/* ---- a synthetic run -------------------------------------------------- */

static struct it_event mk(struct it_decoder *d, uint64_t ts, enum it_kind k, enum it_phase ph,
			  uint32_t tid, uint16_t depth)
{
	struct it_event e = { 0 };

	e.seq = ++d->seq;
	e.ts_ns = ts;
	e.kind = k;
	e.phase = ph;
	e.pid = 100;
	e.tid = tid;
	e.depth = depth;
	e.ioasid = IT_NO_ID;
	e.sid = IT_NO_SID;
	strcpy(e.comm, "bash \"q\"");	/* escaping */
	return e;
}

static char *run_writer(void (*story)(struct it_writer *w, struct it_decoder *d))
{
	struct it_session_info info = { .kernel_release = "6.1", .start_ns = 1000, .live = false };
	struct it_summary sum = { .events = 1 };
	struct it_decoder d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct it_writer *w = it_writer_new("perfetto", f, NULL);

	assert_non_null(w);
	it_out_begin(w, &info);
	story(w, &d);
	it_out_summary(w, &sum);
	it_writer_free(w);
	fclose(f);
	return buf;
}

static void story(struct it_writer *w, struct it_decoder *d)
{
	struct it_event e;

	/* alloc id 5 */
	e = mk(d, 2000, IT_K_ALLOC, IT_PH_ENTER, 7, 1);
	it_out_event(w, &e);
	e = mk(d, 2100, IT_K_ALLOC, IT_PH_EXIT, 7, 1);
	e.flags = IT_F_HAS_RET | IT_F_HAS_SID;
	e.ret = 5;
	e.sid = 1;
	it_out_event(w, &e);
	/* bind: notify > chain > callback */
	e = mk(d, 3000, IT_K_NOTIFY, IT_PH_ENTER, 7, 1);
	e.flags = IT_F_HAS_ID | IT_F_HAS_CMD;
	e.ioasid = 5;
	e.cmd = IT_CMD_BIND;
	it_out_event(w, &e);
	e.kind = IT_K_CHAIN, e.depth = 2, e.ts_ns = 3100;
	it_out_event(w, &e);
	e.kind = IT_K_CALLBACK, e.depth = 3, e.ts_ns = 3200, e.cb_sym = "harness_kvm_notify";
	e.flags |= IT_F_HAS_CB;
	it_out_event(w, &e);
	e.phase = IT_PH_EXIT, e.ts_ns = 3300, e.flags |= IT_F_HAS_RET, e.ret = 1;
	it_out_event(w, &e);
	e.kind = IT_K_CHAIN, e.depth = 2, e.ts_ns = 3400, e.cb_sym = NULL;
	it_out_event(w, &e);
	e.kind = IT_K_NOTIFY, e.depth = 1, e.ts_ns = 3500;
	it_out_event(w, &e);
	/* an exit whose enter was before tracing: an instant */
	e = mk(d, 3600, IT_K_FREE, IT_PH_EXIT, 8, 1);
	it_out_event(w, &e);
	/* a meta event */
	e = mk(d, 3700, IT_K_META_LOST, IT_PH_POINT, 0, 0);
	e.lost = 2;
	it_out_event(w, &e);
	/* alloc id 6 and free it: a closed lifetime */
	e = mk(d, 4000, IT_K_ALLOC, IT_PH_EXIT, 9, 1);
	e.flags = IT_F_HAS_RET;
	e.ret = 6;
	it_out_event(w, &e);
	e = mk(d, 4100, IT_K_FREE_LOCKED, IT_PH_ENTER, 9, 1);
	e.flags = IT_F_HAS_ID;
	e.ioasid = 6;
	it_out_event(w, &e);
	e.phase = IT_PH_EXIT, e.ts_ns = 4200;
	it_out_event(w, &e);
	/* a callback that never returns (the re-entry deadlock): left open */
	e = mk(d, 5000, IT_K_CALLBACK, IT_PH_ENTER, 7, 1);
	it_out_event(w, &e);
}

static void test_synthetic(void **state)
{
	char *out = run_writer(story);
	struct stat_ st = check_trace(out);

	assert_int_equal(st.slices, 6);		/* alloc, notify, chain, callback, free_locked, open cb */
	assert_int_equal(st.open_slices, 1);
	assert_int_equal(st.lifetimes, 2);
	assert_int_equal(st.binds, 1);
	assert_int_equal(st.open_spans, 2);	/* id 5 still bound and allocated */
	assert_non_null(strstr(out, "\"harness_kvm_notify\""));
	assert_non_null(strstr(out, "bash \\\"q\\\""));
	free(out);
}

/* ---- the corpus, through report --format perfetto --------------------- */

static void test_corpus(void **state)
{
	const char *d = getenv("IT_TESTDATA");
	char dir[256], file[600], *buf;
	struct it_options o = { 0 };
	struct it_session_spec spec = { .o = &o };
	struct it_consumer trace;
	struct dirent *de;
	int files = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/../../data", d ? d : "tests/unit/data");
	dp = opendir(dir);
	assert_non_null(dp);
	while ((de = readdir(dp))) {
		size_t len = 0, nl = strlen(de->d_name);
		struct stat_ st;
		FILE *f;
		struct it_writer *w;

		if (nl < 4 || strcmp(de->d_name + nl - 4, ".itr"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		buf = NULL;
		f = open_memstream(&buf, &len);
		w = it_writer_new("perfetto", f, NULL);
		it_trace_consumer_init(&trace, w);
		spec.out = w;
		spec.ncons = 0;
		spec.cons[spec.ncons++] = &trace;
		assert_int_equal(it_replay_run(&spec, file), 0);
		it_writer_free(w);
		fclose(f);
		st = check_trace(buf);
		print_message("%-34s %6zu bytes: %d slices, %d IOASID lifetimes, %d binds, "
			      "%d+%d left open\n", de->d_name, len, st.slices, st.lifetimes,
			      st.binds, st.open_slices, st.open_spans);
		assert_true(st.slices > 0 && st.lifetimes > 0 && st.binds > 0);
		free(buf);
		files++;
	}
	closedir(dp);
	assert_true(files > 0);
}

static void test_parser_rejects(void **state)
{
	static const char *const bad[] = { "{", "{\"a\" 1}", "[1,]", "\"x", "{\"a\":tru}", "[1] 2" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jp p = { bad[i], false };
		struct jv *v = jval(&p, 0);

		ws(&p);
		assert_true(p.bad || *p.s);
		jfree(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parser_rejects),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
