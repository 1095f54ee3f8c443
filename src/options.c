// SPDX-License-Identifier: GPL-2.0
/*
 * argp for "ioasid-trace SUBCOMMAND [OPTIONS] [-- CMD ARGS]".  argv[1]
 * selects the subcommand; each has its own argp so --help shows only what
 * applies.  Errors are one line: "ioasid-trace: <what> '<value>': <why>".
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "check/check.h"
#include "options.h"

const char *argp_program_version = "ioasid-trace 0.1";
const char *argp_program_bug_address = NULL;

enum {
	OPT_IOASID = 0x100,
	OPT_SID,
	OPT_CMD,
	OPT_DRY_RUN,
	OPT_LINEAR,
	OPT_MODE,
	OPT_HELP,
	OPT_USAGE,
	OPT_FORMAT,
	OPT_STRICT,
	OPT_ONLY,
	OPT_FAIL_FAST,
	OPT_INPUT,
	OPT_RECORD,
	OPT_BUFFER,
	OPT_CB_LATENCY,
	OPT_SALVAGE,
};

#define HELP_OPTIONS							\
	{ "help", OPT_HELP, NULL, 0, "Give this help list", -1 },	\
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 }

#define FILTER_OPTIONS							\
	{ "pid", 'p', "PID", 0, "Only this process", 0 },		\
	{ "ioasid", OPT_IOASID, "ID", 0, "Only events about this IOASID", 0 }, \
	{ "sid", OPT_SID, "SID", 0, "Only events about this IOASID set", 0 }, \
	{ "cmd", OPT_CMD, "CMD", 0, "Only notifications of CMD (alloc, free, bind, unbind or a number)", 0 }

/*
 * check and report have no interval: -i was their input once, and now only
 * says where the input went, so an old command line fails with one line
 * instead of meaning something else.
 */
#define OLD_INPUT_OPTION						\
	{ NULL, 'i', "FILE", OPTION_HIDDEN, NULL, 0 }

/* What every subcommand that attaches (trace, hist, record, check) takes: one text each. */
#define LIVE_OPTIONS							\
	{ "dry-run", OPT_DRY_RUN, NULL, 0, "List what would be attached, and how; attach nothing", 0 }, \
	{ "mode", OPT_MODE, "MODE", 0, "auto (default: fentry, else kprobe per function), fentry or kprobe", 0 }, \
	{ "buffer", OPT_BUFFER, "SIZE", 0, "Ring buffer size, a power of two (4K .. 1G; default 32M, recording 64M, hist 256K)", 0 }, \
	{ "verbose", 'v', NULL, 0, "More detail (libbpf messages with -vv)", 0 }, \
	HELP_OPTIONS

#define SALVAGE_OPTION							\
	{ "salvage", OPT_SALVAGE, NULL, 0,					\
	  "Read a recording that did not finish (its writer was killed) up to its last "	\
	  "complete block; nothing is known of what followed", 0 }

#define COMMON_OPTIONS							\
	{ "duration", 'd', "SECONDS", 0, "Stop after this long (10, 10s, 500ms, 2m)", 0 }, \
	{ "interval", 'i', "SECONDS", 0, "Print periodically (hist: and reset)", 0 }, \
	FILTER_OPTIONS,							\
	{ "microseconds", 'u', NULL, 0, "Latencies in microseconds", 0 }, \
	{ "milliseconds", 'm', NULL, 0, "Latencies in milliseconds", 0 }, \
	{ "json", 'j', NULL, 0, "JSON output (NDJSON for events)", 0 }, \
	LIVE_OPTIONS

static const struct argp_option trace_options[] = {
	COMMON_OPTIONS,
	{},
};

static const struct argp_option hist_options[] = {
	COMMON_OPTIONS,
	{ "linear", OPT_LINEAR, "K", OPTION_ARG_OPTIONAL,
	  "Show log-linear buckets: 2^K sub-buckets per power of two (K = 1..5, default 3; the kernel always keeps K = 5)", 0 },
	{ "input", OPT_INPUT, "FILE", 0,
	  "Histograms of a recorded trace (ioasid-trace record) instead of the live kernel, "
	  "with exact percentiles", 0 },
	SALVAGE_OPTION,
	{ "record", OPT_RECORD, "FILE", 0, "Also record the live run's events to FILE", 0 },
	{ "callback-latency", OPT_CB_LATENCY, "HOW", 0,
	  "How a callback is timed: chain (from its entry to the next callback's entry or the "
	  "chain's return: one probe per callback; the default without --ioasid, --sid, --cmd "
	  "or --record) or return (to its own return: an entry and a return probe)", 0 },
	{},
};

static const struct argp_option record_options[] = {
	{ "output", 'o', "FILE", 0, "The record file to write (required)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after this long (10, 10s, 500ms, 2m)", 0 },
	FILTER_OPTIONS,
	LIVE_OPTIONS,
	{},
};

static const struct argp_option report_options[] = {
	{ "input", OPT_INPUT, "FILE", 0, "The record file (same as the FILE argument)", 0 },
	OLD_INPUT_OPTION,
	SALVAGE_OPTION,
	{ "format", OPT_FORMAT, "FMT", 0,
	  "text (default), json (NDJSON) or perfetto (Chrome trace-event JSON for ui.perfetto.dev)", 0 },
	{ "json", 'j', NULL, 0, "Same as --format json", 0 },
	{ "output", 'o', "FILE", 0, "Write to FILE instead of stdout", 0 },
	FILTER_OPTIONS,
	{ "microseconds", 'u', NULL, 0, "Latencies in microseconds", 0 },
	{ "milliseconds", 'm', NULL, 0, "Latencies in milliseconds", 0 },
	{ "verbose", 'v', NULL, 0, "More detail", 0 },
	HELP_OPTIONS,
	{},
};

static const struct argp_option check_options[] = {
	{ "duration", 'd', "SECONDS", 0, "Stop after this long (10, 10s, 500ms, 2m)", 0 },
	{ "input", OPT_INPUT, "FILE", 0, "Check a recorded trace (ioasid-trace record) instead of the live kernel", 0 },
	OLD_INPUT_OPTION,
	SALVAGE_OPTION,
	{ "format", OPT_FORMAT, "FMT", 0, "Report as text (default), json (NDJSON), ktap or junit", 0 },
	{ "json", 'j', NULL, 0, "Same as --format json", 0 },
	{ "output", 'o', "FILE", 0, "Write the report to FILE instead of stdout", 0 },
	{ "strict", OPT_STRICT, NULL, 0, "Warnings (invariants 8, 10) fail the check too", 0 },
	{ "only", OPT_ONLY, "LIST", 0, "Check only these invariants (IDs or keys, comma separated)", 0 },
	{ "fail-fast", OPT_FAIL_FAST, NULL, 0, "Stop at the first violation", 0 },
	{ "record", OPT_RECORD, "FILE", 0, "Also record the live run's events to FILE (check --input FILE replays it)", 0 },
	LIVE_OPTIONS,
	{},
};

static const struct argp_option doctor_options[] = {
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{ "mode", OPT_MODE, "MODE", 0, "auto, fentry or kprobe", 0 },
	{ "verbose", 'v', NULL, 0, "More detail", 0 },
	HELP_OPTIONS,
	{},
};

void it_verror(FILE *f, const char *fmt, va_list ap)
{
	fputs("ioasid-trace: ", f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

static int fail(struct it_options *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	it_verror(o->err ? o->err : stderr, fmt, ap);
	va_end(ap);
	return EINVAL;
}

double it_parse_seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "ms"))
		return v / 1e3;
	if (!strcmp(end, "us"))
		return v / 1e6;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	return -1;
}

uint64_t it_parse_size(const char *s)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || !v)
		return 0;
	switch (*end) {
	case 'G': case 'g':
		shift += 10;
		/* fallthrough */
	case 'M': case 'm':
		shift += 10;
		/* fallthrough */
	case 'K': case 'k':
		shift += 10;
		end++;
		break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	/* checked before shifting: a huge number must not wrap into range */
	if (*end || v > (1ull << 40) >> shift)
		return 0;
	return v << shift;
}

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct it_options *o = state->input;
	double secs;
	uint32_t v;
	int c;

	switch (key) {
	case 'd':
		secs = it_parse_seconds(arg);
		if (secs <= 0)
			return fail(o, "bad --duration '%s': want a positive time like 10, 10s, 500ms, 2m", arg);
		o->duration_s = secs;
		break;
	case 'i':
		/* only OLD_INPUT_OPTION gives check and report a -i */
		if (o->sub == IT_SUB_CHECK)
			return fail(o, "bad option -i '%s': check has no interval; a recording is "
				    "--input FILE", arg);
		if (o->sub == IT_SUB_REPORT)
			return fail(o, "bad option -i '%s': report has no interval; a recording is "
				    "FILE or --input FILE", arg);
		secs = it_parse_seconds(arg);
		if (secs <= 0)
			return fail(o, "bad --interval '%s': want a positive time like 1, 1s, 500ms%s", arg,
				    o->sub == IT_SUB_HIST ? "; a recording is --input FILE" : "");
		o->interval_s = secs;
		break;
	case 'p':
		if (parse_u32(arg, &v) || !v || v > INT_MAX)
			return fail(o, "bad --pid '%s': want a process id > 0", arg);
		o->pid = v;
		break;
	case OPT_IOASID:
		if (parse_u32(arg, &v) || v == IT_NO_ID)
			return fail(o, "bad --ioasid '%s': want an IOASID (0 .. 0xfffffffe)", arg);
		o->ioasid = v;
		o->has_ioasid = true;
		break;
	case OPT_SID: {
		char *end;
		long s;

		errno = 0;
		s = strtol(arg, &end, 0);
		if (!*arg || *end || errno || s < 0 || s > INT_MAX)
			return fail(o, "bad --sid '%s': want a set id >= 0", arg);
		o->sid = (int32_t)s;
		o->has_sid = true;
		break;
	}
	case OPT_CMD:
		c = it_cmd_from_name(arg);
		if (c < 0)
			return fail(o, "bad --cmd '%s': want alloc, free, bind, unbind or a number", arg);
		o->cmd = (uint32_t)c;
		o->has_cmd = true;
		break;
	case 'u':
		if (o->unit == IT_UNIT_MS)
			return fail(o, "bad units: -u and -m exclude each other");
		o->unit = IT_UNIT_US;
		break;
	case 'm':
		if (o->unit == IT_UNIT_US)
			return fail(o, "bad units: -u and -m exclude each other");
		o->unit = IT_UNIT_MS;
		break;
	case 'j':
		o->json = true;
		break;
	case OPT_DRY_RUN:
		o->dry_run = true;
		break;
	case 'v':
		o->verbose++;
		break;
	case OPT_LINEAR:
		if (!arg) {
			o->sub_bits = 3;
		} else if (parse_u32(arg, &v) || v < 1 || v > IT_HIST_MAX_SUB_BITS) {
			return fail(o, "bad --linear '%s': want K in 1..%d (2^K sub-buckets)", arg,
				    IT_HIST_MAX_SUB_BITS);
		} else {
			o->sub_bits = v;
		}
		break;
	case OPT_MODE:
		if (!strcmp(arg, "auto"))
			o->mode = IT_PREF_AUTO;
		else if (!strcmp(arg, "fentry"))
			o->mode = IT_PREF_FENTRY;
		else if (!strcmp(arg, "kprobe"))
			o->mode = IT_PREF_KPROBE;
		else
			return fail(o, "bad --mode '%s': want auto, fentry or kprobe", arg);
		break;
	case OPT_FORMAT:
		if (o->sub == IT_SUB_REPORT) {
			if (strcmp(arg, "text") && strcmp(arg, "json") && strcmp(arg, "perfetto"))
				return fail(o, "bad --format '%s': want text, json or perfetto", arg);
		} else if (strcmp(arg, "text") && strcmp(arg, "json") && strcmp(arg, "ktap") &&
			   strcmp(arg, "junit")) {
			return fail(o, "bad --format '%s': want text, json, ktap or junit", arg);
		}
		o->format = arg;
		break;
	case OPT_INPUT:
		if (!*arg)
			return fail(o, "bad --input '': want a file name");
		if (o->input)
			return fail(o, "bad --input '%s': %s", arg, o->sub == IT_SUB_REPORT ?
				    "report reads one file" : "one recording at a time");
		o->input = arg;
		break;
	case OPT_CB_LATENCY:
		if (!strcmp(arg, "chain"))
			o->cb_latency = IT_CBL_CHAIN;
		else if (!strcmp(arg, "return"))
			o->cb_latency = IT_CBL_RETURN;
		else
			return fail(o, "bad --callback-latency '%s': want chain or return", arg);
		break;
	case OPT_BUFFER: {
		uint64_t b = it_parse_size(arg);

		if (!b || (b & (b - 1)) || b < IT_RINGBUF_MIN || b > IT_RINGBUF_MAX)
			return fail(o, "bad --buffer '%s': want a power of two from 4K to 1G (16M, 64M, ...)",
				    arg);
		o->ringbuf_bytes = b;
		break;
	}
	case OPT_SALVAGE:
		o->salvage = true;
		break;
	case OPT_RECORD:
		if (!*arg)
			return fail(o, "bad --record '': want a file name");
		o->record = arg;
		break;
	case 'o':
		if (!*arg)
			return fail(o, "bad --output '': want a file name");
		o->output = arg;
		break;
	case OPT_STRICT:
		o->strict = true;
		break;
	case OPT_FAIL_FAST:
		o->fail_fast = true;
		break;
	case OPT_ONLY: {
		char *list = strdup(arg), *save = NULL, *tok;
		const struct it_invariant *inv;

		if (!list)
			return ENOMEM;
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			inv = parse_u32(tok, &v) ? it_invariant_by_key(tok) : it_invariant_by_id((int)v);
			if (!inv) {
				fail(o, "bad --only '%s': no invariant '%s' (IDs 1-%d or keys, see docs/invariants.md)",
				     arg, tok, it_ninvariants);
				free(list);
				return EINVAL;
			}
			o->only_mask |= 1u << inv->id;
		}
		free(list);
		if (!o->only_mask)
			return fail(o, "bad --only '%s': empty list", arg);
		break;
	}
	case OPT_HELP:
		state->flags &= ~ARGP_NO_ERRS;	/* argp prints no help with it set */
		argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP & ~ARGP_HELP_EXIT_OK);
		o->help_shown = true;
		break;
	case OPT_USAGE:
		state->flags &= ~ARGP_NO_ERRS;
		argp_state_help(state, state->out_stream, ARGP_HELP_USAGE);
		o->help_shown = true;
		break;
	case ARGP_KEY_ARG:
		if (o->sub == IT_SUB_DOCTOR)
			return fail(o, "bad argument '%s': doctor takes no command", arg);
		if (o->sub == IT_SUB_REPORT) {
			if (o->input)
				return fail(o, "bad argument '%s': report reads one file", arg);
			o->input = arg;
			break;
		}
		/* The rest of the line is the command to run (after "--" or not). */
		o->child_argv = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_INIT:
		if (o->err)
			state->err_stream = o->err;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * One line for what argp would have complained about (it was told not to,
 * ARGP_NO_ERRS): the first argument that names no option of this
 * subcommand, else an option whose value is missing (the last one).
 */
static void argp_complaint(struct it_options *o, const char *sub,
			   const struct argp_option *opts, int argc, char **argv)
{
	const struct argp_option *op;
	int i;

	for (i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1])
			break;	/* the command: options end here */
		if (a[1] == '-') {
			size_t n = strcspn(a + 2, "=");

			for (op = opts; op->name || op->key; op++)
				if (op->name && strlen(op->name) == n && !strncmp(op->name, a + 2, n))
					break;
			if (!op->name && !op->key) {
				fail(o, "bad option '%.*s': unknown (see 'ioasid-trace %s --help')",
				     (int)(n + 2), a, sub);
				return;
			}
			if (op->arg && !(op->flags & OPTION_ARG_OPTIONAL) && !a[2 + n])
				i++;	/* its value is the next argument */
			continue;
		}
		for (a++; *a; a++) {
			for (op = opts; op->name || op->key; op++)
				if (op->key == *a)
					break;
			if (!op->name && !op->key) {
				fail(o, "bad option '-%c': unknown (see 'ioasid-trace %s --help')", *a, sub);
				return;
			}
			if (op->arg) {
				if (!a[1])
					i++;
				break;
			}
		}
	}
	fail(o, "bad option '%s': it needs a value (see 'ioasid-trace %s --help')", argv[argc - 1], sub);
}

struct subcmd {
	const char *name;
	enum it_subcmd sub;
	const struct argp_option *options;
	const char *args_doc;
	const char *doc;
};

static const struct subcmd subcmds[] = {
	{ "trace", IT_SUB_TRACE, trace_options, "[-- CMD [ARGS...]]",
	  "Stream IOASID events: allocations, frees, notifications, the notifier chain "
	  "and each callback on it.  With CMD: attach, run CMD, stop when it exits."
	  "\vExamples:\n  ioasid-trace trace\n  ioasid-trace trace -j -d 10\n"
	  "  ioasid-trace trace --cmd free -- ./scenario.sh" },
	{ "hist", IT_SUB_HIST, hist_options, "[-- CMD [ARGS...]]",
	  "Latency histograms aggregated in the kernel: the notifier chain per cmd, "
	  "each callback, and the whole free path (ioasid_free entry to exit)."
	  "  With --input FILE: the same histograms from a recorded trace, with exact "
	  "percentiles (live ones are estimated from the buckets, and say within what)."
	  "\v-i is always the interval (-i 1, -i 500ms), as in the bcc and libbpf tools; "
	  "a recording is read with --input FILE only.\n"
	  "Examples:\n  ioasid-trace hist -u -d 10\n  ioasid-trace hist --linear -i 1\n"
	  "  ioasid-trace hist -j -u -- ./load.sh\n  ioasid-trace hist -u --input run.itr" },
	{ "check", IT_SUB_CHECK, check_options, "[-- CMD [ARGS...]]",
	  "Check the notifier API's ordering invariants on the live kernel (or a recorded "
	  "trace with --input FILE).  With CMD: attach, run CMD, judge what it made the kernel do.  "
	  "Exit 0 conforming, 1 violations, 2 inconclusive (something could not be seen: the "
	  "cause is named), 3 usage or setup error."
	  "\vInvariants (docs/invariants.md): 1 free-before-allocator, 2 delivered-once, "
	  "3 priority-order, 4 known-id-only, 5 args-match, 6 locked-sleepable, 7 no-reentry, "
	  "8 bind-unbind (warning), 9 no-live-reuse, 10 registered-early (warning), "
	  "11 free-is-final.\n"
	  "Examples:\n  ioasid-trace check -- ./scenario.sh\n"
	  "  ioasid-trace check --format junit -o report.xml -d 60\n"
	  "  ioasid-trace check --input run.itr --only 1,5" },
	{ "record", IT_SUB_RECORD, record_options, "-o FILE [-- CMD [ARGS...]]",
	  "Record the live event stream to a compressed file (docs/record-format.md) for "
	  "report, hist --input and check --input, on this machine or another.  With CMD: attach, run "
	  "CMD, stop when it exits."
	  "\vExamples:\n  ioasid-trace record -o run.itr -- ./scenario.sh\n"
	  "  ioasid-trace record -o run.itr -d 60 --cmd free\n"
	  "  ioasid-trace report --format perfetto -o run.json run.itr" },
	{ "report", IT_SUB_REPORT, report_options, "FILE",
	  "List the events of a recorded trace, with the filters of trace; or convert it to "
	  "Chrome trace-event JSON (--format perfetto).  Exit 3 if FILE is missing, foreign, "
	  "truncated or corrupt."
	  "\vExamples:\n  ioasid-trace report run.itr\n  ioasid-trace report -j --cmd bind run.itr\n"
	  "  ioasid-trace report --format perfetto -o run.json run.itr" },
	{ "doctor", IT_SUB_DOCTOR, doctor_options, "",
	  "Report what the running kernel offers: BTF, each attach point and its mode, "
	  "the chain and its callbacks, the series version.  Exits non-zero naming what "
	  "is missing." },
};

static void top_usage(FILE *f)
{
	unsigned i;

	fprintf(f, "Usage: ioasid-trace SUBCOMMAND [OPTION...]\n"
		   "Trace and measure the IOASID notifier API with BPF.\n\nSubcommands:\n");
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		fprintf(f, "  %-8s %.*s\n", subcmds[i].name,
			(int)strcspn(subcmds[i].doc, ".:"), subcmds[i].doc);
	fprintf(f, "\nRun 'ioasid-trace SUBCOMMAND --help' for its options.\n");
}

int it_options_parse(int argc, char **argv, struct it_options *o)
{
	const struct subcmd *sc = NULL;
	char prog[64];
	unsigned i;
	int err;

	if (argc < 2) {
		top_usage(o->err ? o->err : stderr);
		return -1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		top_usage(stdout);
		o->help_shown = true;
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s\n", argp_program_version);
		o->help_shown = true;
		return 0;
	}
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (!strcmp(argv[1], subcmds[i].name))
			sc = &subcmds[i];
	if (!sc) {
		fail(o, "unknown subcommand '%s' (trace, hist, check, record, report, doctor; see --help)",
		     argv[1]);
		return -1;
	}
	o->sub = sc->sub;

	struct argp argp = {
		.options = sc->options,
		.parser = parse_opt,
		.args_doc = sc->args_doc,
		.doc = sc->doc,
	};
	snprintf(prog, sizeof(prog), "ioasid-trace %s", sc->name);
	argv[1] = prog;	/* argp names the program after argv[0] of what it parses */
	/*
	 * argp's own complaints (unknown option, missing value) would be
	 * getopt's line on stderr plus argp's "Try ..." hint: ARGP_NO_ERRS
	 * silences both and the one line is ours, naming the argument argp
	 * stopped at.
	 */
	{
		FILE *user_err = o->err, *mem;
		char *buf = NULL;
		size_t len = 0;
		int next = 0;

		mem = open_memstream(&buf, &len);
		if (mem)
			o->err = mem;
		err = argp_parse(&argp, argc - 1, argv + 1,
				 ARGP_IN_ORDER | ARGP_NO_EXIT | ARGP_NO_HELP | ARGP_NO_ERRS, &next, o);
		o->err = user_err;
		if (mem) {
			fclose(mem);
			if (buf && *buf)
				fputs(buf, user_err ? user_err : stderr);
			else if (err)
				argp_complaint(o, sc->name, sc->options, argc, argv);
			free(buf);
		}
	}
	argv[1] = (char *)sc->name;
	if (err)
		return -1;
	if (o->help_shown)
		return 0;
	if (o->sub == IT_SUB_CHECK && o->json && o->format && strcmp(o->format, "json"))
		return fail(o, "bad options: -j and --format %s exclude each other", o->format), -1;
	if ((o->sub == IT_SUB_CHECK || o->sub == IT_SUB_HIST) && o->input &&
	    (o->child_argv || o->duration_s || o->interval_s || o->record || o->dry_run))
		return fail(o, "bad options: --input FILE reads a recording; -d, -i (--interval), "
			    "--record, --dry-run and CMD are for live runs"), -1;
	if (o->cb_latency == IT_CBL_CHAIN &&
	    (o->input || o->record || o->has_ioasid || o->has_sid || o->has_cmd))
		return fail(o, "bad option --callback-latency chain: the kernel times callbacks by "
			    "their chain only without --input, --record, --ioasid, --sid and --cmd"), -1;
	if (o->salvage && !o->input)
		return fail(o, "bad option --salvage: it reads a recording (--input FILE)"), -1;
	if (o->sub == IT_SUB_RECORD && !o->output && !o->dry_run)
		return fail(o, "bad options: record needs -o FILE"), -1;
	if (o->sub == IT_SUB_REPORT && !o->input)
		return fail(o, "bad options: report needs a FILE (ioasid-trace record -o FILE)"), -1;
	if (o->sub == IT_SUB_REPORT && o->json && o->format && strcmp(o->format, "json"))
		return fail(o, "bad options: -j and --format %s exclude each other", o->format), -1;
	if (o->sub_bits && o->sub != IT_SUB_HIST)
		return fail(o, "bad option --linear: only for hist"), -1;
	if (o->interval_s && o->duration_s && o->interval_s > o->duration_s)
		return fail(o, "bad --interval: longer than --duration"), -1;
	return 0;
}

const char *it_unit_name(enum it_unit u)
{
	return u == IT_UNIT_US ? "us" : u == IT_UNIT_MS ? "ms" : "ns";
}

uint64_t it_unit_ns(enum it_unit u)
{
	return u == IT_UNIT_US ? 1000 : u == IT_UNIT_MS ? 1000000 : 1;
}
