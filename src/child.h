/* SPDX-License-Identifier: GPL-2.0 */
/* "-- CMD ARGS": run a command once everything is attached. */
#ifndef IT_CHILD_H
#define IT_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

struct it_child {
	pid_t pid;		/* 0: none / reaped */
	int status;		/* exit code, 128+signal if killed; -1 while running */
};

/* Start argv[0] with argv; its stdout goes to our stderr so it never mixes
 * into the event stream on stdout.  0 or -errno. */
int it_child_start(struct it_child *c, char **argv);
/* Reap without blocking; true once it has exited. */
bool it_child_done(struct it_child *c);
/* SIGTERM, wait up to 2 s, then SIGKILL. */
void it_child_stop(struct it_child *c);

#endif
