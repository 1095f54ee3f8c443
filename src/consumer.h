/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Consumers of decoded events, and the pipeline that feeds them.
 *
 *   source (live ring buffer | record file) --raw--> it_pipeline_raw()
 *     -> the ONE decoder (decode.c) -> every consumer's event(), in order
 *
 * A consumer is one file: a struct it_consumer_ops plus its private state.
 * trace (print), hist (histograms), and later check (invariant automata)
 * and record (file writer) are all consumers; none knows where events come
 * from.  Consumers never print directly: they hand what they want shown to
 * their struct it_writer (out/out.h), the one output layer.
 */
#ifndef IT_CONSUMER_H
#define IT_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "decode.h"
#include "event.h"

struct it_writer;
struct it_attach_report;
struct it_options;

/* What is known about the run before the first event. */
struct it_session_info {
	const char *kernel_release;	/* uname -r, or from the file */
	int series_version;		/* 1 = v1 seed (sid/set_token), 2 = v2+ (spid/set), 0 = none */
	uint64_t mono_to_real_ns;	/* add to ts_ns for wall-clock time */
	uint64_t start_ns;		/* CLOCK_MONOTONIC when tracing started */
	int ncpus;
	bool live;			/* false: events replayed from a file */
	bool truncated;			/* a salvaged file: what followed its cut is unknown */
	uint32_t rec_format;		/* replayed: the file's format version */
	/* how each point is attached: live, or a recording's attach list (NULL: none) */
	const struct it_attach_report *attach;
	int hist_map_fd;		/* live hist: the kernel's per-CPU histograms, else -1 */
	const struct it_hist_key *hist_keys;	/* ... and what each of its slots holds */
	uint32_t hist_sub_bits;
	uint64_t hist_unit_ns;
	bool cb_chained;		/* live hist: callbacks timed by their chain */
	const struct it_options *opts;
	struct it_decoder *dec;		/* symbol lookups (it_ksyms_describe(dec->ksyms, ...)) */
};

/* What the run ended with. */
struct it_summary {
	uint64_t events;		/* decoded records */
	uint64_t lost;			/* records the ring buffer had no room for, or never made (a probe run skipped) */
	uint64_t bad;			/* records the decoder rejected */
	uint64_t per_kind[IT_K__MAX];	/* ENTER (or POINT) events per kind */
	uint64_t bpf_stats[IT_STAT__COUNT];
	uint64_t unmatched;		/* EXIT records without their ENTER */
	double duration_s;
	int child_status;		/* -1: no command; else its exit code (128+sig if killed) */
	const char *stop_reason;	/* "duration", "signal", "command exited", "end of file" */
};

enum { IT_CONSUME_OK = 0, IT_CONSUME_STOP = 1 };

struct it_consumer;
struct it_pipeline;

struct it_consumer_ops {
	const char *name;
	int (*begin)(struct it_consumer *c, const struct it_session_info *s);
	/* <0 error, IT_CONSUME_STOP ends the run (e.g. check's --fail-fast) */
	int (*event)(struct it_consumer *c, const struct it_event *e);
	/* every -i interval (now_ns: CLOCK_MONOTONIC) */
	int (*tick)(struct it_consumer *c, uint64_t now_ns);
	/* the run is over; return this consumer's verdict for the exit code (0 = fine) */
	int (*end)(struct it_consumer *c, const struct it_summary *s);
	void (*destroy)(struct it_consumer *c);
};

struct it_consumer {
	const struct it_consumer_ops *ops;
	struct it_writer *out;		/* may be NULL for silent consumers */
	struct it_pipeline *pipe;	/* to inject meta events (live followers) */
	const struct it_session_info *info;
	void *priv;
};

#define IT_MAX_CONSUMERS 8

struct it_pipeline {
	struct it_decoder dec;
	struct it_consumer *cons[IT_MAX_CONSUMERS];
	int ncons;
	struct it_summary sum;
	struct it_session_info info;
	bool stop;			/* a consumer asked to stop */
	int err;			/* first consumer error */
};

void it_pipeline_init(struct it_pipeline *p);
int it_pipeline_add(struct it_pipeline *p, struct it_consumer *c);
int it_pipeline_begin(struct it_pipeline *p);
/* A raw record from a source: decode, count, dispatch.  Returns 0 or <0. */
int it_pipeline_raw(struct it_pipeline *p, const void *data, size_t size);
/* A decoded or meta event: count and dispatch. */
int it_pipeline_event(struct it_pipeline *p, const struct it_event *e);
/* Records were lost (from the per-CPU counters): emit a META_LOST event. */
void it_pipeline_lost(struct it_pipeline *p, uint64_t lost_now, uint64_t ts_ns);
void it_pipeline_tick(struct it_pipeline *p, uint64_t now_ns);
/* Calls every end(); returns the highest verdict. */
int it_pipeline_end(struct it_pipeline *p);
void it_pipeline_fini(struct it_pipeline *p);

/*
 * CLOCK_MONOTONIC now, the clock of bpf_ktime_get_ns(): the time stamp of
 * a meta event the followers make (a callback or an allocator's free
 * attached), comparable with the records' times.
 */
static inline uint64_t it_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

#endif
