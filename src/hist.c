// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hist.h"

void it_hist_table_init(struct it_hist_table *t, uint32_t sub_bits, uint64_t unit_ns)
{
	memset(t, 0, sizeof(*t));
	t->sub_bits = sub_bits > IT_HIST_MAX_SUB_BITS ? IT_HIST_MAX_SUB_BITS : sub_bits;
	t->unit_ns = unit_ns ? unit_ns : 1;
}

void it_hist_table_fini(struct it_hist_table *t)
{
	it_hist_table_clear(t);
	free(t->e);
	t->e = NULL;
	t->cap = 0;
}

/* A slot is zeroed when reused (table_entry): free its samples now or they leak. */
void it_hist_table_clear(struct it_hist_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->e[i].s.ns);
	t->n = 0;
}

static struct it_hist_entry *table_entry(struct it_hist_table *t, uint32_t type, uint64_t id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].key.type == type && t->e[i].key.id == id)
			return &t->e[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct it_hist_entry *e = realloc(t->e, cap * sizeof(*e));

		if (!e)
			return NULL;
		t->e = e;
		t->cap = cap;
	}
	memset(&t->e[t->n], 0, sizeof(t->e[t->n]));
	t->e[t->n].key.type = type;
	t->e[t->n].key.id = id;
	return &t->e[t->n++];
}

struct it_hist *it_hist_table_get(struct it_hist_table *t, uint32_t type, uint64_t id)
{
	struct it_hist_entry *e = table_entry(t, type, id);

	return e ? &e->h : NULL;
}

static int samples_push(struct it_lat_samples *s, uint64_t lat_ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *ns = realloc(s->ns, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		s->ns = ns;
		s->cap = cap;
	}
	s->ns[s->n++] = lat_ns;
	return 0;
}

int it_hist_table_add(struct it_hist_table *t, uint32_t type, uint64_t id, uint64_t lat_ns)
{
	struct it_hist_entry *e = table_entry(t, type, id);

	if (!e)
		return -ENOMEM;
	/* the sample first: on ENOMEM the histogram still matches its samples */
	if (t->keep_samples && samples_push(&e->s, lat_ns))
		return -ENOMEM;
	it_hist_add(&e->h, lat_ns, t->sub_bits, t->unit_ns);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct it_hist_key *x = &((const struct it_hist_entry *)a)->key;
	const struct it_hist_key *y = &((const struct it_hist_entry *)b)->key;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void it_hist_table_sort(struct it_hist_table *t)
{
	qsort(t->e, t->n, sizeof(*t->e), cmp_entry);
}

static void hist_merge(struct it_hist *dst, const struct it_hist *src)
{
	uint32_t i;

	if (!src->count)
		return;
	if (!dst->count || src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	for (i = 0; i < IT_HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
}

int it_hist_table_load_map(struct it_hist_table *t, int map_fd,
			   const struct it_hist_key *keys, bool reset)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0, c;
	size_t vsz = (sizeof(struct it_hist) + 7) & ~7ul;
	char *vals, *zero;
	uint32_t slot;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (!keys)
		return -EINVAL;
	vals = calloc(ncpu, vsz);
	zero = calloc(ncpu, vsz);
	if (!vals || !zero) {
		free(vals);
		free(zero);
		return -ENOMEM;
	}
	for (slot = 0; slot < IT_HIST_KEYS; slot++) {
		struct it_hist *h;
		uint64_t n = 0;

		if (!keys[slot].type || bpf_map_lookup_elem(map_fd, &slot, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			n += ((const struct it_hist *)(vals + c * vsz))->count;
		if (!n)		/* a key the run never hit is not shown */
			continue;
		h = it_hist_table_get(t, keys[slot].type, keys[slot].id);
		if (!h) {
			err = -ENOMEM;
			break;
		}
		for (c = 0; c < ncpu; c++)
			hist_merge(h, (const struct it_hist *)(vals + c * vsz));
		if (reset)
			bpf_map_update_elem(map_fd, &slot, zero, BPF_EXIST);
	}
	free(zero);
	free(vals);
	return err;
}

void it_hist_add(struct it_hist *h, uint64_t lat_ns, uint32_t sub_bits, uint64_t unit_ns)
{
	uint32_t b = it_hist_bucket(lat_ns / (unit_ns ? unit_ns : 1), sub_bits);

	if (b >= IT_HIST_SLOTS)
		b = IT_HIST_SLOTS - 1;
	h->slots[b]++;
	if (!h->count || lat_ns < h->min_ns)
		h->min_ns = lat_ns;
	if (lat_ns > h->max_ns)
		h->max_ns = lat_ns;
	h->count++;
	h->sum_ns += lat_ns;
}

uint32_t it_hist_used_slots(const struct it_hist *h)
{
	uint32_t i = IT_HIST_SLOTS;

	while (i && !h->slots[i - 1])
		i--;
	return i;
}

uint64_t it_percentile_rank(uint64_t n, uint32_t permille)
{
	uint64_t r;

	if (!n)
		return 0;
	if (permille > 1000)
		permille = 1000;
	/* ceil(permille * n / 1000) without overflow: n / 1000 and n % 1000 apart */
	r = n / 1000 * permille + (n % 1000 * permille + 999) / 1000;
	return r < 1 ? 1 : r > n ? n : r;
}

uint64_t it_exact_percentile(const uint64_t *sorted, size_t n, uint32_t permille)
{
	return n ? sorted[it_percentile_rank(n, permille) - 1] : 0;
}

uint64_t it_hist_percentile_ns(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
			       uint32_t permille)
{
	uint64_t u = unit_ns ? unit_ns : 1, n = 0, below = 0, r, lo_ns, hi_ns, e;
	__u64 lo, hi;
	uint32_t i;

	for (i = 0; i < IT_HIST_SLOTS; i++)
		n += h->slots[i];
	if (!n)
		return 0;
	r = it_percentile_rank(n, permille);
	for (i = 0; i < IT_HIST_SLOTS; i++) {
		if (below + h->slots[i] >= r)
			break;
		below += h->slots[i];
	}
	it_hist_bucket_range(i, sub_bits, &lo, &hi);
	lo_ns = lo * u;
	hi_ns = hi >= UINT64_MAX / u ? UINT64_MAX : (hi + 1) * u - 1;
	e = lo_ns + (hi_ns - lo_ns) / 2;
	if (h->count && e < h->min_ns)
		e = h->min_ns;
	if (h->count && e > h->max_ns)
		e = h->max_ns;
	return e;
}

double it_hist_estimate_rel_bound(uint32_t sub_bits)
{
	if (sub_bits > IT_HIST_MAX_SUB_BITS)
		sub_bits = IT_HIST_MAX_SUB_BITS;
	return 1.0 / (double)(2u << sub_bits);
}

void it_hist_coarsen(const struct it_hist *fine, uint32_t fine_bits, uint32_t bits,
		     struct it_hist *out)
{
	__u64 lo, hi;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	out->count = fine->count;
	out->sum_ns = fine->sum_ns;
	out->min_ns = fine->min_ns;
	out->max_ns = fine->max_ns;
	for (i = 0; i < IT_HIST_SLOTS; i++) {
		if (!fine->slots[i])
			continue;
		/* a fine bucket lies inside one coarse bucket: its lo names it */
		it_hist_bucket_range(i, fine_bits, &lo, &hi);
		out->slots[it_hist_bucket(lo, bits)] += fine->slots[i];
	}
}

/* count, avg, min, max: exact in both modes (the kernel keeps them in ns). */
static void exact_moments(const struct it_hist *h, struct it_hist_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->count = h->count;
	if (!h->count)
		return;
	/* rounded to nearest; sum_ns / count apart so sum_ns + count / 2 cannot wrap */
	st->avg_ns = h->sum_ns / h->count + (h->sum_ns % h->count >= (h->count + 1) / 2);
	st->min_ns = h->min_ns;
	st->max_ns = h->max_ns;
}

void it_hist_get_stats(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
		       struct it_hist_stats *st)
{
	exact_moments(h, st);
	st->method = IT_PCT_BUCKET;
	st->err_ppm = (uint32_t)(1e6 * it_hist_estimate_rel_bound(sub_bits));
	st->err_abs_ns = (unit_ns ? unit_ns : 1) / 2;
	if (!h->count)
		return;
	st->p50_ns = it_hist_percentile_ns(h, sub_bits, unit_ns, 500);
	st->p90_ns = it_hist_percentile_ns(h, sub_bits, unit_ns, 900);
	st->p99_ns = it_hist_percentile_ns(h, sub_bits, unit_ns, 990);
	st->p999_ns = it_hist_percentile_ns(h, sub_bits, unit_ns, 999);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void it_hist_get_exact_stats(const struct it_hist *h, struct it_lat_samples *s,
			     struct it_hist_stats *st)
{
	exact_moments(h, st);
	st->method = IT_PCT_EXACT;
	qsort(s->ns, s->n, sizeof(*s->ns), cmp_u64);
	st->p50_ns = it_exact_percentile(s->ns, s->n, 500);
	st->p90_ns = it_exact_percentile(s->ns, s->n, 900);
	st->p99_ns = it_exact_percentile(s->ns, s->n, 990);
	st->p999_ns = it_exact_percentile(s->ns, s->n, 999);
}
