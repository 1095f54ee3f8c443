/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's preemption model, as far as BPF programs care.
 *
 * An fentry/fexit program runs with migration disabled, not preemption:
 * on a fully preemptible kernel another task can run the same program on
 * the same CPU while the first is preempted inside it, and the kernel's
 * per-CPU recursion guard then skips that run (bpf_prog_info's
 * recursion_misses).  A kprobe program runs with preemption disabled.
 */
#ifndef IT_PREEMPT_H
#define IT_PREEMPT_H

#include <stdbool.h>
#include <stddef.h>

struct it_ksyms;

/*
 * true if a task can be preempted inside an fentry program: the kernel is
 * CONFIG_PREEMPTION and, if it picks the model at boot (PREEMPT_DYNAMIC),
 * runs "full" or does not say.  how gets the model: "none", "voluntary",
 * "full", "full (assumed: ...)".
 */
bool it_preempt_full(const struct it_ksyms *ks, const char *debugfs_file,
		     char *how, size_t len);

/* debugfs_file for it_preempt_full() on a live system. */
#define IT_PREEMPT_DEBUGFS "/sys/kernel/debug/sched/preempt"

#endif
