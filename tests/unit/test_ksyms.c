// SPDX-License-Identifier: GPL-2.0
/* kallsyms parsing with a fake file: modules, nearest-symbol lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ksyms.h"

static char path[512], hidden[512];

static int setup(void **state)
{
	const char *d = getenv("IT_TESTDATA") ? getenv("IT_TESTDATA") : "tests/unit/data";
	struct it_ksyms *ks;

	snprintf(path, sizeof(path), "%s/kallsyms", d);
	snprintf(hidden, sizeof(hidden), "%s/kallsyms-hidden", d);
	ks = it_ksyms_load(path);
	if (!ks)
		return -1;
	*state = ks;
	return 0;
}

static int teardown(void **state)
{
	it_ksyms_free(*state);
	return 0;
}

static void test_load_counts(void **state)
{
	struct it_ksyms *ks = *state;

	assert_int_equal(it_ksyms_count(ks), 19);
	assert_false(it_ksyms_hidden(ks));
	assert_null(it_ksyms_load("/nonexistent/kallsyms"));
}

static void test_by_name(void **state)
{
	struct it_ksyms *ks = *state;
	const struct it_ksym *s;

	s = it_ksyms_by_name(ks, "ioasid_chain", NULL);
	assert_non_null(s);
	assert_int_equal(s->addr, 0xffffffff820e5920ull);
	assert_int_equal(s->type, 'd');
	assert_null(s->mod);
	/* vmlinux wins over a module symbol of the same name */
	s = it_ksyms_by_name(ks, "ioasid_free", NULL);
	assert_int_equal(s->addr, 0xffffffff81337200ull);
	s = it_ksyms_by_name(ks, "ioasid_free", "other_mod");
	assert_non_null(s);
	assert_int_equal(s->addr, 0xffffffffa0010040ull);
	/* module suffix parsed */
	s = it_ksyms_by_name(ks, "harness_kvm_notify", NULL);
	assert_non_null(s);
	assert_string_equal(s->mod, "ioasid_harness");
	assert_null(it_ksyms_by_name(ks, "harness_kvm_notify", "other_mod"));
	assert_null(it_ksyms_by_name(ks, "no_such_symbol", NULL));
}

static void test_by_addr(void **state)
{
	struct it_ksyms *ks = *state;
	const struct it_ksym *s;
	uint64_t off = 99;

	s = it_ksyms_by_addr(ks, 0xffffffffa0002340ull, &off);
	assert_non_null(s);
	assert_string_equal(s->name, "harness_kvm_notify");
	assert_string_equal(s->mod, "ioasid_harness");
	assert_int_equal(off, 0);
	/* inside a function: nearest text symbol below */
	s = it_ksyms_by_addr(ks, 0xffffffffa0002350ull, &off);
	assert_string_equal(s->name, "harness_kvm_notify");
	assert_int_equal(off, 0x10);
	/* aliases at one address: the first in file order */
	s = it_ksyms_by_addr(ks, 0xffffffff81000000ull, &off);
	assert_string_equal(s->name, "_stext");
	/* data symbols are not functions: the text symbol below is returned */
	s = it_ksyms_by_addr(ks, 0xffffffff81336c60ull, &off);
	assert_string_equal(s->name, "default_free");
	/* below everything, and far past the last symbol: unknown */
	assert_null(it_ksyms_by_addr(ks, 0x1000, &off));
	assert_null(it_ksyms_by_addr(ks, 0xffffffffa0010040ull + (4u << 20), &off));
}

static void test_describe(void **state)
{
	struct it_ksyms *ks = *state;
	char buf[128];

	assert_string_equal(it_ksyms_describe(ks, 0xffffffffa00024c0ull, buf, sizeof(buf)),
			    "harness_iommu_notify [ioasid_harness]");
	assert_string_equal(it_ksyms_describe(ks, 0xffffffff81337308ull, buf, sizeof(buf)),
			    "ioasid_free_locked+0x8");
	assert_string_equal(it_ksyms_describe(ks, 0x42, buf, sizeof(buf)), "0x42");
	assert_string_equal(it_ksyms_describe(NULL, 0x42, buf, sizeof(buf)), "0x42");
}

static void test_hidden(void **state)
{
	struct it_ksyms *ks = it_ksyms_load(hidden);

	assert_non_null(ks);
	assert_true(it_ksyms_hidden(ks));
	it_ksyms_free(ks);
}

/*
 * /proc/kallsyms is sorted for vmlinux and not for the modules after it:
 * the loader sorts only that tail and merges.  Against brute force on a
 * stream with a sorted prefix, a shuffled tail and aliases in both.
 */
static void test_sorted_prefix_and_tail(void **state)
{
	enum { NPRE = 150, NTAIL = 150, N = NPRE + NTAIL };
	static uint64_t addr[N];
	static char buf[N * 64];
	const struct it_ksym *s;
	struct it_ksyms *ks;
	size_t len = 0, i, j;
	uint64_t probe;
	FILE *f;

	(void)state;
	srand(7);
	for (i = 0; i < NPRE; i++)	/* sorted, every 5th an alias of the one before */
		addr[i] = 0xffffffff81000000ull + (i % 5 ? i : i - (i > 0)) * 0x40;
	for (i = NPRE; i < N; i++)	/* anywhere, duplicates of the prefix included */
		addr[i] = 0xffffffff81000000ull + (uint64_t)(rand() % (N + 20)) * 0x40;
	for (i = 0; i < N; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%016llx t f%zu%s\n",
				(unsigned long long)addr[i], i, i < NPRE ? "" : "\t[mod]");
	f = fmemopen(buf, len, "r");
	assert_non_null(f);
	ks = it_ksyms_load_stream(f);
	fclose(f);
	assert_non_null(ks);
	assert_int_equal(it_ksyms_count(ks), N);
	for (probe = 0xffffffff81000000ull; probe < 0xffffffff81000000ull + (N + 20) * 0x40;
	     probe += 0x18) {
		size_t best = N;
		char want[16];

		/* the highest address <= probe, first in file order among equals */
		for (j = 0; j < N; j++)
			if (addr[j] <= probe && (best == N || addr[j] > addr[best]))
				best = j;
		s = it_ksyms_by_addr(ks, probe, NULL);
		assert_non_null(s);
		snprintf(want, sizeof(want), "f%zu", best);
		assert_string_equal(s->name, want);
	}
	it_ksyms_free(ks);
}

/*
 * The name index against the linear rule it replaced, on a table large
 * enough for colliding probes: every name found at its own address; a
 * name in several modules and vmlinux gives vmlinux's (mod NULL) or the
 * named module's; the first in file order among the modules when vmlinux
 * has none.  Names that are no symbol's (prefixes, extensions, a space)
 * are not found.
 */
static void test_by_name_index(void **state)
{
	enum { N = 4000 };
	static char buf[N * 64 + 512];
	const struct it_ksym *s;
	struct it_ksyms *ks;
	size_t len = 0, i;
	char name[32];
	FILE *f;

	(void)state;
	for (i = 0; i < N; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%016llx T sym_%zu\n",
				0xffffffff81000000ull + i * 0x10, i);
	len += snprintf(buf + len, sizeof(buf) - len,
			"ffffffffa0000000 t dup\t[m1]\n"
			"ffffffff82000000 d dup\n"
			"ffffffffa0001000 t dup\t[m2]\n"
			"ffffffffa0002000 t only_mods\t[m2]\n"
			"ffffffffa0003000 t only_mods\t[m1]\n");
	f = fmemopen(buf, len, "r");
	assert_non_null(f);
	ks = it_ksyms_load_stream(f);
	fclose(f);
	assert_non_null(ks);
	assert_int_equal(it_ksyms_count(ks), N + 5);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "sym_%zu", i);
		s = it_ksyms_by_name(ks, name, NULL);
		assert_non_null(s);
		assert_int_equal(s->addr, 0xffffffff81000000ull + i * 0x10);
	}
	assert_int_equal(it_ksyms_by_name(ks, "dup", NULL)->addr, 0xffffffff82000000ull);
	assert_int_equal(it_ksyms_by_name(ks, "dup", "m2")->addr, 0xffffffffa0001000ull);
	assert_int_equal(it_ksyms_by_name(ks, "dup", "m1")->addr, 0xffffffffa0000000ull);
	assert_int_equal(it_ksyms_by_name(ks, "only_mods", NULL)->addr, 0xffffffffa0002000ull);
	assert_null(it_ksyms_by_name(ks, "only_mods", "m3"));
	assert_null(it_ksyms_by_name(ks, "sym_", NULL));
	assert_null(it_ksyms_by_name(ks, "sym_40000", NULL));
	assert_null(it_ksyms_by_name(ks, "sym_1 x", NULL));
	assert_null(it_ksyms_by_name(ks, "", NULL));
	it_ksyms_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_counts),
		cmocka_unit_test(test_sorted_prefix_and_tail),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_by_name_index),
		cmocka_unit_test(test_by_addr),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_hidden),
	};

	return cmocka_run_group_tests_name("ksyms", tests, setup, teardown);
}
