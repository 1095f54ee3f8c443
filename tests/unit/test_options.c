// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing: values, the command after --, one-line errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "options.h"

static char errbuf[4096];

/* Parse a NULL-terminated list; errors land in errbuf. */
static int parse(struct it_options *o, ...)
{
	static char *argv[32];	/* child_argv points into it after return */
	int argc = 0, rc;
	va_list ap;
	FILE *f;

	argv[argc++] = "ioasid-trace";
	va_start(ap, o);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	memset(o, 0, sizeof(*o));
	memset(errbuf, 0, sizeof(errbuf));
	f = fmemopen(errbuf, sizeof(errbuf) - 1, "w");
	o->err = f;
	rc = it_options_parse(argc, argv, o);
	fclose(f);
	o->err = NULL;
	return rc;
}

static void test_trace_ok(void **state)
{
	struct it_options o;

	assert_int_equal(parse(&o, "trace", "-j", "-d", "500ms", "-p", "42", "--ioasid", "0x10",
			       "--sid", "3", "--cmd", "unbind", "-u", "-vv", NULL), 0);
	assert_int_equal(o.sub, IT_SUB_TRACE);
	assert_true(o.json);
	assert_float_equal(o.duration_s, 0.5, 1e-12);
	assert_int_equal(o.pid, 42);
	assert_true(o.has_ioasid);
	assert_int_equal(o.ioasid, 16);
	assert_true(o.has_sid);
	assert_int_equal(o.sid, 3);
	assert_int_equal(o.cmd, 4);
	assert_int_equal(o.unit, IT_UNIT_US);
	assert_int_equal(o.verbose, 2);
	assert_null(o.child_argv);
}

static void test_child_command(void **state)
{
	struct it_options o;

	assert_int_equal(parse(&o, "trace", "-j", "--", "sh", "-c", "echo -d", NULL), 0);
	assert_non_null(o.child_argv);
	assert_string_equal(o.child_argv[0], "sh");
	assert_string_equal(o.child_argv[1], "-c");	/* not taken as an option */
	assert_string_equal(o.child_argv[2], "echo -d");
	assert_null(o.child_argv[3]);
	assert_float_equal(o.duration_s, 0, 0);
	/* options after the command belong to it even without -- */
	assert_int_equal(parse(&o, "hist", "-m", "./load.sh", "-d", "3", NULL), 0);
	assert_string_equal(o.child_argv[0], "./load.sh");
	assert_string_equal(o.child_argv[1], "-d");
	assert_float_equal(o.duration_s, 0, 0);
	assert_int_equal(o.unit, IT_UNIT_MS);
}

static void test_hist_linear(void **state)
{
	struct it_options o;

	assert_int_equal(parse(&o, "hist", "--linear", NULL), 0);
	assert_int_equal(o.sub_bits, 3);
	assert_int_equal(parse(&o, "hist", "--linear=2", "-i", "1", NULL), 0);
	assert_int_equal(o.sub_bits, 2);
	assert_float_equal(o.interval_s, 1, 0);
	assert_int_equal(parse(&o, "hist", NULL), 0);
	assert_int_equal(o.sub_bits, 0);	/* log2 by default */
}

/* Each bad value: non-zero, exactly one line naming the option. */
static void expect_error(const char *needle, int n, char **args)
{
	struct it_options o;
	char *argv[16];
	int argc = 0, rc;
	FILE *f;

	argv[argc++] = "ioasid-trace";
	for (int i = 0; i < n; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	memset(&o, 0, sizeof(o));
	memset(errbuf, 0, sizeof(errbuf));
	f = fmemopen(errbuf, sizeof(errbuf) - 1, "w");
	o.err = f;
	rc = it_options_parse(argc, argv, &o);
	fclose(f);
	if (rc == 0 || !strstr(errbuf, needle))
		fail_msg("args '%s ...' gave rc=%d, message '%s' (wanted '%s')", args[0], rc,
			 errbuf, needle);
	if (strchr(errbuf, '\n') != errbuf + strlen(errbuf) - 1)
		fail_msg("not one line: '%s'", errbuf);
	assert_true(!strncmp(errbuf, "ioasid-trace: ", 14));
}

#define ERR(needle, ...) do {							\
		char *a_[] = { __VA_ARGS__ };					\
		expect_error(needle, sizeof(a_) / sizeof(a_[0]), a_);		\
	} while (0)

static void test_errors(void **state)
{
	ERR("bad --duration '0'", "trace", "-d", "0");
	ERR("bad --duration 'soon'", "trace", "-d", "soon");
	ERR("bad --interval '-1'", "hist", "-i", "-1");
	ERR("bad --pid '0'", "trace", "-p", "0");
	ERR("bad --pid 'x'", "trace", "-p", "x");
	ERR("bad --ioasid '0xffffffff'", "trace", "--ioasid", "0xffffffff");
	ERR("bad --ioasid '-3'", "trace", "--ioasid", "-3");
	ERR("bad --sid", "trace", "--sid", "-1");
	ERR("bad --cmd 'eat'", "trace", "--cmd", "eat");
	ERR("-u and -m", "hist", "-u", "-m");
	ERR("bad --linear '6'", "hist", "--linear=6");
	ERR("bad --linear '0'", "hist", "--linear=0");
	ERR("bad --mode 'ebpf'", "trace", "--mode", "ebpf");
	ERR("unknown subcommand 'tarce'", "tarce");
	ERR("doctor takes no command", "doctor", "ls");
	ERR("--interval: longer than --duration", "trace", "-d", "1", "-i", "2");
	ERR("bad --buffer '3K'", "check", "--buffer", "3K");
	ERR("bad --buffer '2K'", "record", "-o", "x.itr", "--buffer", "2K");
	ERR("bad --buffer '2G'", "hist", "--buffer", "2G");
	ERR("bad --buffer '16Q'", "trace", "--buffer", "16Q");
	ERR("bad --buffer '-4K'", "trace", "--buffer", "-4K");
}

/* --buffer: binary suffixes, powers of two only; 0 (default) when absent. */
static void test_buffer(void **state)
{
	struct it_options o;

	(void)state;
	assert_int_equal(parse(&o, "check", "--buffer", "64M", NULL), 0);
	assert_int_equal(o.ringbuf_bytes, 64ull << 20);
	assert_int_equal(parse(&o, "record", "-o", "x.itr", "--buffer=4K", NULL), 0);
	assert_int_equal(o.ringbuf_bytes, 4096);
	assert_int_equal(parse(&o, "hist", "--buffer", "1G", NULL), 0);
	assert_int_equal(o.ringbuf_bytes, 1ull << 30);
	assert_int_equal(parse(&o, "trace", "--buffer", "8192", NULL), 0);
	assert_int_equal(o.ringbuf_bytes, 8192);
	assert_int_equal(parse(&o, "trace", NULL), 0);
	assert_int_equal(o.ringbuf_bytes, 0);
	assert_int_equal(it_parse_size("16MB"), 16ull << 20);
	assert_int_equal(it_parse_size("k"), 0);
	assert_int_equal(it_parse_size("0"), 0);
	/* 2^34 + 1 gigabytes would wrap to exactly 1G if shifted first */
	assert_int_equal(it_parse_size("17179869185G"), 0);
	assert_int_equal(it_parse_size("1024G"), 1ull << 40);
	assert_int_equal(it_parse_size("1025G"), 0);
}

/*
 * hist --callback-latency: chain or return; chain asked for where the
 * kernel cannot time by the chain (filters, a recording) is an error, not
 * a silent switch to return.
 */
static void test_callback_latency(void **state)
{
	struct it_options o;

	(void)state;
	assert_int_equal(parse(&o, "hist", NULL), 0);
	assert_int_equal(o.cb_latency, IT_CBL_AUTO);
	assert_int_equal(parse(&o, "hist", "--callback-latency", "chain", "-p", "7", NULL), 0);
	assert_int_equal(o.cb_latency, IT_CBL_CHAIN);
	assert_int_equal(parse(&o, "hist", "--callback-latency=return", "--cmd", "bind", NULL), 0);
	assert_int_equal(o.cb_latency, IT_CBL_RETURN);
	ERR("bad --callback-latency 'exit': want chain or return", "hist",
	    "--callback-latency", "exit");
	ERR("bad option --callback-latency chain", "hist", "--callback-latency", "chain",
	    "--cmd", "bind");
	ERR("bad option --callback-latency chain", "hist", "--callback-latency", "chain",
	    "--record", "x.itr");
	ERR("bad option --callback-latency chain", "hist", "--ioasid", "5",
	    "--callback-latency", "chain");
	ERR("bad option '--callback-latency': unknown", "check", "--callback-latency", "chain");
}

/* --salvage: for reading a recording (report, check --input, hist --input) only. */
static void test_salvage(void **state)
{
	struct it_options o;

	(void)state;
	assert_int_equal(parse(&o, "report", "--salvage", "run.itr", NULL), 0);
	assert_true(o.salvage);
	assert_int_equal(parse(&o, "check", "--input", "run.itr", "--salvage", NULL), 0);
	assert_true(o.salvage);
	assert_int_equal(parse(&o, "hist", "--input", "run.itr", "--salvage", NULL), 0);
	assert_true(o.salvage);
	assert_int_equal(parse(&o, "check", NULL), 0);
	assert_false(o.salvage);
	ERR("bad option --salvage: it reads a recording (--input FILE)", "check", "--salvage");
	ERR("bad option --salvage: it reads a recording (--input FILE)", "hist", "--salvage");
	ERR("bad option '--salvage': unknown", "trace", "--salvage");
	ERR("bad option '--salvage': unknown", "record", "-o", "x.itr", "--salvage");
}

/*
 * -i is the interval wherever it is taken (trace, hist), as in libbpf-tools
 * and bpftrace, whatever files exist; a recording is --input FILE (or
 * report's FILE argument).  It was hist's input when a file of that name
 * existed: the same command line meant two things in two directories.
 */
static void test_one_meaning_for_i(void **state)
{
	char dir[] = "/tmp/it-test-options-XXXXXX", cwd[4096];
	struct it_options o;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	f = fopen("1", "w");	/* a file named like an interval */
	assert_non_null(f);
	fclose(f);
	f = fopen("run.itr", "w");
	assert_non_null(f);
	fclose(f);

	assert_int_equal(parse(&o, "hist", "-i", "1", NULL), 0);
	assert_float_equal(o.interval_s, 1, 0);
	assert_null(o.input);
	ERR("bad --interval 'run.itr': want a positive time like 1, 1s, 500ms; a recording is "
	    "--input FILE", "hist", "-i", "run.itr");
	ERR("bad --interval 'x'", "trace", "-i", "x");
	assert_int_equal(parse(&o, "hist", "--input", "run.itr", NULL), 0);
	assert_string_equal(o.input, "run.itr");
	assert_float_equal(o.interval_s, 0, 0);
	assert_int_equal(parse(&o, "check", "--input", "run.itr", NULL), 0);
	assert_string_equal(o.input, "run.itr");
	assert_int_equal(parse(&o, "report", "--input", "run.itr", NULL), 0);
	assert_string_equal(o.input, "run.itr");
	assert_int_equal(parse(&o, "report", "run.itr", NULL), 0);
	assert_string_equal(o.input, "run.itr");
	/* where -i was the input: a one-line pointer to --input, not a file read */
	ERR("bad option -i 'run.itr': check has no interval; a recording is --input FILE",
	    "check", "-i", "run.itr");
	ERR("bad option -i 'run.itr': report has no interval; a recording is FILE or --input FILE",
	    "report", "-i", "run.itr");
	ERR("report reads one file", "report", "--input", "a.itr", "b.itr");
	ERR("report reads one file", "report", "a.itr", "--input", "b.itr");
	ERR("bad options: --input FILE reads a recording", "hist", "--input", "run.itr", "-i", "1");

	unlink("1");
	unlink("run.itr");
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);
}

static void test_seconds(void **state)
{
	assert_float_equal(it_parse_seconds("10"), 10, 0);
	assert_float_equal(it_parse_seconds("1.5s"), 1.5, 0);
	assert_float_equal(it_parse_seconds("250ms"), 0.25, 1e-12);
	assert_float_equal(it_parse_seconds("2m"), 120, 0);
	assert_float_equal(it_parse_seconds("1h"), 3600, 0);
	assert_float_equal(it_parse_seconds("5d"), -1, 0);
	assert_float_equal(it_parse_seconds(""), -1, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_ok),
		cmocka_unit_test(test_child_command),
		cmocka_unit_test(test_hist_linear),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_buffer),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_callback_latency),
		cmocka_unit_test(test_salvage),
		cmocka_unit_test(test_one_meaning_for_i),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
