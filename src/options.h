/* SPDX-License-Identifier: GPL-2.0 */
/* Command line: subcommands and their options (argp), validated. */
#ifndef IT_OPTIONS_H
#define IT_OPTIONS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum it_subcmd { IT_SUB_NONE = 0, IT_SUB_TRACE, IT_SUB_HIST, IT_SUB_DOCTOR, IT_SUB_CHECK,
		 IT_SUB_RECORD, IT_SUB_REPORT };

enum it_unit { IT_UNIT_NS = 0, IT_UNIT_US, IT_UNIT_MS };

/*
 * hist --callback-latency: callbacks timed by their chain (entry to the next
 * entry or the chain's return) or to their own return; AUTO = chain where
 * the kernel builds the histograms unfiltered, else return.
 */
enum it_cb_latency { IT_CBL_AUTO = 0, IT_CBL_CHAIN, IT_CBL_RETURN };

/* How to attach: decided per function by probing, or forced (testing the fallback). */
enum it_mode_pref { IT_PREF_AUTO = 0, IT_PREF_FENTRY, IT_PREF_KPROBE };

struct it_options {
	enum it_subcmd sub;
	double duration_s;	/* -d, 0 = until SIGINT/SIGTERM or CMD exits */
	double interval_s;	/* -i, 0 = none */
	uint32_t pid;		/* -p, 0 = all */
	bool has_ioasid, has_sid, has_cmd;
	uint32_t ioasid;
	int32_t sid;
	uint32_t cmd;
	enum it_unit unit;	/* -u / -m */
	bool json;		/* -j */
	bool dry_run;
	int verbose;		/* -v, repeatable */
	uint32_t sub_bits;	/* hist --linear[=K]: 2^K sub-buckets; 0 = log2 */
	enum it_cb_latency cb_latency;	/* hist --callback-latency */
	enum it_mode_pref mode;
	uint64_t ringbuf_bytes;	/* --buffer, 0 = the mode's default (session.c) */
	char **child_argv;	/* trace/hist -- CMD ARGS (NULL-terminated), or NULL */
	/* check */
	const char *format;	/* --format text|json|ktap|junit (report: text|json|perfetto) */
	const char *output;	/* -o FILE, NULL = stdout (record: the file to write) */
	const char *input;	/* check/hist --input FILE, report FILE: a recorded trace */
	const char *record;	/* check/hist --record FILE: also write the live run to FILE */
	bool salvage;		/* --salvage: read a recording that did not finish */
	bool strict;		/* warnings fail too */
	bool fail_fast;
	uint32_t only_mask;	/* --only: bit N = invariant N; 0 = all */
	bool help_shown;	/* --help/--usage printed: exit 0 */
	FILE *err;		/* where errors go (tests: a memstream) */
};

/*
 * Parse argv (argv[0] is the program, argv[1] the subcommand).
 * 0: ok (check help_shown), -1: error (one line written to o->err / stderr).
 */
int it_options_parse(int argc, char **argv, struct it_options *o);

const char *it_unit_name(enum it_unit u);	/* "ns", "us", "ms" */
uint64_t it_unit_ns(enum it_unit u);		/* 1, 1000, 1000000 */

/* The one error-line format: "ioasid-trace: <message>\n" on f. */
void it_verror(FILE *f, const char *fmt, va_list ap);

/* "4096", "4K", "16M", "1G" (binary units, optional B) -> bytes; 0 on error. */
uint64_t it_parse_size(const char *s);

/* "10", "10s", "500ms", "2m", "1.5" -> seconds; -1 on error. */
double it_parse_seconds(const char *s);

#endif
