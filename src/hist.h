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

/* Every latency of one histogram, in ns (offline: the recording has them all). */
struct it_lat_samples {
	uint64_t *ns;
	size_t n, cap;
};

struct it_hist_entry {
	struct it_hist_key key;
	struct it_hist h;
	struct it_lat_samples s;	/* empty unless the table keeps samples */
};

struct it_hist_table {
	struct it_hist_entry *e;
	size_t n, cap;
	uint32_t sub_bits;	/* k */
	uint64_t unit_ns;	/* bucket unit */
	bool keep_samples;	/* it_hist_table_add also keeps each latency */
};

/* How the percentiles of it_hist_stats were found. */
enum it_pct_method {
	IT_PCT_BUCKET,	/* estimated from the buckets: see it_hist_percentile */
	IT_PCT_EXACT,	/* nearest rank over every latency */
};

/* Integers in ns: the recorded latencies are integer ns, more digits would be noise. */
struct it_hist_stats {
	uint64_t count;
	uint64_t avg_ns;	/* sum / count, rounded to the nearest ns */
	uint64_t min_ns, max_ns;
	uint64_t p50_ns, p90_ns, p99_ns, p999_ns;
	enum it_pct_method method;
};

void it_hist_table_init(struct it_hist_table *t, uint32_t sub_bits, uint64_t unit_ns);
void it_hist_table_fini(struct it_hist_table *t);
void it_hist_table_clear(struct it_hist_table *t);
/* The histogram of (type, id), created empty if new.  NULL on ENOMEM. */
struct it_hist *it_hist_table_get(struct it_hist_table *t, uint32_t type, uint64_t id);
/*
 * Add one latency to the histogram of (type, id), and to its samples if the
 * table keeps them.  0 or -ENOMEM.
 */
int it_hist_table_add(struct it_hist_table *t, uint32_t type, uint64_t id, uint64_t lat_ns);
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
 * Nearest rank of percentile permille/10 (500: p50, 999: p99.9) among n
 * values: r = ceil(permille/1000 * n), at least 1, at most n; 0 if n = 0.
 * Integer arithmetic: in doubles, ceil(99.9 / 100 * 1000) is 1000, not 999.
 */
uint64_t it_percentile_rank(uint64_t n, uint32_t permille);
/* The r-th smallest of sorted[0..n) for that rank; 0 if n = 0. */
uint64_t it_exact_percentile(const uint64_t *sorted, size_t n, uint32_t permille);

/*
 * Percentile p (0 < p <= 100, resolved to 0.1) in units, estimated from the buckets:
 *  1. rank r = it_percentile_rank(N, p * 10) (nearest-rank);
 *  2. the bucket holding the r-th sample, [lo, hi] in units, holds n
 *     samples of which this is the j-th (j = r - samples below the bucket);
 *  3. a bucket covers the continuous range [lo, hi + 1) (values are
 *     floored to the unit); the j-th of n samples is taken at the middle of
 *     the j-th of n equal slices: lo + (hi + 1 - lo) * (j - 0.5) / n;
 *  4. clamped to the observed [min, max] (exact, kept in ns).
 * N = 0 gives 0.
 *
 * What this guarantees.  Let X be the exact r-th smallest latency (ns), u
 * the unit (ns), S = 2^k, and E the estimate (ns).  X lies in the bucket
 * found in step 2, so X is in [lo*u, (hi+1)*u), and steps 3-4 put E in
 * [lo*u, (hi+1)*u] too, so |E - X| < (hi + 1 - lo) * u, the bucket's width.
 *  - Bucket index < S: one value per bucket, width 1: |E - X| < u.
 *  - Otherwise the bucket is [m * 2^e, (m+1) * 2^e - 1] with S <= m < 2S
 *    (it_hist_bucket_range): width 2^e, and X >= lo * u = m * 2^e * u, so
 *    |E - X| < 2^e * u <= X / m <= X / S, a relative error below 2^-k.
 * Hence |E - X| < max(X * 2^-k, u): a bucket spans at most a factor
 * (1 + 2^-k) and E may be anywhere in it.  Not the 2^-(k+1) a bucket's
 * midpoint would give: step 3 spreads a bucket's samples over all of it,
 * so E may sit at either end.  k = 0 (log2 buckets) bounds only to within
 * a factor 2.  it_hist_get_stats rounds E to integer ns: up to 0.5 ns more.
 */
double it_hist_percentile(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
			  double p);
/* The relative bound above, 2^-k, for k = sub_bits (clamped like the buckets). */
double it_hist_estimate_rel_bound(uint32_t sub_bits);
/* count, avg, min, max from h (exact); percentiles estimated (IT_PCT_BUCKET). */
void it_hist_get_stats(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
		       struct it_hist_stats *st);
/*
 * The same with exact nearest-rank percentiles over s (IT_PCT_EXACT), which
 * must hold every latency added to h; sorts s in place.
 */
void it_hist_get_exact_stats(const struct it_hist *h, struct it_lat_samples *s,
			     struct it_hist_stats *st);
/* One past the highest non-empty bucket (0 if empty). */
uint32_t it_hist_used_slots(const struct it_hist *h);

#endif
