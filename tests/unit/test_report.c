// SPDX-License-Identifier: GPL-2.0
/*
 * The check report in every format, rendered from one synthetic run with
 * one violation of invariant 5 (the seed's set_token defect): each format
 * must name the broken invariant, carry both sides of the evidence, and
 * agree on the verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "sim.h"
#include "out/out.h"

static const struct sim_sub KVM = { 0x3000, 0xc000, 0, "harness_kvm_notify", 0 };

/* Render the report of a run where the kvm subscriber gets a NULL token. */
static char *render(const char *format, bool lost, int *verdict)
{
	struct sim s = { 0 };
	struct sim_args good = { 5, 1, 0xabc0, 0xd000 }, bad = good;
	struct it_check_report r;
	struct it_writer *w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	s.ck = it_check_new(NULL);
	bad.token = 0;
	sim_attached(&s, &KVM);
	sim_set_alloc(&s, 1, 0xabc0, 1);
	sim_alloc(&s, 1, 1, 0xd000, 5);
	sim_notify(&s, 1, IT_CMD_BIND, &bad, &KVM, 1);
	sim_notify(&s, 1, IT_CMD_UNBIND, &good, &KVM, 1);
	if (lost)
		it_check_lost(s.ck, 7);
	it_check_finish(s.ck, &r);
	*verdict = r.verdict;
	w = it_writer_new(format, f, stderr);
	assert_non_null(w);
	it_out_verdict(w, &r);
	it_writer_free(w);
	fclose(f);
	it_check_free(s.ck);
	return buf;
}

static void test_ktap(void **state)
{
	int v;
	char *out = render("ktap", false, &v);

	assert_int_equal(v, IT_VERDICT_FAIL);
	assert_non_null(strstr(out, "KTAP version 1\n"));
	assert_non_null(strstr(out, "\n1..11\n"));
	assert_non_null(strstr(out, "\nnot ok 5 args-match\n"));
	assert_non_null(strstr(out, "\nok 3 priority-order # SKIP not exercised by this run\n"));
	assert_non_null(strstr(out, "#   now:   "));
	assert_non_null(strstr(out, "#   cause: "));
	assert_non_null(strstr(out, "alloc_set exit sid=1 token=0xabc0"));
	assert_null(strstr(out, "not ok 1 "));
	free(out);
}

static void test_ktap_inconclusive_skips_the_rest(void **state)
{
	int v;
	char *out = render("ktap", true, &v);

	assert_int_equal(v, IT_VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(out, "ok 1 free-before-allocator # SKIP inconclusive: 7 events lost"));
	assert_non_null(strstr(out, "not ok 5 args-match"));	/* seen violations stay */
	/* any loss makes every violation suspect, even one judged before the
	 * loss was known (live, the drop counter is read after the records
	 * that follow the gap) */
	assert_non_null(strstr(out, "(suspect)"));
	free(out);
}

static void test_junit(void **state)
{
	int v;
	char *out = render("junit", false, &v);

	assert_non_null(strstr(out, "<?xml version=\"1.0\""));
	assert_non_null(strstr(out, "tests=\"11\" failures=\"1\""));
	assert_non_null(strstr(out, "name=\"5 args-match\">\n      <failure type=\"error\""));
	assert_non_null(strstr(out, "set_token=0x0 (want 0xabc0)"));
	assert_non_null(strstr(out, "<skipped message=\"not exercised by this run\"/>"));
	/* balanced: one close per open testcase */
	{
		int open = 0, close = 0;
		const char *p;

		for (p = out; (p = strstr(p, "<testcase ")); p++)
			open++;
		for (p = out; (p = strstr(p, "</testcase>")); p++)
			close++;
		assert_int_equal(open, 11);
		assert_int_equal(close, 11);
	}
	free(out);
}

static void test_json(void **state)
{
	int v;
	char *out = render("json", false, &v);

	assert_non_null(strstr(out, "{\"type\":\"violation\",\"invariant\":5,\"key\":\"args-match\""));
	assert_non_null(strstr(out, "\"now\":{"));
	assert_non_null(strstr(out, "\"cause\":{"));
	assert_non_null(strstr(out, "{\"type\":\"verdict\",\"verdict\":1,"));
	free(out);
}

static void test_text(void **state)
{
	int v;
	char *out = render("text", false, &v);

	assert_non_null(strstr(out, "VIOLATION 5 args-match: harness_kvm_notify got BIND args"));
	assert_non_null(strstr(out, "  broken by:  "));
	assert_non_null(strstr(out, "  expected since: "));
	assert_non_null(strstr(out, "verdict: FAIL (exit 1)"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ktap),
		cmocka_unit_test(test_ktap_inconclusive_skips_the_rest),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
