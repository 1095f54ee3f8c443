// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms parser.  Lines are "ADDR TYPE NAME" or
 * "ADDR TYPE NAME\t[MODULE]".  Names and module names point into the
 * file's text, read whole; all symbols are kept for name lookup (a hash
 * index built while parsing) and the text ones are sorted by address for
 * nearest-symbol lookup (callback addresses, ops->free).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct it_ksyms {
	struct it_ksym *syms;	/* file order */
	size_t n;
	struct it_ksym **text;	/* text symbols by address */
	size_t ntext;
	char *pool;		/* the whole file; names point into it */
	bool all_zero;
	/*
	 * Name index: open addressing, linear probing, slots hold a syms[]
	 * index + 1 (0: empty).  Symbols go in in file order and nothing is
	 * removed, so a probe meets same-named symbols in file order, as the
	 * linear scan did.  Start-up looks up some 30 names; 30 scans of
	 * 50 000 strcmp()s were the largest user-space cost of "attached".
	 */
	uint32_t *index;
	size_t index_mask;
};

/* FNV-1a over the name up to its end (NUL, space or tab); *len its length. */
static uint32_t name_hash(const char *name, size_t *len)
{
	uint32_t h = 2166136261u;
	size_t n;

	for (n = 0; name[n] && name[n] != ' ' && name[n] != '\t'; n++)
		h = (h ^ (unsigned char)name[n]) * 16777619u;
	*len = n;
	return h;
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

/*
 * The whole stream in one buffer, NUL-terminated: it becomes the pool the
 * names point into (parsed in place, nothing copied per symbol).  Reading
 * and parsing 50 000 lines one by one took longer than the kernel took to
 * produce them, and start-up time is what a user waits for.
 */
static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 21, n = 0, r;
	char *buf = malloc(cap + 1), *p;

	if (!buf)
		return NULL;
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n < cap)
			continue;
		p = realloc(buf, cap * 2 + 1);
		if (!p) {
			free(buf);
			return NULL;
		}
		buf = p;
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * "ADDR TYPE NAME[\t[MOD]]" (NUL-terminated); false for a malformed line.
 * *hash: the name's name_hash().
 */
static bool parse_line(char *p, struct it_ksym *s, uint32_t *hash)
{
	uint64_t addr = 0;
	char *name, *m;
	size_t nlen, digits = 0;
	int v;

	for (; (v = hexval(*p)) >= 0 && digits < 16; p++, digits++)
		addr = addr << 4 | (uint64_t)v;
	if (!digits || *p != ' ' || !p[1] || p[2] != ' ')
		return false;
	s->type = p[1];
	name = p + 3;
	*hash = name_hash(name, &nlen);
	if (!nlen)
		return false;
	s->mod = NULL;
	if (name[nlen]) {
		m = name + nlen + strspn(name + nlen, " \t");
		if (*m == '[') {
			m[1 + strcspn(m + 1, "]")] = '\0';
			s->mod = m + 1;
		}
	}
	name[nlen] = '\0';
	s->addr = addr;
	s->name = name;
	return true;
}

/*
 * Sort the text symbols by address.  /proc/kallsyms lists vmlinux sorted by
 * address and then each module in its own order: sort only what follows
 * the sorted prefix, then merge the two runs (cmp_addr keeps file order
 * among aliases), instead of a full sort of ~50 000 entries.
 */
static int sort_text(struct it_ksyms *ks)
{
	struct it_ksym **t = ks->text, **out;
	size_t n = ks->ntext, k = 1, i, j, o;

	while (k < n && cmp_addr(&t[k - 1], &t[k]) < 0)
		k++;
	if (k >= n)
		return 0;
	qsort(t + k, n - k, sizeof(*t), cmp_addr);
	out = malloc(n * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (i = 0, j = k, o = 0; i < k || j < n;)
		out[o++] = j == n || (i < k && cmp_addr(&t[i], &t[j]) < 0) ? t[i++] : t[j++];
	free(ks->text);
	ks->text = out;
	return 0;
}

struct it_ksyms *it_ksyms_load_stream(FILE *f)
{
	struct it_ksyms *ks;
	size_t len, lines = 1, slots;
	char *line, *end, *nl;

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		goto oom;
	ks->all_zero = true;
	ks->pool = slurp(f, &len);
	if (!ks->pool) {
		int err = errno;

		it_ksyms_free(ks);
		errno = err;
		return NULL;
	}
	end = ks->pool + len;
	for (line = ks->pool; (line = memchr(line, '\n', end - line)); line++)
		lines++;
	ks->syms = calloc(lines, sizeof(*ks->syms));
	ks->text = calloc(lines, sizeof(*ks->text));
	for (slots = 16; slots < 2 * lines; slots *= 2)
		;
	ks->index = calloc(slots, sizeof(*ks->index));
	ks->index_mask = slots - 1;
	if (!ks->syms || !ks->text || !ks->index)
		goto oom;
	for (line = ks->pool; line < end; line = nl + 1) {
		struct it_ksym *s = &ks->syms[ks->n];
		uint32_t h;
		size_t i;

		nl = memchr(line, '\n', end - line);
		if (!nl)
			nl = end;
		*nl = '\0';
		if (!parse_line(line, s, &h))
			continue;
		for (i = h & ks->index_mask; ks->index[i]; i = (i + 1) & ks->index_mask)
			;
		ks->index[i] = (uint32_t)ks->n + 1;
		if (s->addr)
			ks->all_zero = false;
		if (is_text(s->type))
			ks->text[ks->ntext++] = s;
		ks->n++;
	}
	if (sort_text(ks))
		goto oom;
	return ks;
oom:
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
	free(ks->index);
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
	size_t i, len;
	uint32_t h;

	if (!ks || !ks->index)
		return NULL;
	h = name_hash(name, &len);
	if (name[len])		/* no symbol name holds a space or a tab */
		return NULL;
	for (i = h & ks->index_mask; ks->index[i]; i = (i + 1) & ks->index_mask) {
		const struct it_ksym *s = &ks->syms[ks->index[i] - 1];

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
