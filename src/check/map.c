// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "map.h"

static char tomb;
#define IT_MAP_TOMB ((void *)&tomb)

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;	/* murmur3 finaliser: spreads small IDs */
	key ^= key >> 33;
	return key & (cap - 1);
}

int it_map_init(struct it_map *m, size_t cap)
{
	m->cap = cap < 16 ? 16 : cap;
	m->n = m->used = 0;
	m->keys = calloc(m->cap, sizeof(*m->keys));
	m->vals = calloc(m->cap, sizeof(*m->vals));
	if (!m->keys || !m->vals) {
		it_map_fini(m);
		return -ENOMEM;
	}
	return 0;
}

void it_map_fini(struct it_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = m->used = 0;
}

static size_t find(const struct it_map *m, uint64_t key)
{
	size_t i = slot_of(key, m->cap);

	while (m->vals[i]) {
		if (m->vals[i] != IT_MAP_TOMB && m->keys[i] == key)
			return i;
		i = (i + 1) & (m->cap - 1);
	}
	return (size_t)-1;
}

void *it_map_get(const struct it_map *m, uint64_t key)
{
	size_t i = m->cap ? find(m, key) : (size_t)-1;

	return i == (size_t)-1 ? NULL : m->vals[i];
}

static int grow(struct it_map *m)
{
	struct it_map bigger;
	size_t i;

	if (it_map_init(&bigger, m->cap * 2))
		return -ENOMEM;
	for (i = 0; i < m->cap; i++)
		if (m->vals[i] && m->vals[i] != IT_MAP_TOMB)
			it_map_put(&bigger, m->keys[i], m->vals[i]);
	it_map_fini(m);
	*m = bigger;
	return 0;
}

int it_map_put(struct it_map *m, uint64_t key, void *val)
{
	size_t i = find(m, key);

	if (i != (size_t)-1) {
		m->vals[i] = val;
		return 0;
	}
	if ((m->used + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	i = slot_of(key, m->cap);
	while (m->vals[i] && m->vals[i] != IT_MAP_TOMB)
		i = (i + 1) & (m->cap - 1);
	if (!m->vals[i])
		m->used++;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

void *it_map_del(struct it_map *m, uint64_t key)
{
	size_t i = m->cap ? find(m, key) : (size_t)-1;
	void *v;

	if (i == (size_t)-1)
		return NULL;
	v = m->vals[i];
	m->vals[i] = IT_MAP_TOMB;
	m->n--;
	return v;
}

int it_map_next(const struct it_map *m, size_t *i, uint64_t *key, void **val)
{
	for (; *i < m->cap; (*i)++) {
		if (m->vals[*i] && m->vals[*i] != IT_MAP_TOMB) {
			*key = m->keys[*i];
			*val = m->vals[*i];
			(*i)++;
			return 1;
		}
	}
	return 0;
}
