/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON emitter (escaping, commas, nesting) for the writers. */
#ifndef IT_JSON_H
#define IT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define IT_JSON_MAX_DEPTH 16

struct it_json {
	FILE *f;
	int depth;
	bool need_comma[IT_JSON_MAX_DEPTH];
};

void it_json_init(struct it_json *j, FILE *f);
/* key is NULL inside arrays and at top level */
void it_json_obj(struct it_json *j, const char *key);
void it_json_obj_end(struct it_json *j);
void it_json_arr(struct it_json *j, const char *key);
void it_json_arr_end(struct it_json *j);
void it_json_str(struct it_json *j, const char *key, const char *v);	/* NULL -> null */
void it_json_u64(struct it_json *j, const char *key, uint64_t v);
void it_json_i64(struct it_json *j, const char *key, int64_t v);
void it_json_dbl(struct it_json *j, const char *key, double v);	/* 3 decimals */
void it_json_bool(struct it_json *j, const char *key, bool v);
void it_json_hex(struct it_json *j, const char *key, uint64_t v);	/* "0x..." string */
/* End of one NDJSON line (after the top-level object closes). */
void it_json_eol(struct it_json *j);

#endif
