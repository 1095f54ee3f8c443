/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one output layer.  A writer renders what consumers and commands
 * hand it: events, histogram reports, the run summary, the doctor/dry-run
 * report.  One file per format (text.c, ndjson.c); a new format (KTAP,
 * JUnit, Perfetto) is one more file with a struct it_writer_ops and an
 * entry in out.c.  A method left NULL means "this format does not render
 * that" and is skipped.
 */
#ifndef IT_OUT_H
#define IT_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "event.h"
#include "hist.h"

struct it_session_info;
struct it_summary;
struct it_check_report;

/* One histogram ready to render. */
struct it_hist_view {
	const char *group;	/* "chain", "callback", "free_path" */
	const char *label;	/* "FREE", "harness_kvm_notify", "ioasid_free" */
	const char *module;	/* callback's module or NULL */
	uint64_t id;		/* cmd, callback address, 0 */
	const char *timing;	/* callbacks: "chain" or "return" (--callback-latency) */
	const struct it_hist *h;
	struct it_hist_stats st;
};

struct it_hist_report {
	const struct it_hist_view *v;
	size_t n;
	uint32_t sub_bits;
	uint64_t unit_ns;
	const char *unit;	/* "ns", "us", "ms" */
	double at_s;		/* seconds since start */
	bool final;		/* the end-of-run report (not an interval) */
};

/* doctor and --dry-run */
struct it_doctor_point {
	const char *name;	/* function (or symbol) */
	const char *what;	/* short role */
	bool present;		/* in kallsyms */
	bool required;		/* trace/hist refuse to start without it */
	const char *mode;	/* "fentry", "kprobe", "-" */
	const char *why;	/* why fentry (or both) failed, or NULL */
	uint64_t addr;
};

struct it_doctor_cb {
	uint64_t nb, cb;
	int32_t prio;
	const char *sym, *mod;	/* NULL if unresolved */
	const char *mode;	/* "fentry", "kprobe", "-" */
};

struct it_doctor_report {
	bool dry_run;		/* the --dry-run listing rather than doctor */
	bool root;
	bool btf;		/* /sys/kernel/btf/vmlinux */
	bool ksyms_visible;
	const char *release;
	int series;		/* 0 none, 1 v1 seed, 2 v2+ */
	uint64_t chain_addr, lock_addr, allocator_addr, allocator_free;
	const char *allocator_free_sym;
	const char *lock_kind;	/* "mutex", "spinlock", "?" */
	const char *preemption;	/* the model (src/preempt.h) */
	bool preempt_full;	/* so --mode auto uses kprobes */
	struct it_doctor_point *points;
	size_t npoints;
	struct it_doctor_cb *cbs;
	size_t ncbs;
	bool chain_walked;
	const char *walk_error;
	char missing[1024];	/* comma separated names, "" when complete */
};

struct it_writer;

struct it_writer_ops {
	const char *name;
	void (*begin)(struct it_writer *w, const struct it_session_info *s);
	void (*event)(struct it_writer *w, const struct it_event *e);
	void (*hists)(struct it_writer *w, const struct it_hist_report *r);
	void (*summary)(struct it_writer *w, const struct it_summary *s);
	void (*doctor)(struct it_writer *w, const struct it_doctor_report *r);
	/* check: the violations with their evidence, the table, the verdict */
	void (*verdict)(struct it_writer *w, const struct it_check_report *r);
};

struct it_writer {
	const struct it_writer_ops *ops;
	FILE *f;		/* main stream (stdout) */
	FILE *diag;		/* human notes (stderr) */
	enum { IT_W_NS, IT_W_US, IT_W_MS } unit;
	uint64_t start_ns;	/* TIME column origin */
	struct it_decoder *dec;	/* symbols for addresses */
	int verbose;
	void *priv;
};

/*
 * A latency for people, in the unit of unit_ns (1, 1000, 1000000): integer
 * ns; in us or ms three significant digits, all of the integer part and
 * never a digit finer than 1 ns (the latencies are integer ns).  Returns buf.
 */
const char *it_fmt_lat(char *buf, size_t size, uint64_t ns, uint64_t unit_ns);

/* name: "text" or "json".  NULL if unknown. */
struct it_writer *it_writer_new(const char *name, FILE *f, FILE *diag);
void it_writer_free(struct it_writer *w);

static inline void it_out_begin(struct it_writer *w, const struct it_session_info *s)
{ if (w && w->ops->begin) w->ops->begin(w, s); }
static inline void it_out_event(struct it_writer *w, const struct it_event *e)
{ if (w && w->ops->event) w->ops->event(w, e); }
static inline void it_out_hists(struct it_writer *w, const struct it_hist_report *r)
{ if (w && w->ops->hists) w->ops->hists(w, r); }
static inline void it_out_summary(struct it_writer *w, const struct it_summary *s)
{ if (w && w->ops->summary) w->ops->summary(w, s); }
static inline void it_out_verdict(struct it_writer *w, const struct it_check_report *r)
{ if (w && w->ops->verdict) w->ops->verdict(w, r); }
static inline void it_out_doctor(struct it_writer *w, const struct it_doctor_report *r)
{ if (w && w->ops->doctor) w->ops->doctor(w, r); }

extern const struct it_writer_ops it_text_writer;
extern const struct it_writer_ops it_ndjson_writer;
extern const struct it_writer_ops it_ktap_writer;
extern const struct it_writer_ops it_junit_writer;
extern const struct it_writer_ops it_perfetto_writer;

/* "12.345678s cpu 1 bash[123] callback enter harness_kvm_notify id=5 cmd=BIND":
 * one event as evidence in a report (time relative to w->start_ns). */
void it_out_describe(const struct it_writer *w, const struct it_event *e, char *buf, size_t n);

#endif
