/* SPDX-License-Identifier: GPL-2.0 */
/* Subcommands: each returns the process exit code. */
#ifndef IT_COMMANDS_H
#define IT_COMMANDS_H

#include "consumer.h"
#include "options.h"
#include "out/out.h"

int it_cmd_trace(const struct it_options *o);
int it_cmd_hist(const struct it_options *o);
int it_cmd_doctor(const struct it_options *o);
int it_cmd_check(const struct it_options *o);
int it_cmd_record(const struct it_options *o);
int it_cmd_report(const struct it_options *o);

/* The consumers behind trace and hist, for reuse (e.g. replaying a file). */
void it_trace_consumer_init(struct it_consumer *c, struct it_writer *out);
/* from_events: build histograms from EXIT events (offline) instead of the kernel map. */
int it_hist_consumer_init(struct it_consumer *c, struct it_writer *out, uint32_t sub_bits,
			  enum it_unit unit, bool from_events);

#endif
