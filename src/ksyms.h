/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms, modules included. */
#ifndef IT_KSYMS_H
#define IT_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct it_ksym {
	uint64_t addr;
	const char *name;
	const char *mod;	/* NULL for vmlinux, else the [module] name */
	char type;		/* nm-style type letter: t/T text, d/D/b/B data, ... */
};

struct it_ksyms;

/* path NULL: /proc/kallsyms.  NULL with errno set on failure. */
struct it_ksyms *it_ksyms_load(const char *path);
/* The same from an open kallsyms-format stream (not closed): a record
 * file's symbol table (record.c) is read this way. */
struct it_ksyms *it_ksyms_load_stream(FILE *f);
void it_ksyms_free(struct it_ksyms *ks);

size_t it_ksyms_count(const struct it_ksyms *ks);
/* Every address read as 0: kptr_restrict hides them (not root). */
bool it_ksyms_hidden(const struct it_ksyms *ks);

/* Exact name; mod NULL matches any module (vmlinux preferred). */
const struct it_ksym *it_ksyms_by_name(const struct it_ksyms *ks, const char *name,
				       const char *mod);
/*
 * The text symbol containing addr: the nearest text symbol at or below it,
 * within the same module (or vmlinux) range.  *off gets addr - sym->addr.
 */
const struct it_ksym *it_ksyms_by_addr(const struct it_ksyms *ks, uint64_t addr,
				       uint64_t *off);

/* "sym+0x10 [mod]" or "0xffff..." when unknown, into buf. */
const char *it_ksyms_describe(const struct it_ksyms *ks, uint64_t addr, char *buf,
			      size_t len);

#endif
