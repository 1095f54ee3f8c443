// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms parser.  Lines are "ADDR TYPE NAME" or
 * "ADDR TYPE NAME\t[MODULE]".  Names and module names live in one string
 * pool; all symbols are kept for name lookup and the text ones are sorted
 * by address for nearest-symbol lookup (callback addresses, ops->free).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct it_ksyms {
	struct it_ksym *syms;	/* file order */
	size_t n, cap;
	struct it_ksym **text;	/* text symbols by address */
	size_t ntext;
	char *pool;
	size_t pool_len, pool_cap;
	bool all_zero;
};

static long pool_add(struct it_ksyms *ks, const char *s, size_t len)
{
	long at;

	if (ks->pool_len + len + 1 > ks->pool_cap) {
		size_t cap = ks->pool_cap ? ks->pool_cap * 2 : 1 << 20;
		char *p;

		while (cap < ks->pool_len + len + 1)
			cap *= 2;
		p = realloc(ks->pool, cap);
		if (!p)
			return -1;
		ks->pool = p;
		ks->pool_cap = cap;
	}
	at = (long)ks->pool_len;
	memcpy(ks->pool + at, s, len);
	ks->pool[at + len] = '\0';
	ks->pool_len += len + 1;
	return at;
}

static bool is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

static int cmp_addr(const void *a, const void *b)
{
	const struct it_ksym *x = *(const struct it_ksym * const *)a;
	const struct it_ksym *y = *(const struct it_ksym * const *)b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Stable among aliases: the first in file order wins. */
	return x < y ? -1 : x > y;
}

/* Names are stored as pool offsets while the pool may move; fix them up. */
struct raw_sym {
	uint64_t addr;
	long name, mod;
	char type;
};

struct it_ksyms *it_ksyms_load(const char *path)
{
	struct it_ksyms *ks;
	FILE *f;

	f = fopen(path ? path : "/proc/kallsyms", "r");
	if (!f)
		return NULL;
	ks = it_ksyms_load_stream(f);
	fclose(f);
	return ks;
}

struct it_ksyms *it_ksyms_load_stream(FILE *f)
{
	struct it_ksyms *ks;
	struct raw_sym *raw = NULL;
	size_t nraw = 0, capraw = 0, i;
	char line[512];
	long last_mod = -1;
	char last_mod_name[128] = "";

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		goto oom;
	ks->all_zero = true;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end, *name, *mod = NULL;
		unsigned long long addr;
		char type;
		size_t nlen;

		addr = strtoull(p, &end, 16);
		if (end == p || *end != ' ')
			continue;
		p = end + 1;
		type = *p;
		if (!type || p[1] != ' ')
			continue;
		name = p + 2;
		nlen = strcspn(name, " \t\n");
		if (!nlen)
			continue;
		if (name[nlen] == '\t' || name[nlen] == ' ') {
			char *m = name + nlen + strspn(name + nlen, " \t");

			if (*m == '[') {
				size_t mlen = strcspn(m + 1, "]\n");

				m[1 + mlen] = '\0';
				mod = m + 1;
			}
		}
		name[nlen] = '\0';
		if (addr)
			ks->all_zero = false;
		if (nraw == capraw) {
			struct raw_sym *r;

			capraw = capraw ? capraw * 2 : 65536;
			r = realloc(raw, capraw * sizeof(*raw));
			if (!r)
				goto oom;
			raw = r;
		}
		raw[nraw].addr = addr;
		raw[nraw].type = type;
		raw[nraw].name = pool_add(ks, name, nlen);
		if (raw[nraw].name < 0)
			goto oom;
		raw[nraw].mod = -1;
		if (mod) {
			/* Module symbols come in runs: store each name once. */
			if (last_mod < 0 || strcmp(last_mod_name, mod)) {
				last_mod = pool_add(ks, mod, strlen(mod));
				if (last_mod < 0)
					goto oom;
				snprintf(last_mod_name, sizeof(last_mod_name), "%s", mod);
			}
			raw[nraw].mod = last_mod;
		}
		nraw++;
	}

	ks->syms = calloc(nraw ? nraw : 1, sizeof(*ks->syms));
	ks->text = calloc(nraw ? nraw : 1, sizeof(*ks->text));
	if (!ks->syms || !ks->text)
		goto oom;
	for (i = 0; i < nraw; i++) {
		struct it_ksym *s = &ks->syms[i];

		s->addr = raw[i].addr;
		s->type = raw[i].type;
		s->name = ks->pool + raw[i].name;
		s->mod = raw[i].mod >= 0 ? ks->pool + raw[i].mod : NULL;
		if (is_text(s->type))
			ks->text[ks->ntext++] = s;
	}
	ks->n = nraw;
	free(raw);
	qsort(ks->text, ks->ntext, sizeof(*ks->text), cmp_addr);
	return ks;
oom:
	free(raw);
	it_ksyms_free(ks);
	errno = ENOMEM;
	return NULL;
}

void it_ksyms_free(struct it_ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->text);
	free(ks->pool);
	free(ks);
}

size_t it_ksyms_count(const struct it_ksyms *ks)
{
	return ks ? ks->n : 0;
}

bool it_ksyms_hidden(const struct it_ksyms *ks)
{
	return ks && ks->n && ks->all_zero;
}

const struct it_ksym *it_ksyms_by_name(const struct it_ksyms *ks, const char *name,
				       const char *mod)
{
	const struct it_ksym *any = NULL;
	size_t i;

	if (!ks)
		return NULL;
	for (i = 0; i < ks->n; i++) {
		const struct it_ksym *s = &ks->syms[i];

		if (strcmp(s->name, name))
			continue;
		if (mod) {
			if (s->mod && !strcmp(s->mod, mod))
				return s;
			continue;
		}
		if (!s->mod)
			return s;
		if (!any)
			any = s;
	}
	return any;
}

const struct it_ksym *it_ksyms_by_addr(const struct it_ksyms *ks, uint64_t addr,
				       uint64_t *off)
{
	size_t lo = 0, hi, mid;
	const struct it_ksym *s, *next;

	if (!ks || !ks->ntext || addr < ks->text[0]->addr)
		return NULL;
	hi = ks->ntext;
	/* last index with text[i]->addr <= addr */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (ks->text[mid]->addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* Among aliases at the same address take the first (sorted stable). */
	while (lo > 0 && ks->text[lo - 1]->addr == ks->text[lo]->addr)
		lo--;
	s = ks->text[lo];
	/*
	 * Past the last symbol of a module, or into another module's range,
	 * the "nearest" symbol is meaningless: require the next symbol (if
	 * any) to belong to the same module, and cap the distance.
	 */
	next = lo + 1 < ks->ntext ? ks->text[lo + 1] : NULL;
	while (next && next->addr == s->addr && lo + 1 < ks->ntext)
		next = ++lo + 1 < ks->ntext ? ks->text[lo + 1] : NULL;
	if (!next && addr - s->addr > (1u << 20))
		return NULL;
	if (next && addr >= next->addr)
		return NULL;
	if (addr - s->addr > (1u << 24))
		return NULL;
	if (off)
		*off = addr - s->addr;
	return s;
}

const char *it_ksyms_describe(const struct it_ksyms *ks, uint64_t addr, char *buf,
			      size_t len)
{
	uint64_t off = 0;
	const struct it_ksym *s = it_ksyms_by_addr(ks, addr, &off);

	if (!s)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (off)
		snprintf(buf, len, "%s+0x%llx%s%s%s", s->name, (unsigned long long)off,
			 s->mod ? " [" : "", s->mod ? s->mod : "", s->mod ? "]" : "");
	else
		snprintf(buf, len, "%s%s%s%s", s->name, s->mod ? " [" : "",
			 s->mod ? s->mod : "", s->mod ? "]" : "");
	return buf;
}
