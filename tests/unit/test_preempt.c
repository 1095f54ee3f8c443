// SPDX-License-Identifier: GPL-2.0
/* The preemption model from kallsyms and debugfs (src/preempt.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "ksyms.h"
#include "preempt.h"

static const char *const plain = "ffffffff81000000 T schedule\n";
static const char *const preempt = "ffffffff81000000 T schedule\n"
				   "ffffffff81000100 T preempt_schedule\n";
static const char *const dynamic = "ffffffff81000000 T schedule\n"
				   "ffffffff81000100 T preempt_schedule\n"
				   "ffffffff81000200 T sched_dynamic_update\n";

/* A temporary file holding text (NULL: a name that does not exist). */
static void temp_file(char *name, size_t len, const char *text)
{
	int fd;

	snprintf(name, len, "/tmp/it-preempt-XXXXXX");
	fd = mkstemp(name);
	assert_true(fd >= 0);
	if (text)
		assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	if (!text)
		unlink(name);
}

/* it_preempt_full() on KALLSYMS with debugfs saying SCHED_PREEMPT. */
static bool judge(const char *kallsyms, const char *sched_preempt, char *how, size_t len)
{
	char ksf[64], dbf[64];
	struct it_ksyms *ks;
	bool full;

	temp_file(ksf, sizeof(ksf), kallsyms);
	temp_file(dbf, sizeof(dbf), sched_preempt);
	ks = it_ksyms_load(ksf);
	assert_non_null(ks);
	full = it_preempt_full(ks, dbf, how, len);
	it_ksyms_free(ks);
	unlink(ksf);
	unlink(dbf);
	return full;
}

static void test_not_preemptible(void **state)
{
	char how[96];

	assert_false(judge(plain, "none voluntary (full)\n", how, sizeof(how)));
	assert_non_null(strstr(how, "not CONFIG_PREEMPTION"));
}

static void test_config_preempt(void **state)
{
	char how[96];

	/* Without PREEMPT_DYNAMIC debugfs has no say. */
	assert_true(judge(preempt, "none (voluntary) full\n", how, sizeof(how)));
	assert_string_equal(how, "full (CONFIG_PREEMPT)");
}

static void test_dynamic_reads_debugfs(void **state)
{
	char how[96];

	assert_false(judge(dynamic, "none (voluntary) full\n", how, sizeof(how)));
	assert_string_equal(how, "voluntary (PREEMPT_DYNAMIC)");
	assert_false(judge(dynamic, "(none) voluntary full\n", how, sizeof(how)));
	assert_true(judge(dynamic, "none voluntary (full)\n", how, sizeof(how)));
	assert_string_equal(how, "full (PREEMPT_DYNAMIC)");
}

static void test_dynamic_unknown_is_full(void **state)
{
	char how[96];

	assert_true(judge(dynamic, NULL, how, sizeof(how)));
	assert_non_null(strstr(how, "assumed"));
	assert_true(judge(dynamic, "garbage\n", how, sizeof(how)));
	assert_non_null(strstr(how, "assumed"));
	assert_true(judge(dynamic, "", how, sizeof(how)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_preemptible),
		cmocka_unit_test(test_config_preempt),
		cmocka_unit_test(test_dynamic_reads_debugfs),
		cmocka_unit_test(test_dynamic_unknown_is_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
