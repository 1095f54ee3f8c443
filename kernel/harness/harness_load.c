// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_harness: the load generator.
 *
 * THREADS kernel threads each run CYCLES x (alloc -> bind -> unbind -> free)
 * in one set, all started at the same instant.  The wall time from that
 * instant to the last thread's end gives the throughput, which is what a
 * slow subscriber on a chain that runs under the allocator's lock costs every
 * other user of the allocator.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "harness.h"

#define HARNESS_LOAD_MAX_THREADS	64

/* One load at a time; reset also waits for a running load. */
DEFINE_MUTEX(harness_load_mutex);

struct harness_load;

struct harness_load_thread {
	struct harness_load *load;
	struct completion done;
	u64 cycles;
	u64 errors;
};

struct harness_load {
	struct completion start;
	bool stop;	/* the caller was killed: finish early */
	int sid;
	u64 cycles;
	unsigned int nr;
	struct harness_load_thread th[];
};

static int harness_load_fn(void *data);

/*
 * Callbacks run in the publisher's thread, so "is this a load thread" tells
 * a callback whether it is part of a load run and should stay off the log.
 */
bool harness_in_load(void)
{
	return kthread_func(current) == harness_load_fn;
}

static void harness_load_cycle(struct harness_load_thread *t, int sid)
{
	ioasid_t id;
	int ret;

	ret = harness_pub_alloc(sid, 0, &id, NULL);
	if (ret) {
		t->errors++;
		return;
	}
	/* Positive returns are NOTIFY_* codes; only the core's errors count. */
	if (harness_pub_notify(id, HOP_BIND, IOASID_BIND) < 0)
		t->errors++;
	if (harness_pub_notify(id, HOP_UNBIND, IOASID_UNBIND) < 0)
		t->errors++;
	/* Owned only: a re-entrant subscriber may have freed it already. */
	harness_pub_free(id, HPUB_OWNED_ONLY);
	t->cycles++;
}

static int harness_load_fn(void *data)
{
	struct harness_load_thread *t = data;
	struct harness_load *load = t->load;
	u64 i;

	wait_for_completion(&load->start);
	for (i = 0; i < load->cycles && !READ_ONCE(load->stop); i++) {
		harness_load_cycle(t, load->sid);
		cond_resched();
	}
	/* Signal and exit without returning into code rmmod may remove. */
	kthread_complete_and_exit(&t->done, 0);
}

static void harness_load_log(struct harness_load *load, unsigned int threads,
			     enum harness_phase phase, int ret, u64 done,
			     u64 errors)
{
	struct harness_rec rec = {
		.type = HREC_OP,
		.op = HOP_LOAD,
		.phase = phase,
		.sid = load->sid,
		.cmd = threads,
		.extra = load->cycles,
		.ret = ret,
		.pdata = done,
		.token = errors,
	};

	/* Not per operation: always logged, even with quiet_log. */
	harness_log_rec(&rec, true);
}

int harness_load_run(unsigned int threads, u64 cycles, int sid,
		     struct harness_load_result *res)
{
	struct harness_load *load;
	struct task_struct *task;
	unsigned int i, started = 0;
	u64 t0;
	int ret;

	if (!threads || threads > HARNESS_LOAD_MAX_THREADS || !cycles)
		return -EINVAL;

	ret = mutex_lock_killable(&harness_load_mutex);
	if (ret)
		return ret;
	if (sid < 0) {
		ret = harness_pub_default_set(&sid);
		if (ret)
			goto unlock;
	}
	load = kzalloc(struct_size(load, th, threads), GFP_KERNEL);
	if (!load) {
		ret = -ENOMEM;
		goto unlock;
	}
	init_completion(&load->start);
	load->sid = sid;
	load->cycles = cycles;
	load->nr = threads;

	for (i = 0; i < threads; i++) {
		load->th[i].load = load;
		init_completion(&load->th[i].done);
		task = kthread_run(harness_load_fn, &load->th[i],
				   "ioasid_load/%u", i);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			/* Let the started ones run zero cycles and exit. */
			WRITE_ONCE(load->stop, true);
			break;
		}
		started++;
	}

	harness_load_log(load, threads, HPH_BEGIN, 0, 0, 0);
	t0 = ktime_get_ns();
	complete_all(&load->start);
	for (i = 0; i < started; i++) {
		/*
		 * A killed caller stops the run but still waits: the threads
		 * use memory freed below.
		 */
		if (wait_for_completion_killable(&load->th[i].done)) {
			WRITE_ONCE(load->stop, true);
			wait_for_completion(&load->th[i].done);
			if (!ret)
				ret = -EINTR;
		}
	}
	res->ns = ktime_get_ns() - t0;
	res->sid = sid;
	res->cycles = 0;
	res->errors = 0;
	for (i = 0; i < started; i++) {
		res->cycles += load->th[i].cycles;
		res->errors += load->th[i].errors;
	}
	atomic64_add(res->cycles, &harness_stats.load_cycles);
	harness_load_log(load, threads, HPH_END, ret, res->cycles,
			 res->errors);
	kfree(load);
unlock:
	mutex_unlock(&harness_load_mutex);
	return ret;
}

u64 harness_load_rate(const struct harness_load_result *res)
{
	if (!res->ns)
		return 0;
	return mul_u64_u64_div_u64(res->cycles, NSEC_PER_SEC, res->ns);
}
