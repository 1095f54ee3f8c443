// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_harness: a race window of the kernel under test, held open.
 *
 * "window free_read CPU MS" arms it: the next time the default allocator's
 * free returns on CPU, a busy SCHED_FIFO kernel thread is woken there.
 * It preempts the task that called the free right at the instruction
 * after ops->free() in ioasid_free_locked() and keeps it off the CPU for
 * MS milliseconds (SCHED_FIFO: a fair-class thread, even at nice -20,
 * lets the preempted task back within a few scheduler periods; with RT
 * throttling on, the task gets 5% of each second).  A preemptible kernel
 * may do that at any instruction; the harness makes it happen at this
 * one, where the seed reads ioasid_data that default_free() has just
 * handed to kfree_rcu() (fixed/0004).  Held off long enough, the grace period ends and the data
 * is really freed before the read, so KASAN sees the read
 * (tests/vm/debug-windows.sh).  The thread busy-waits with preemption
 * enabled and outside any RCU read-side section, so the tick still
 * reports that CPU's quiescent states; the free itself runs on another
 * CPU once kfree_rcu's batch is drained there.
 *
 * Without CONFIG_PREEMPTION nothing preempts kernel code: the window cannot
 * open there, and arming it fails.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#include "harness.h"

static DEFINE_MUTEX(window_lock);	/* arming and disarming */
static struct task_struct *window_hog;
static bool window_probed;
static unsigned int window_cpu;
static unsigned int window_ms;
static atomic_t window_armed = ATOMIC_INIT(0);	/* 1: the next free opens it */
static atomic_t window_busy = ATOMIC_INIT(0);	/* 1: the hog holds the CPU */
static atomic_t window_opened = ATOMIC_INIT(0);

static int window_hog_fn(void *unused)
{
	unsigned long end;

	sched_set_fifo(current);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!atomic_read(&window_busy)) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		end = jiffies + msecs_to_jiffies(READ_ONCE(window_ms));
		while (time_before(jiffies, end) && !kthread_should_stop())
			cpu_relax();
		atomic_set(&window_busy, 0);
	}
	return 0;
}

/* default_free() returned: its caller's next instruction is the window. */
static int window_free_returned(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	if (smp_processor_id() != READ_ONCE(window_cpu) ||
	    atomic_cmpxchg(&window_armed, 1, 0) != 1)
		return 0;
	atomic_inc(&window_opened);
	atomic_set(&window_busy, 1);
	/* Sets need_resched: the probe's return path then preempts. */
	wake_up_process(window_hog);
	return 0;
}

static struct kretprobe window_krp = {
	.kp.symbol_name = "default_free",
	.handler = window_free_returned,
	.maxactive = 8,
};

static void window_off_locked(void)
{
	atomic_set(&window_armed, 0);
	if (window_probed) {
		unregister_kretprobe(&window_krp);
		window_probed = false;
	}
	if (window_hog) {
		kthread_stop(window_hog);
		window_hog = NULL;
	}
	atomic_set(&window_busy, 0);
}

static int window_start_hog(unsigned int cpu)
{
	struct task_struct *t;

	t = kthread_create(window_hog_fn, NULL, "ioasid_window/%u", cpu);
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, cpu);
	window_hog = t;
	wake_up_process(t);
	return 0;
}

int harness_window_arm(unsigned int cpu, unsigned int ms)
{
	int ret;

	if (!IS_ENABLED(CONFIG_PREEMPTION))
		return -EOPNOTSUPP;
	if (cpu >= nr_cpu_ids || !cpu_online(cpu) || !ms)
		return -EINVAL;
	mutex_lock(&window_lock);
	window_off_locked();
	WRITE_ONCE(window_cpu, cpu);
	WRITE_ONCE(window_ms, ms);
	ret = window_start_hog(cpu);
	if (!ret) {
		ret = register_kretprobe(&window_krp);
		window_probed = !ret;
	}
	if (ret)
		window_off_locked();
	else
		atomic_set(&window_armed, 1);
	mutex_unlock(&window_lock);
	return ret;
}

void harness_window_off(void)
{
	mutex_lock(&window_lock);
	window_off_locked();
	mutex_unlock(&window_lock);
}

void harness_window_stat(bool *armed, bool *busy, unsigned int *opened)
{
	*armed = atomic_read(&window_armed);
	*busy = atomic_read(&window_busy);
	*opened = atomic_read(&window_opened);
}
