/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small open-addressing hash map from a 64-bit key to a pointer: the
 * checker's per-IOASID, per-task and per-subscriber state.  Linear probing
 * with tombstones; grows at 50% load so lookups stay O(1) on long traces.
 */
#ifndef IT_CHECK_MAP_H
#define IT_CHECK_MAP_H

#include <stddef.h>
#include <stdint.h>

struct it_map {
	uint64_t *keys;
	void **vals;		/* NULL: empty slot; IT_MAP_TOMB: deleted */
	size_t cap, n, used;	/* used counts tombstones too */
};

int it_map_init(struct it_map *m, size_t cap_pow2);
void it_map_fini(struct it_map *m);
void *it_map_get(const struct it_map *m, uint64_t key);
/* Insert or replace; val must not be NULL.  0 or -ENOMEM. */
int it_map_put(struct it_map *m, uint64_t key, void *val);
/* Remove and return the value (NULL if absent). */
void *it_map_del(struct it_map *m, uint64_t key);

/* Iterate: for (i = 0; it_map_next(m, &i, &k, &v); ) ... */
int it_map_next(const struct it_map *m, size_t *i, uint64_t *key, void **val);

#endif
