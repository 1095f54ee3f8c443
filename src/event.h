/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decoded event: what every consumer (trace printer, hist, check,
 * record) sees, whether it comes from the live ring buffer or a file.
 * Produced only by decode.c from a raw struct it_record (or as a meta
 * event made by user space).  Plain data; pointers point into the
 * decoder's symbol table and stay valid for the decoder's lifetime.
 */
#ifndef IT_EVENT_H
#define IT_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "ioasid_trace.h"

struct it_event {
	uint64_t seq;		/* running number given by the decoder, from 1 */
	uint64_t ts_ns;		/* CLOCK_MONOTONIC */
	uint64_t lat_ns;	/* EXIT: duration of the call (valid unless IT_F_UNMATCHED) */
	uint32_t cpu, pid, tid;
	char comm[IT_COMM_LEN + 1];

	enum it_kind kind;
	enum it_phase phase;
	uint32_t flags;		/* enum it_flag */
	uint16_t depth;		/* 1 = outermost traced call of the task */

	uint32_t ioasid;	/* IT_NO_ID unless IT_F_HAS_ID */
	int32_t sid;		/* IT_NO_SID unless IT_F_HAS_SID */
	uint32_t cmd;		/* enum ioasid_notify_val, if IT_F_HAS_CMD */
	int64_t ret;		/* if IT_F_HAS_RET; ALLOC: the new id (IT_NO_ID = failed) */

	uint64_t cb;		/* callback / ops->free address, if IT_F_HAS_CB or ALLOCATOR_FREE */
	uint64_t nb;		/* notifier_block */
	int32_t prio;		/* nb->priority */
	const char *cb_sym;	/* resolved cb (NULL if unknown) */
	const char *cb_mod;	/* its module, NULL for vmlinux */

	uint64_t ptr;		/* private / data / token / opaque, see ioasid_trace.h */
	uint32_t min, max, quota;
	struct it_nb_args args;	/* if IT_F_HAS_ARGS: what the callback saw */
	uint32_t preempt_count;	/* if IT_F_PREEMPT_KNOWN */

	uint64_t lost;		/* IT_K_META_LOST: records lost since the previous one */
};

/* IOASID_* notification values (enum ioasid_notify_val of the seed). */
enum { IT_CMD_ALLOC = 1, IT_CMD_FREE, IT_CMD_BIND, IT_CMD_UNBIND };

const char *it_kind_name(enum it_kind k);		/* "free_locked", ... */
int it_kind_from_name(const char *name);		/* -1 if unknown */
const char *it_phase_name(enum it_phase p);		/* "enter" / "exit" / "point" */
const char *it_cmd_name(uint32_t cmd);			/* "FREE", or NULL */
int it_cmd_from_name(const char *name);			/* "free"/"FREE"/"2" -> 2, -1 */
/* NOTIFY_DONE/OK/STOP/BAD or NULL for other values */
const char *it_notify_ret_name(int64_t ret);

#endif
