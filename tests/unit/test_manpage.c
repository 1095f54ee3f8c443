// SPDX-License-Identifier: GPL-2.0
/*
 * --help and the man page agree: for each subcommand, every long option its
 * --help lists has a .TP entry in that subcommand's .SS section of
 * docs/ioasid-trace.8, and every entry there is an option --help lists.
 * --help and --usage are documented once, under GENERAL OPTIONS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>
#include "options.h"

#define MAXOPT 48

struct optset {
	char name[MAXOPT][32];
	int n;
};

static void add(struct optset *s, const char *p, size_t len)
{
	int i;

	if (len >= 32 || (len == 4 && !strncmp(p, "help", 4)) || (len == 5 && !strncmp(p, "usage", 5)))
		return;
	for (i = 0; i < s->n; i++)
		if (strlen(s->name[i]) == len && !strncmp(s->name[i], p, len))
			return;
	assert_true(s->n < MAXOPT);
	memcpy(s->name[s->n], p, len);
	s->name[s->n++][len] = '\0';
}

static bool has(const struct optset *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return true;
	return false;
}

/* The option lines of `ioasid-trace SUB --help` ("  -d, --duration=S ..."). */
static void help_options(const char *sub, struct optset *s)
{
	char *argv[] = { "ioasid-trace", (char *)sub, "--help", NULL };
	struct it_options o = { 0 };
	char line[512];
	FILE *tmp = tmpfile();
	int saved;

	assert_non_null(tmp);
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(tmp), 1);
	assert_int_equal(it_options_parse(3, argv, &o), 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	assert_true(o.help_shown);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp)) {
		char *p = line + strspn(line, " ");

		if (p == line || *p != '-')
			continue;	/* only option lines start indented with a dash */
		if (p[1] != '-') {	/* "-d, --duration" */
			p = strstr(p, ", --");
			if (!p)
				continue;
			p += 2;
		}
		p += 2;
		add(s, p, strspn(p, "abcdefghijklmnopqrstuvwxyz-"));
	}
	fclose(tmp);
}

/* The \-\-names on the line after each .TP inside ".SS sub". */
static void man_options(const char *sub, struct optset *s)
{
	const char *top = getenv("IT_TOP");
	char path[512], line[1024], want[64];
	bool in = false, after_tp = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/docs/ioasid-trace.8", top ? top : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	snprintf(want, sizeof(want), ".SS %s\n", sub);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, ".SS ", 4) || !strncmp(line, ".SH ", 4)) {
			in = !strcmp(line, want);
			continue;
		}
		if (!in)
			continue;
		if (!strncmp(line, ".TP", 3)) {
			after_tp = true;
			continue;
		}
		if (after_tp) {
			char *p = line;

			while ((p = strstr(p, "\\-\\-"))) {
				p += 4;
				char name[32];
				size_t n = 0;

				while (n < sizeof(name) - 1 && (p[n] == '\\' || p[n] == '-' ||
				       (p[n] >= 'a' && p[n] <= 'z'))) {
					if (p[n] == '\\' && p[n + 1] != '-')
						break;
					n++;
				}
				/* roff writes '-' as "\-" */
				size_t k = 0;
				for (size_t i = 0; i < n; i++)
					if (p[i] != '\\')
						name[k++] = p[i];
				name[k] = '\0';
				add(s, name, k);
				p += n;
			}
		}
		after_tp = false;
	}
	fclose(f);
}

static void compare(const char *sub)
{
	struct optset help = { 0 }, man = { 0 };
	int i, bad = 0;

	help_options(sub, &help);
	man_options(sub, &man);
	assert_true(help.n > 0);
	for (i = 0; i < help.n; i++)
		if (!has(&man, help.name[i])) {
			print_message("%s: --%s is in --help but not in the man page\n", sub, help.name[i]);
			bad++;
		}
	for (i = 0; i < man.n; i++)
		if (!has(&help, man.name[i])) {
			print_message("%s: --%s is in the man page but not in --help\n", sub, man.name[i]);
			bad++;
		}
	assert_int_equal(bad, 0);
}

static void test_trace(void **s) { compare("trace"); }
static void test_hist(void **s) { compare("hist"); }
static void test_check(void **s) { compare("check"); }
static void test_record(void **s) { compare("record"); }
static void test_report(void **s) { compare("report"); }
static void test_doctor(void **s) { compare("doctor"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_hist),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_doctor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
