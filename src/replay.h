/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An offline run: a record file through the same pipeline, decoder and
 * consumers as a live run (session.c), for report, hist --input and check --input.
 */
#ifndef IT_REPLAY_H
#define IT_REPLAY_H

#include "session.h"

/* Exit code for a file that cannot be read (missing, foreign, corrupt). */
#define IT_EXIT_BAD_FILE	3

/*
 * Replay path into spec->cons.  The filters of spec->o (-p, --ioasid,
 * --sid, --cmd) apply to raw records as BPF applies them live.  Returns the
 * consumers' verdict (it_pipeline_end), or IT_EXIT_BAD_FILE after one line
 * on stderr ("ioasid-trace: FILE: reason").
 */
int it_replay_run(const struct it_session_spec *spec, const char *path);

#endif
