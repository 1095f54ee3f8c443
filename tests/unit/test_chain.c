// SPDX-License-Identifier: GPL-2.0
/*
 * The chain follower (src/chain.c): when a callback gets and loses its
 * probes, fed decoded events through a pipeline, with fake probes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "chain.h"

#define VDCM_CB	0xffffffffa0002310ull	/* harness_vdcm_notify in tests/unit/data/kallsyms */
#define KVM_CB	0xffffffffa0002340ull	/* harness_kvm_notify */
#define NB_A	0xffff888000100000ull
#define NB_B	0xffff888000200000ull

static int attached, detached;

static int fake_attach(struct it_attach *a, uint64_t cb, const char *sym, const char *mod,
		       struct it_cb_link *out, char *why, size_t whylen)
{
	attached++;
	out->mode = IT_MODE_FENTRY;
	return 0;
}

static void fake_detach(struct it_cb_link *l)
{
	detached++;
	l->mode = IT_MODE_NONE;
}

static const struct it_chain_probe_ops fakes = { .attach = fake_attach, .detach = fake_detach };

/* What the follower announced, in order: kind and nb of each meta event. */
struct seen {
	struct it_consumer cons;
	int n;
	enum it_kind kind[16];
	uint64_t nb[16];
	int64_t ret[16];
};

static int seen_event(struct it_consumer *c, const struct it_event *e)
{
	struct seen *s = c->priv;

	if (e->kind < IT_K_META_ATTACHED || e->kind == IT_K_META_LOST || s->n == 16)
		return IT_CONSUME_OK;
	s->kind[s->n] = e->kind;
	s->nb[s->n] = e->nb;
	s->ret[s->n] = e->ret;
	s->n++;
	return IT_CONSUME_OK;
}

static const struct it_consumer_ops seen_ops = { .name = "seen", .event = seen_event };

struct bed {
	struct it_pipeline pipe;
	struct it_chain chain;
	struct seen seen;
};

static int setup(void **state)
{
	const char *d = getenv("IT_TESTDATA") ? getenv("IT_TESTDATA") : "tests/unit/data";
	struct bed *b = calloc(1, sizeof(*b));
	char path[512];

	snprintf(path, sizeof(path), "%s/kallsyms", d);
	it_pipeline_init(&b->pipe);
	b->pipe.dec.ksyms = it_ksyms_load(path);
	assert_non_null(b->pipe.dec.ksyms);
	/* not dereferenced by the fakes; non-NULL means "attach" */
	it_chain_init(&b->chain, (struct it_attach *)b, fopen("/dev/null", "w"), 0);
	b->chain.probe = &fakes;
	b->seen.cons.ops = &seen_ops;
	b->seen.cons.priv = &b->seen;
	assert_int_equal(it_pipeline_add(&b->pipe, &b->chain.consumer), 0);
	assert_int_equal(it_pipeline_add(&b->pipe, &b->seen.cons), 0);
	assert_int_equal(it_pipeline_begin(&b->pipe), 0);
	attached = detached = 0;
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	struct bed *b = *state;

	it_chain_fini(&b->chain);
	fclose(b->chain.diag);
	it_pipeline_fini(&b->pipe);
	free(b);
	return 0;
}

static void feed(struct bed *b, enum it_kind k, enum it_phase ph, uint32_t tid, uint64_t nb,
		 uint64_t cb)
{
	struct it_event e = { .kind = k, .phase = ph, .tid = tid, .pid = tid, .nb = nb, .cb = cb };

	e.seq = ++b->pipe.dec.seq;
	if (ph == IT_PH_EXIT)
		e.flags |= IT_F_HAS_RET;
	if (cb)
		e.flags |= IT_F_HAS_CB;
	assert_int_equal(it_pipeline_event(&b->pipe, &e), 0);
}

static void add(struct bed *b, uint32_t tid, uint64_t nb, uint64_t cb)
{
	feed(b, IT_K_ADD_NOTIFIER, IT_PH_ENTER, tid, nb, cb);
	feed(b, IT_K_ADD_NOTIFIER, IT_PH_EXIT, tid, nb, cb);
}

static void removal(struct bed *b, uint32_t tid, uint64_t nb)
{
	feed(b, IT_K_REMOVE_NOTIFIER, IT_PH_ENTER, tid, nb, 0);
	feed(b, IT_K_REMOVE_NOTIFIER, IT_PH_EXIT, tid, nb, 0);
}

/* No chain call running: the removed callback loses its probes at once. */
static void test_remove_detaches_when_idle(void **state)
{
	struct bed *b = *state;

	add(b, 1, NB_A, VDCM_CB);
	assert_int_equal(attached, 1);
	removal(b, 1, NB_A);
	assert_int_equal(detached, 1);
	assert_int_equal(b->seen.n, 2);
	assert_int_equal(b->seen.kind[0], IT_K_META_ATTACHED);
	assert_int_equal(b->seen.kind[1], IT_K_META_DETACHED);
	assert_true(b->seen.nb[1] == NB_A);
}

/*
 * A chain call of task 2 began before task 1's removal returned: a kernel
 * whose removal does not wait can still call the block from it, so the
 * callback stays traced until that call ends, not a moment less.
 */
static void test_remove_waits_for_running_chain(void **state)
{
	struct bed *b = *state;

	add(b, 1, NB_A, VDCM_CB);
	feed(b, IT_K_CHAIN, IT_PH_ENTER, 2, 0, 0);
	removal(b, 1, NB_A);
	assert_int_equal(detached, 0);
	feed(b, IT_K_CALLBACK, IT_PH_ENTER, 2, NB_A, VDCM_CB);
	feed(b, IT_K_CALLBACK, IT_PH_EXIT, 2, NB_A, VDCM_CB);
	assert_int_equal(detached, 0);
	feed(b, IT_K_CHAIN, IT_PH_EXIT, 2, 0, 0);
	assert_int_equal(detached, 1);
	assert_int_equal(b->seen.kind[b->seen.n - 1], IT_K_META_DETACHED);
}

/* A chain call that began after the removal returned cannot hold it. */
static void test_later_chain_does_not_hold(void **state)
{
	struct bed *b = *state;

	add(b, 1, NB_A, VDCM_CB);
	feed(b, IT_K_CHAIN, IT_PH_ENTER, 2, 0, 0);
	removal(b, 1, NB_A);
	feed(b, IT_K_CHAIN, IT_PH_ENTER, 3, 0, 0);
	feed(b, IT_K_CHAIN, IT_PH_EXIT, 2, 0, 0);
	assert_int_equal(detached, 1);
	feed(b, IT_K_CHAIN, IT_PH_EXIT, 3, 0, 0);
	assert_int_equal(detached, 1);
}

/* Nested chain calls on one task: the outer one's end is what counts. */
static void test_nested_chain_on_one_task(void **state)
{
	struct bed *b = *state;

	add(b, 1, NB_A, VDCM_CB);
	feed(b, IT_K_CHAIN, IT_PH_ENTER, 2, 0, 0);
	removal(b, 1, NB_A);
	feed(b, IT_K_CHAIN, IT_PH_ENTER, 2, 0, 0);
	feed(b, IT_K_CHAIN, IT_PH_EXIT, 2, 0, 0);
	assert_int_equal(detached, 0);
	feed(b, IT_K_CHAIN, IT_PH_EXIT, 2, 0, 0);
	assert_int_equal(detached, 1);
}

/* Lost records may have held the EXIT: waiting for it would pin forever. */
static void test_loss_ends_the_wait(void **state)
{
	struct bed *b = *state;

	add(b, 1, NB_A, VDCM_CB);
	feed(b, IT_K_CHAIN, IT_PH_ENTER, 2, 0, 0);
	removal(b, 1, NB_A);
	it_pipeline_lost(&b->pipe, 5, 0);
	assert_int_equal(detached, 1);
}

/* Two blocks with one callback: both announced, one probe, kept while used. */
static void test_shared_callback(void **state)
{
	struct bed *b = *state;

	add(b, 1, NB_A, KVM_CB);
	add(b, 1, NB_B, KVM_CB);
	assert_int_equal(attached, 1);
	assert_int_equal(b->seen.n, 2);
	assert_int_equal(b->seen.kind[1], IT_K_META_ATTACHED);
	assert_true(b->seen.nb[1] == NB_B);
	removal(b, 1, NB_A);
	assert_int_equal(detached, 0);
	removal(b, 1, NB_B);
	assert_int_equal(detached, 1);
}

/* Re-registered while a running call held the retired probe: it stays. */
static void test_readd_while_retiring(void **state)
{
	struct bed *b = *state;

	add(b, 1, NB_A, VDCM_CB);
	feed(b, IT_K_CHAIN, IT_PH_ENTER, 2, 0, 0);
	removal(b, 1, NB_A);
	add(b, 1, NB_A, VDCM_CB);
	feed(b, IT_K_CHAIN, IT_PH_EXIT, 2, 0, 0);
	assert_int_equal(attached, 1);
	assert_int_equal(detached, 0);
}

/* The end of the run announces every block whose probes go, retiring ones too. */
static void test_fini_announces_each_block(void **state)
{
	struct bed *b = *state;
	int i, detached_seen = 0;

	add(b, 1, NB_A, VDCM_CB);
	add(b, 1, NB_B, KVM_CB);
	feed(b, IT_K_CHAIN, IT_PH_ENTER, 2, 0, 0);
	removal(b, 1, NB_B);			/* retiring: the chain still runs */
	it_chain_fini(&b->chain);
	assert_int_equal(detached, 2);
	for (i = 0; i < b->seen.n; i++)
		if (b->seen.kind[i] == IT_K_META_DETACHED)
			detached_seen |= b->seen.nb[i] == NB_A ? 1 : b->seen.nb[i] == NB_B ? 2 : 4;
	assert_int_equal(detached_seen, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_remove_detaches_when_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_waits_for_running_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_later_chain_does_not_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_chain_on_one_task, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loss_ends_the_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readd_while_retiring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fini_announces_each_block, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
