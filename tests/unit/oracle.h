/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exact answers the histogram tests hold the tool to, computed the
 * plain way: sort, then take the nearest rank by its definition (not by
 * the tool's rank formula).
 */
#ifndef IT_TEST_ORACLE_H
#define IT_TEST_ORACLE_H

#include <stddef.h>
#include <stdint.h>

/* qsort order of uint64_t. */
static inline int oracle_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The smallest value x of sorted[0..n) with at least permille/1000 of them <= x. */
static inline uint64_t oracle_nearest_rank(const uint64_t *sorted, size_t n, uint32_t permille)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((i + 1) * 1000 >= (uint64_t)permille * n)
			return sorted[i];
	return 0;
}

#endif
