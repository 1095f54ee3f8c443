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
	free(t->e);
	t->e = NULL;
	t->n = t->cap = 0;
}

void it_hist_table_clear(struct it_hist_table *t)
{
	t->n = 0;
}

struct it_hist *it_hist_table_get(struct it_hist_table *t, uint32_t type, uint64_t id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].key.type == type && t->e[i].key.id == id)
			return &t->e[i].h;
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
	return &t->e[t->n++].h;
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

double it_hist_percentile(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
			  double p)
{
	uint64_t n = 0, below = 0, r;
	__u64 lo, hi;
	double unit = (double)(unit_ns ? unit_ns : 1), v, vmin, vmax;
	uint32_t i;

	for (i = 0; i < IT_HIST_SLOTS; i++)
		n += h->slots[i];
	if (!n)
		return 0;
	if (p <= 0)
		p = 0;
	if (p > 100)
		p = 100;
	r = (uint64_t)ceil(p / 100.0 * (double)n);
	if (r < 1)
		r = 1;
	if (r > n)
		r = n;
	for (i = 0; i < IT_HIST_SLOTS; i++) {
		if (below + h->slots[i] >= r)
			break;
		below += h->slots[i];
	}
	if (i == IT_HIST_SLOTS)
		return 0;
	it_hist_bucket_range(i, sub_bits, &lo, &hi);
	v = (double)lo + ((double)hi + 1.0 - (double)lo) *
		((double)(r - below) - 0.5) / (double)h->slots[i];
	if (v > (double)hi + 1.0)
		v = (double)hi + 1.0;
	if (h->count) {
		vmin = (double)h->min_ns / unit;
		vmax = (double)h->max_ns / unit;
		if (v < vmin)
			v = vmin;
		if (v > vmax)
			v = vmax;
	}
	return v;
}

void it_hist_get_stats(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
		       struct it_hist_stats *st)
{
	double unit = (double)(unit_ns ? unit_ns : 1);

	memset(st, 0, sizeof(*st));
	st->count = h->count;
	if (!h->count)
		return;
	st->avg = (double)h->sum_ns / (double)h->count / unit;
	st->min = (double)h->min_ns / unit;
	st->max = (double)h->max_ns / unit;
	st->p50 = it_hist_percentile(h, sub_bits, unit_ns, 50);
	st->p90 = it_hist_percentile(h, sub_bits, unit_ns, 90);
	st->p99 = it_hist_percentile(h, sub_bits, unit_ns, 99);
	st->p999 = it_hist_percentile(h, sub_bits, unit_ns, 99.9);
}
