// SPDX-License-Identifier: GPL-2.0
/* Decoding hand-made raw records; the shared filter; the pipeline's counts. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "consumer.h"
#include "decode.h"

static struct it_decoder dec;

static int setup(void **state)
{
	const char *d = getenv("IT_TESTDATA") ? getenv("IT_TESTDATA") : "tests/unit/data";
	char path[512];

	snprintf(path, sizeof(path), "%s/kallsyms", d);
	memset(&dec, 0, sizeof(dec));
	dec.ksyms = it_ksyms_load(path);
	return dec.ksyms ? 0 : -1;
}

static int teardown(void **state)
{
	it_decoder_fini(&dec);
	return 0;
}

/* A callback EXIT as callbacks.bpf.c writes it for harness_kvm_notify. */
static struct it_record callback_exit(void)
{
	struct it_record r;

	memset(&r, 0, sizeof(r));
	r.ts_ns = 5000000000ull;
	r.lat_ns = 1234;
	r.cb = 0xffffffffa0002340ull;
	r.nb = 0xffffffffa00070d0ull;
	r.ret = 1;	/* NOTIFY_OK */
	r.args.id = 7;
	r.args.sid = 3;
	r.args.set_token = 0xffff888000dc9f78ull;
	r.args.pdata = 0xffff888002fca080ull;
	r.pid = 100;
	r.tid = 101;
	r.cpu = 1;
	r.ioasid = 7;
	r.sid = 3;
	r.cmd = 2;	/* FREE */
	r.prio = 10;
	r.flags = IT_F_HAS_ID | IT_F_HAS_SID | IT_F_HAS_CMD | IT_F_HAS_RET | IT_F_HAS_ARGS |
		  IT_F_HAS_CB | IT_F_LOCK_HELD | IT_F_MAY_SLEEP | IT_F_PREEMPT_KNOWN;
	r.depth = 3;
	r.kind = IT_K_CALLBACK;
	r.phase = IT_PH_EXIT;
	memcpy(r.comm, "0123456789abcdef", 16);	/* no NUL: the decoder adds one */
	return r;
}

static void test_decode_callback(void **state)
{
	struct it_record r = callback_exit();
	struct it_event e;

	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), 0);
	assert_int_equal(e.kind, IT_K_CALLBACK);
	assert_int_equal(e.phase, IT_PH_EXIT);
	assert_int_equal(e.ts_ns, 5000000000ull);
	assert_int_equal(e.lat_ns, 1234);
	assert_int_equal(e.tid, 101);
	assert_int_equal(e.pid, 100);
	assert_int_equal(e.cpu, 1);
	assert_int_equal(e.depth, 3);
	assert_int_equal(e.ioasid, 7);
	assert_int_equal(e.sid, 3);
	assert_int_equal(e.cmd, 2);
	assert_int_equal(e.ret, 1);
	assert_int_equal(e.prio, 10);
	assert_int_equal(e.args.id, 7);
	assert_int_equal(e.args.sid, 3);
	assert_int_equal(e.args.set_token, 0xffff888000dc9f78ull);
	assert_int_equal(e.args.pdata, 0xffff888002fca080ull);
	assert_string_equal(e.comm, "0123456789abcdef");
	assert_string_equal(e.cb_sym, "harness_kvm_notify");
	assert_string_equal(e.cb_mod, "ioasid_harness");
	assert_true(e.flags & IT_F_LOCK_HELD);
	assert_string_equal(it_kind_name(e.kind), "callback");
	assert_string_equal(it_cmd_name(e.cmd), "FREE");
	assert_string_equal(it_notify_ret_name(e.ret), "NOTIFY_OK");
}

static void test_decode_absent_fields(void **state)
{
	struct it_record r = callback_exit();
	struct it_event e;

	/* fields whose HAS_ flag is clear are normalised, not passed through */
	r.kind = IT_K_FREE;
	r.phase = IT_PH_ENTER;
	r.flags = IT_F_HAS_ID;
	r.ioasid = 9;
	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), 0);
	assert_int_equal(e.ioasid, 9);
	assert_int_equal(e.sid, IT_NO_SID);
	assert_int_equal(e.cmd, 0);
	assert_int_equal(e.ret, 0);
	assert_int_equal(e.lat_ns, 0);	/* ENTER has no latency */
	assert_int_equal(e.args.id, 0);
	/* an EXIT without its ENTER has no latency either */
	r = callback_exit();
	r.flags |= IT_F_UNMATCHED;
	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), 0);
	assert_int_equal(e.lat_ns, 0);
	/* unknown callback address: unresolved, not wrong */
	r = callback_exit();
	r.cb = 0x1000;
	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), 0);
	assert_null(e.cb_sym);
}

static void test_decode_rejects(void **state)
{
	struct it_record r = callback_exit();
	struct it_event e;
	uint64_t seq = dec.seq;

	assert_int_equal(it_decode(&dec, &r, sizeof(r) - 1, &e), -EINVAL);
	r.kind = IT_K__BPF_MAX;
	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), -EINVAL);
	r.kind = IT_K_NONE;
	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), -EINVAL);
	r.kind = IT_K_META_LOST;	/* user-space-only kinds never come from BPF */
	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), -EINVAL);
	r = callback_exit();
	r.phase = IT_PH_POINT;
	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), -EINVAL);
	assert_int_equal(dec.seq, seq);	/* rejected records take no number */
	r = callback_exit();
	assert_int_equal(it_decode(&dec, &r, sizeof(r), &e), 0);
	assert_int_equal(e.seq, seq + 1);
}

static void test_names(void **state)
{
	assert_int_equal(it_cmd_from_name("free"), 2);
	assert_int_equal(it_cmd_from_name("IOASID_UNBIND"), 4);
	assert_int_equal(it_cmd_from_name("Bind"), 3);
	assert_int_equal(it_cmd_from_name("7"), 7);
	assert_int_equal(it_cmd_from_name("0x2"), 2);
	assert_int_equal(it_cmd_from_name("bogus"), -1);
	assert_int_equal(it_cmd_from_name("0"), -1);
	assert_int_equal(it_cmd_from_name(""), -1);
	assert_string_equal(it_notify_ret_name(0x8002), "NOTIFY_BAD");
	assert_null(it_notify_ret_name(-22));
	assert_int_equal(it_kind_from_name("free_locked"), IT_K_FREE_LOCKED);
	assert_int_equal(it_kind_from_name("nope"), -1);
	for (int k = 1; k < IT_K__BPF_MAX; k++)
		assert_int_equal(it_kind_from_name(it_kind_name(k)), k);
}

static void test_filter(void **state)
{
	struct it_config c = { 0 };
	struct it_record r = callback_exit();

	assert_true(it_record_matches(&c, &r));
	c.targ_tgid = 99;
	assert_false(it_record_matches(&c, &r));
	c.targ_tgid = 100;
	c.filter_mask = IT_FILTER_ID | IT_FILTER_CMD;
	c.targ_ioasid = 7;
	c.targ_cmd = 2;
	assert_true(it_record_matches(&c, &r));
	c.targ_cmd = 3;
	assert_false(it_record_matches(&c, &r));
	/* a record without the field does not match ... */
	c.filter_mask = IT_FILTER_ID;
	r.flags &= ~IT_F_HAS_ID;
	assert_false(it_record_matches(&c, &r));
	/* ... except notifier registration, which drives attaching */
	r.kind = IT_K_ADD_NOTIFIER;
	c.targ_tgid = 1;
	assert_true(it_record_matches(&c, &r));
	c.filter_mask = IT_FILTER_SID;
	c.targ_sid = 3;
	r = callback_exit();
	c.targ_tgid = 0;
	assert_true(it_record_matches(&c, &r));
}

/* A consumer that remembers what it saw. */
struct seen {
	int begin, events, ends;
	enum it_kind last;
	uint64_t lost;
};

static int s_begin(struct it_consumer *c, const struct it_session_info *s)
{
	((struct seen *)c->priv)->begin++;
	return 0;
}

static int s_event(struct it_consumer *c, const struct it_event *e)
{
	struct seen *s = c->priv;

	s->events++;
	s->last = e->kind;
	if (e->kind == IT_K_META_LOST)
		s->lost += e->lost;
	return IT_CONSUME_OK;
}

static int s_end(struct it_consumer *c, const struct it_summary *sum)
{
	((struct seen *)c->priv)->ends++;
	return 0;
}

static const struct it_consumer_ops seen_ops = {
	.name = "seen", .begin = s_begin, .event = s_event, .end = s_end,
};

static void test_pipeline(void **state)
{
	struct it_pipeline p;
	struct seen a = { 0 }, b = { 0 };
	struct it_consumer ca = { .ops = &seen_ops, .priv = &a };
	struct it_consumer cb = { .ops = &seen_ops, .priv = &b };
	struct it_record r = callback_exit();

	it_pipeline_init(&p);
	assert_int_equal(it_pipeline_add(&p, &ca), 0);
	assert_int_equal(it_pipeline_add(&p, &cb), 0);
	assert_int_equal(it_pipeline_begin(&p), 0);
	r.phase = IT_PH_ENTER;
	it_pipeline_raw(&p, &r, sizeof(r));
	r.phase = IT_PH_EXIT;
	it_pipeline_raw(&p, &r, sizeof(r));
	it_pipeline_raw(&p, &r, 3);		/* bad */
	it_pipeline_lost(&p, 5, 1);
	it_pipeline_lost(&p, 5, 2);		/* no change: no event */
	it_pipeline_lost(&p, 7, 3);
	assert_int_equal(it_pipeline_end(&p), 0);
	assert_int_equal(a.begin, 1);
	assert_int_equal(a.events, 4);
	assert_int_equal(b.events, 4);
	assert_int_equal(a.lost, 7);
	assert_int_equal(b.ends, 1);
	assert_int_equal(p.sum.events, 2);
	assert_int_equal(p.sum.bad, 1);
	assert_int_equal(p.sum.lost, 7);
	assert_int_equal(p.sum.per_kind[IT_K_CALLBACK], 1);	/* ENTERs are the calls */
	assert_int_equal(p.sum.per_kind[IT_K_META_LOST], 2);
	it_pipeline_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_callback),
		cmocka_unit_test(test_decode_absent_fields),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_pipeline),
	};

	return cmocka_run_group_tests_name("decode", tests, setup, teardown);
}
