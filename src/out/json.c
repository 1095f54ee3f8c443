// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <math.h>
#include "json.h"

void it_json_init(struct it_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);	/* comm may hold any byte */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void prefix(struct it_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		put_str(j->f, key);
		fputc(':', j->f);
	}
}

static void open(struct it_json *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < IT_JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct it_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void it_json_obj(struct it_json *j, const char *key) { open(j, key, '{'); }
void it_json_obj_end(struct it_json *j) { close_(j, '}'); }
void it_json_arr(struct it_json *j, const char *key) { open(j, key, '['); }
void it_json_arr_end(struct it_json *j) { close_(j, ']'); }

void it_json_str(struct it_json *j, const char *key, const char *v)
{
	prefix(j, key);
	if (v)
		put_str(j->f, v);
	else
		fputs("null", j->f);
}

void it_json_u64(struct it_json *j, const char *key, uint64_t v)
{
	prefix(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void it_json_i64(struct it_json *j, const char *key, int64_t v)
{
	prefix(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void it_json_dbl(struct it_json *j, const char *key, double v)
{
	prefix(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.3f", v);
	else
		fputs("null", j->f);
}

void it_json_bool(struct it_json *j, const char *key, bool v)
{
	prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void it_json_hex(struct it_json *j, const char *key, uint64_t v)
{
	prefix(j, key);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

void it_json_eol(struct it_json *j)
{
	fputc('\n', j->f);
	j->depth = 0;
	j->need_comma[0] = false;
	fflush(j->f);
}
