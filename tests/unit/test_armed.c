// SPDX-License-Identifier: GPL-2.0
/*
 * The armed window as the checker sees it (bpf/maps.bpf.h says how BPF
 * keeps it): registrations outside the window are no evidence, a frameless
 * exit matters only inside it, a callback attached live is expected only in
 * chain calls that began after its attach stamp, and the decoder keeps the
 * IT_F_OUTSIDE flag that says all this.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "sim.h"
#include "consumer.h"
#include "decode.h"

#define TOKEN	0xffff888000b36818ULL
#define PDATA	0xffff88800091c940ULL
#define SID	1
#define ID	5
#define PUB	100
#define OTHER	200

static const struct sim_sub IOMMU = { 0x1000, 0xa000, 10, "harness_iommu_notify", 0 };
static const struct sim_sub VDCM = { 0x2000, 0xb000, 5, "harness_vdcm_notify", 0 };
static const struct sim_args ARGS = { ID, SID, TOKEN, PDATA };

static void prologue(struct sim *s)
{
	sim_allocator_attached(s, &SIM_DEFAULT_FREE, 0);
	sim_attached(s, &IOMMU);
	sim_set_alloc(s, PUB, TOKEN, SID);
	sim_alloc(s, PUB, SID, PDATA, ID);
}

/* An ioasid_remove_notifier() record outside the window. */
static uint64_t remove_outside(struct sim *s, enum it_phase ph, const struct sim_sub *sub)
{
	struct it_event e = sim_ev(s, IT_K_REMOVE_NOTIFIER, ph, OTHER);

	e.nb = sub->nb;
	e.cb = sub->cb;
	e.prio = sub->prio;
	e.flags |= IT_F_HAS_CB | IT_F_OUTSIDE;
	return sim_feed(s, &e);
}

/*
 * A removal whose ENTER came before the window (its EXIT is outside too:
 * the frame says so) would be an exit without its entry, and a removal
 * without its add, if judged.  It is not: the run is a plain pass.
 */
static void test_outside_registration_is_not_judged(void **state)
{
	struct sim *s = *state;
	struct it_check_report r;

	prologue(s);
	remove_outside(s, IT_PH_EXIT, &VDCM);
	sim_notify(s, PUB, IT_CMD_BIND, &ARGS, &IOMMU, 1);
	sim_notify(s, PUB, IT_CMD_UNBIND, &ARGS, &IOMMU, 1);
	sim_free(s, PUB, &ARGS, &IOMMU, 1);
	r = sim_finish(s);
	if (r.nv_total)
		fail_msg("invariant %d: %s", r.v[0].inv, r.v[0].msg);
	assert_int_equal(r.unmatched_exits, 0);
	assert_int_equal(r.outside, 1);
	assert_int_equal(r.verdict, IT_VERDICT_PASS);
}

/* The same EXIT inside the window: the model cannot pair it (inconclusive). */
static void test_inside_unpaired_exit_counts(void **state)
{
	struct sim *s = *state;
	struct it_event e;
	struct it_check_report r;

	prologue(s);
	e = sim_ev(s, IT_K_REMOVE_NOTIFIER, IT_PH_EXIT, OTHER);
	e.nb = VDCM.nb;
	e.flags |= IT_F_HAS_CB;
	sim_feed(s, &e);
	sim_notify(s, PUB, IT_CMD_BIND, &ARGS, &IOMMU, 1);
	r = sim_finish(s);
	assert_int_equal(r.unmatched_exits, 1);
	assert_int_equal(r.outside, 0);
	assert_int_equal(r.verdict, IT_VERDICT_INCONCLUSIVE);
	assert_string_equal(r.reason, "could not see: 1 exits without their entry (remove_notifier 1)");
}

/* Only outside records: nothing was observed, whatever their number. */
static void test_only_outside_records_observe_nothing(void **state)
{
	struct sim *s = *state;
	struct it_check_report r;

	remove_outside(s, IT_PH_ENTER, &VDCM);
	remove_outside(s, IT_PH_EXIT, &VDCM);
	r = sim_finish(s);
	assert_int_equal(r.verdict, IT_VERDICT_INCONCLUSIVE);
	assert_string_equal(r.reason, "no events: nothing was observed");
}

static void feed_stats(struct sim *s, uint64_t missed, uint64_t missed_armed)
{
	uint64_t st[IT_STAT__COUNT] = { 0 };

	st[IT_STAT_EXIT_MISSED] = missed;
	st[IT_STAT_EXIT_MISSED_ARMED] = missed_armed;
	it_check_bpf_stats(s->ck, st, IT_STAT__COUNT);
}

/* Exits of calls that began before their probe: outside, not a cause. */
static void test_exit_missed_outside_window_passes(void **state)
{
	struct sim *s = *state;
	struct it_check_report r;

	prologue(s);
	sim_notify(s, PUB, IT_CMD_BIND, &ARGS, &IOMMU, 1);
	feed_stats(s, 7, 0);
	r = sim_finish(s);
	assert_int_equal(r.verdict, IT_VERDICT_PASS);
}

static void test_exit_missed_inside_window_is_inconclusive(void **state)
{
	struct sim *s = *state;
	struct it_check_report r;

	prologue(s);
	sim_notify(s, PUB, IT_CMD_BIND, &ARGS, &IOMMU, 1);
	feed_stats(s, 7, 3);
	r = sim_finish(s);
	assert_int_equal(r.verdict, IT_VERDICT_INCONCLUSIVE);
	assert_string_equal(r.reason,
			    "could not see: 3 exits without their entry inside the armed window");
}

/* An older counter table (fewer entries) has no armed counter to read. */
static void test_short_counter_table(void **state)
{
	struct sim *s = *state;
	uint64_t st[IT_STAT__COUNT] = { 0 };

	prologue(s);
	sim_notify(s, PUB, IT_CMD_BIND, &ARGS, &IOMMU, 1);
	st[IT_STAT_EXIT_MISSED_ARMED] = 3;
	it_check_bpf_stats(s->ck, st, IT_STAT_EXIT_MISSED_ARMED);
	assert_int_equal(sim_finish(s).verdict, IT_VERDICT_PASS);
}

/* A chain that began before the stamp need not reach VDCM ... */
static void test_chain_before_attach_stamp_does_not_expect(void **state)
{
	struct sim *s = *state;
	uint64_t stamp;

	prologue(s);
	sim_add(s, OTHER, &VDCM);	/* its own cb_attached is replaced below */
	stamp = s->ts + 5000;
	sim_attached_at(s, &VDCM, stamp);
	s->ts = stamp - 4000;		/* the chain's ENTER is 1 us before the stamp... */
	sim_notify(s, PUB, IT_CMD_BIND, &ARGS, &IOMMU, 1);
	assert_int_equal(sim_finish(s).nv_total, 0);
}

/* ... one that began after it must: VDCM missing is a violation of rule 2. */
static void test_chain_after_attach_stamp_expects(void **state)
{
	struct sim *s = *state;
	struct it_check_report r;
	uint64_t stamp;

	prologue(s);
	/* VDCM's add, then its attach announced (no sim_add: it announces at once) */
	sim_add_call(s, OTHER, &VDCM);
	stamp = s->ts + 5000;
	sim_attached_at(s, &VDCM, stamp);
	s->ts = stamp;			/* the chain's ENTER is 1 us after the stamp */
	sim_notify(s, PUB, IT_CMD_BIND, &ARGS, &IOMMU, 1);
	r = sim_finish(s);
	assert_int_equal(r.nv_total, 1);
	assert_int_equal(r.v[0].inv, 2);
	assert_int_equal(r.verdict, IT_VERDICT_FAIL);
}

/* The decoder hands IT_F_OUTSIDE on, with the registration's fields. */
static void test_decoder_keeps_outside_flag(void **state)
{
	struct it_decoder d = { 0 };
	struct it_record r;
	struct it_event e;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = IT_K_ADD_NOTIFIER;
	r.phase = IT_PH_EXIT;
	r.nb = VDCM.nb;
	r.cb = VDCM.cb;
	r.prio = VDCM.prio;
	r.flags = IT_F_HAS_CB | IT_F_HAS_RET | IT_F_OUTSIDE;
	r.ioasid = IT_NO_ID;
	r.sid = IT_NO_SID;
	r.depth = 1;
	r.lat_ns = 10;
	assert_int_equal(it_decode(&d, &r, sizeof(r), &e), 0);
	assert_true(e.flags & IT_F_OUTSIDE);
	assert_int_equal(e.nb, VDCM.nb);
	assert_int_equal(e.cb, VDCM.cb);
	assert_int_equal(e.lat_ns, 10);
	it_decoder_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outside_registration_is_not_judged, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_inside_unpaired_exit_counts, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_only_outside_records_observe_nothing, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_exit_missed_outside_window_passes, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_exit_missed_inside_window_is_inconclusive, sim_setup,
						sim_teardown),
		cmocka_unit_test_setup_teardown(test_short_counter_table, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_chain_before_attach_stamp_does_not_expect, sim_setup,
						sim_teardown),
		cmocka_unit_test_setup_teardown(test_chain_after_attach_stamp_expects, sim_setup, sim_teardown),
		cmocka_unit_test(test_decoder_keeps_outside_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
