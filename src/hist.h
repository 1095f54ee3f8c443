/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Histogram maths: the same bucketing as the BPF side (it_hist_bucket in
 * ioasid_trace.h), percentiles, and a table of histograms that is filled
 * either from the kernel's per-CPU map (live hist) or from decoded EXIT
 * events (offline), so both give identical buckets.
 */
#ifndef IT_HIST_H
#define IT_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "ioasid_trace.h"

struct it_hist_entry {
	struct it_hist_key key;
	struct it_hist h;
};

struct it_hist_table {
	struct it_hist_entry *e;
	size_t n, cap;
	uint32_t sub_bits;	/* k */
	uint64_t unit_ns;	/* bucket unit */
};

struct it_hist_stats {
	uint64_t count;
	double avg, min, max;		/* in units */
	double p50, p90, p99, p999;	/* in units */
};

void it_hist_table_init(struct it_hist_table *t, uint32_t sub_bits, uint64_t unit_ns);
void it_hist_table_fini(struct it_hist_table *t);
void it_hist_table_clear(struct it_hist_table *t);
/* The histogram of (type, id), created empty if new.  NULL on ENOMEM. */
struct it_hist *it_hist_table_get(struct it_hist_table *t, uint32_t type, uint64_t id);
/* Order for display: by type, then id. */
void it_hist_table_sort(struct it_hist_table *t);
/*
 * Add the kernel's per-CPU histogram array (summed over CPUs) to the table,
 * slot i under keys[i] (IT_HIST_KEYS entries; type 0: unused, skipped);
 * reset: zero the slots read afterwards (interval mode).  0 or -errno.
 */
int it_hist_table_load_map(struct it_hist_table *t, int map_fd,
			   const struct it_hist_key *keys, bool reset);

/* Add one latency exactly as hist.bpf.h does. */
void it_hist_add(struct it_hist *h, uint64_t lat_ns, uint32_t sub_bits, uint64_t unit_ns);

/*
 * Percentile p (0 < p <= 100) in units, estimated from the buckets:
 *  1. rank r = ceil(p/100 * N), at least 1 (nearest-rank);
 *  2. the bucket holding the r-th sample, [lo, hi] in units, holds n
 *     samples of which this is the j-th (j = r - samples below the bucket);
 *  3. a bucket covers the continuous range [lo, hi + 1) (values are
 *     floored to the unit); the j-th of n samples is taken at the middle of
 *     the j-th of n equal slices: lo + (hi + 1 - lo) * (j - 0.5) / n;
 *  4. clamped to the observed [min, max] (exact, kept in ns).
 * N = 0 gives 0.
 */
double it_hist_percentile(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
			  double p);
void it_hist_get_stats(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
		       struct it_hist_stats *st);
/* One past the highest non-empty bucket (0 if empty). */
uint32_t it_hist_used_slots(const struct it_hist *h);

#endif
