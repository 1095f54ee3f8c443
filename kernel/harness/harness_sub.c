// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_harness: the subscribers.
 *
 * Three notifier blocks play the subscribers the series names.  Each has its
 * own callback function so a tracer that resolves notifier_call pointers to
 * symbols can tell them apart:
 *
 *   harness_kvm_notify    keeps a guest-to-host PASID table in sync from
 *                         BIND/UNBIND/FREE and checks it (errors file)
 *   harness_iommu_notify  keeps a per-ID context, created on BIND (lazily on
 *                         UNBIND) and torn down on FREE
 *   harness_vdcm_notify   only counts
 *   harness_blind_notify  only counts, and no kprobe can see it: it is on
 *                         the kprobe blacklist (NOKPROBE_SYMBOL), so a
 *                         tracer that attaches kprobes to the chain's
 *                         callbacks meets a member it cannot probe (fentry
 *                         still sees it)
 *
 * Every callback can be slowed down, can return any NOTIFY_* value and can
 * call back into the IOASID API (re-entry).  On the seed kernel the chain
 * runs under ioasid_allocator_lock, so re-entry deadlocks the caller for
 * good; it therefore needs a second, explicit "reenter_unsafe" switch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "harness.h"

/* Long enough to stall a test visibly, short of the soft-lockup detector. */
#define HARNESS_DELAY_MAX_US	10000000u
#define HARNESS_ERRMSG_LEN	128

enum harness_ret_mode { HRET_OK, HRET_STOP, HRET_BAD, HRET_DONE, HRET_NR };
/* gate: wait until the gate file is opened (delay_us bounds the wait) */
enum harness_delay_mode { HDELAY_BUSY, HDELAY_SLEEP, HDELAY_GATE, HDELAY_NR };
enum harness_reenter { HRE_NONE, HRE_FREE, HRE_NOTIFY, HRE_ATTACH, HRE_NR };

enum harness_count { HC_ALLOC, HC_FREE, HC_BIND, HC_UNBIND, HC_OTHER, HC_NR };

/* One per debugfs file of a subscriber. */
enum harness_sub_file_kind {
	HSF_REGISTERED,
	HSF_PRIORITY,
	HSF_DELAY_US,
	HSF_DELAY_MODE,
	HSF_RET,
	HSF_REENTER,
	HSF_REENTER_UNSAFE,
	HSF_REENTER_STATS,
	HSF_COUNTS,
	HSF_ERRORS,
	HSF_TABLE,
	HSF_CTX_STATS,
	HSF_GATE,
	HSF_NR
};

static const char * const harness_sub_file_names[HSF_NR] = {
	[HSF_REGISTERED] = "registered",
	[HSF_PRIORITY] = "priority",
	[HSF_DELAY_US] = "delay_us",
	[HSF_DELAY_MODE] = "delay_mode",
	[HSF_RET] = "ret",
	[HSF_REENTER] = "reenter",
	[HSF_REENTER_UNSAFE] = "reenter_unsafe",
	[HSF_REENTER_STATS] = "reenter_stats",
	[HSF_COUNTS] = "counts",
	[HSF_ERRORS] = "errors",
	[HSF_TABLE] = "table",
	[HSF_CTX_STATS] = "ctx_stats",
	[HSF_GATE] = "gate",
};

static const char * const harness_ret_names[HRET_NR] = {
	"ok", "stop", "bad", "done",
};

static const int harness_ret_values[HRET_NR] = {
	NOTIFY_OK, NOTIFY_STOP, NOTIFY_BAD, NOTIFY_DONE,
};

static const char * const harness_delay_names[HDELAY_NR] = {
	"busy", "sleep", "gate",
};

static const char * const harness_reenter_names[HRE_NR] = {
	"none", "free", "notify", "attach",
};

struct harness_sub;

struct harness_sub_file {
	struct harness_sub *sub;
	enum harness_sub_file_kind kind;
};

/* Marks a task as being inside one subscriber's re-entrant call. */
struct harness_reenter_frame {
	struct list_head node;
	struct task_struct *task;
};

/* The IOMMU-like subscriber's per-ID context. */
struct harness_iommu_ctx {
	ioasid_t id;
	int sid;
	u64 pdata;
	u32 binds;
	u32 unbinds;
	bool bound;
};

struct harness_sub {
	const char *name;
	unsigned int idx;
	struct notifier_block nb;

	/* Registration state; priority only matters when registering. */
	struct mutex reg_lock;
	bool registered;
	int priority;

	/* Knobs, read without a lock by the callback. */
	unsigned int delay_us;
	int delay_mode;
	int ret_mode;
	int reenter;
	bool reenter_unsafe;

	/*
	 * delay_mode gate: a callback waits here until a test opens the gate,
	 * so a race it sets up (a removal, an allocation on another task)
	 * happens while the callback runs, whatever the host's speed.
	 */
	wait_queue_head_t gate_wq;
	bool gate_open;
	atomic_t gate_waiting;

	spinlock_t reenter_lock;	/* guards reenter_frames */
	struct list_head reenter_frames;
	atomic64_t reenter_done;
	atomic64_t reenter_skipped;
	int reenter_last_ret;

	struct harness_ring events;
	atomic64_t counts[HC_NR];

	/*
	 * Role state.  A mutex: callbacks run on a blocking chain and may
	 * sleep; nothing holding it calls the IOASID API.
	 */
	struct mutex state_lock;
	struct xarray table;	/* kvm: id -> host id; iommu: id -> ctx */
	u64 errors;
	char last_error[HARNESS_ERRMSG_LEN];
	u64 ctx_created;
	u64 ctx_freed;

	struct dentry *dir;
	struct harness_sub_file files[HSF_NR];
};

static int harness_kvm_notify(struct notifier_block *nb, unsigned long cmd,
			      void *data);
static int harness_iommu_notify(struct notifier_block *nb, unsigned long cmd,
				void *data);
static int harness_vdcm_notify(struct notifier_block *nb, unsigned long cmd,
			       void *data);
static int harness_blind_notify(struct notifier_block *nb, unsigned long cmd,
				void *data);

static struct harness_sub harness_subs[HSUB_NR] = {
	[HSUB_KVM] = {
		.name = "kvm",
		.idx = HSUB_KVM,
		.nb.notifier_call = harness_kvm_notify,
		.priority = 0,
	},
	[HSUB_IOMMU] = {
		.name = "iommu",
		.idx = HSUB_IOMMU,
		.nb.notifier_call = harness_iommu_notify,
		.priority = 10,
	},
	[HSUB_VDCM] = {
		.name = "vdcm",
		.idx = HSUB_VDCM,
		.nb.notifier_call = harness_vdcm_notify,
		.priority = 5,
	},
	[HSUB_BLIND] = {
		.name = "blind",
		.idx = HSUB_BLIND,
		.nb.notifier_call = harness_blind_notify,
		.priority = 3,
	},
};

static struct dentry *harness_sub_root;

const char *harness_sub_name(unsigned int idx)
{
	return idx < HSUB_NR ? harness_subs[idx].name : "?";
}

static u64 harness_ptr(const void *p)
{
	return (unsigned long)p;
}

/* ------------------------------------------------------------------------
 * Callback building blocks
 */

/*
 * Count the event, number it and record it in the subscriber's events ring
 * and (unless quiet) the global log.  Both rings are filled under the log's
 * lock so a callback's number and its place in the log agree.
 */
static u64 harness_sub_record(struct harness_sub *sub, unsigned long cmd,
			      const struct ioasid_nb_args *args)
{
	struct harness_rec rec = {
		.type = HREC_CB,
		.sub = sub->idx,
		.cmd = (int)cmd,
		.id = args->id,
		.sid = args->sid,
		/*
		 * On the seed kernel ioasid_notify() leaves set_token
		 * uninitialised; the raw value is what a test wants to see.
		 */
		.token = harness_ptr(args->set_token),
		.pdata = harness_ptr(args->pdata),
	};

	switch (cmd) {
	case IOASID_ALLOC:
		atomic64_inc(&sub->counts[HC_ALLOC]);
		break;
	case IOASID_FREE:
		atomic64_inc(&sub->counts[HC_FREE]);
		break;
	case IOASID_BIND:
		atomic64_inc(&sub->counts[HC_BIND]);
		break;
	case IOASID_UNBIND:
		atomic64_inc(&sub->counts[HC_UNBIND]);
		break;
	default:
		atomic64_inc(&sub->counts[HC_OTHER]);
		break;
	}

	if (harness_log_wanted()) {
		spin_lock(&harness_log.lock);
		spin_lock_nested(&sub->events.lock, SINGLE_DEPTH_NESTING);
		rec.seq = harness_next_seq();
		harness_ring_push_locked(&harness_log, &rec);
		harness_ring_push_locked(&sub->events, &rec);
		spin_unlock(&sub->events.lock);
		spin_unlock(&harness_log.lock);
	} else {
		spin_lock(&sub->events.lock);
		rec.seq = harness_next_seq();
		harness_ring_push_locked(&sub->events, &rec);
		spin_unlock(&sub->events.lock);
	}
	return rec.seq;
}

static void harness_sub_error(struct harness_sub *sub, u64 seq,
			      const char *what, ioasid_t id)
{
	/* Caller holds state_lock. */
	sub->errors++;
	snprintf(sub->last_error, sizeof(sub->last_error),
		 "seq=%llu %s id=%u", seq, what, id);
}

static void harness_sub_delay(struct harness_sub *sub)
{
	unsigned int us = READ_ONCE(sub->delay_us);
	unsigned int chunk;

	if (!us)
		return;
	if (READ_ONCE(sub->delay_mode) == HDELAY_GATE) {
		atomic_inc(&sub->gate_waiting);
		wait_event_timeout(sub->gate_wq, READ_ONCE(sub->gate_open),
				   usecs_to_jiffies(us));
		atomic_dec(&sub->gate_waiting);
		return;
	}
	if (READ_ONCE(sub->delay_mode) == HDELAY_SLEEP) {
		usleep_range(us, us + us / 16 + 1);
		return;
	}
	/*
	 * Busy: keep the CPU, as a subscriber doing real work under the lock
	 * would.  udelay() only takes short arguments, hence the loop.
	 */
	while (us) {
		chunk = min(us, 1000u);
		udelay(chunk);
		us -= chunk;
	}
}

static bool harness_sub_in_reenter(struct harness_sub *sub)
{
	struct harness_reenter_frame *f;
	bool found = false;

	spin_lock(&sub->reenter_lock);
	list_for_each_entry(f, &sub->reenter_frames, node) {
		if (f->task == current) {
			found = true;
			break;
		}
	}
	spin_unlock(&sub->reenter_lock);
	return found;
}

static void harness_reenter_log(struct harness_sub *sub, int mode,
				enum harness_phase phase, ioasid_t id, int ret)
{
	struct harness_rec rec = {
		.type = HREC_REENTER,
		.sub = sub->idx,
		.op = mode,
		.phase = phase,
		.id = id,
		.ret = ret,
		.has_ret = phase == HPH_END,
	};

	harness_log_rec(&rec, false);
}

/*
 * Call back into the IOASID API on the event's ID, as a careless subscriber
 * would.  "notify" re-sends the event's own command; a task already inside
 * this subscriber's re-entry is not let in again, so a kernel where re-entry
 * works cannot recurse without end.
 */
static void harness_sub_reenter(struct harness_sub *sub, unsigned long cmd,
				const struct ioasid_nb_args *args)
{
	int mode = READ_ONCE(sub->reenter);
	struct harness_reenter_frame frame = { .task = current };
	int ret = 0;

	if (mode == HRE_NONE)
		return;
	if (!READ_ONCE(sub->reenter_unsafe) || harness_sub_in_reenter(sub)) {
		atomic64_inc(&sub->reenter_skipped);
		harness_reenter_log(sub, mode, HPH_SKIPPED, args->id,
				    READ_ONCE(sub->reenter_unsafe));
		return;
	}

	spin_lock(&sub->reenter_lock);
	list_add(&frame.node, &sub->reenter_frames);
	spin_unlock(&sub->reenter_lock);

	harness_reenter_log(sub, mode, HPH_BEGIN, args->id, 0);
	switch (mode) {
	case HRE_FREE:
		/* Through the publisher so its bookkeeping stays right. */
		harness_pub_free(args->id, HPUB_QUIET);
		break;
	case HRE_NOTIFY:
		ret = ioasid_notify(args->id, cmd);
		break;
	case HRE_ATTACH:
		/* The same pointer: ownership of the data does not change. */
		ret = ioasid_attach_data(args->id, args->pdata);
		break;
	}
	harness_reenter_log(sub, mode, HPH_END, args->id, ret);

	spin_lock(&sub->reenter_lock);
	list_del(&frame.node);
	spin_unlock(&sub->reenter_lock);

	WRITE_ONCE(sub->reenter_last_ret, ret);
	atomic64_inc(&sub->reenter_done);
}

/* Common tail of every callback: delay, re-entry, configured answer. */
static int harness_sub_finish(struct harness_sub *sub, unsigned long cmd,
			      const struct ioasid_nb_args *args)
{
	int mode;

	harness_sub_delay(sub);
	harness_sub_reenter(sub, cmd, args);
	mode = READ_ONCE(sub->ret_mode);
	return harness_ret_values[mode < HRET_NR ? mode : HRET_OK];
}

/* ------------------------------------------------------------------------
 * The three subscribers
 */

static void harness_kvm_track(struct harness_sub *sub, u64 seq,
			      unsigned long cmd, ioasid_t id)
{
	int ret;

	mutex_lock(&sub->state_lock);
	switch (cmd) {
	case IOASID_BIND:
		/* The guest runs with host PASID == guest PASID. */
		ret = xa_insert(&sub->table, id, xa_mk_value(id), GFP_KERNEL);
		if (ret == -EBUSY)
			harness_sub_error(sub, seq, "BIND of already bound", id);
		else if (ret)
			harness_sub_error(sub, seq, "BIND: table insert failed",
					  id);
		break;
	case IOASID_UNBIND:
		if (!xa_erase(&sub->table, id))
			harness_sub_error(sub, seq, "UNBIND of unbound", id);
		break;
	case IOASID_FREE:
		/* Freeing a bound ID is legal: the PASID goes away with it. */
		xa_erase(&sub->table, id);
		break;
	}
	mutex_unlock(&sub->state_lock);
}

static int harness_kvm_notify(struct notifier_block *nb, unsigned long cmd,
			      void *data)
{
	struct harness_sub *sub = container_of(nb, struct harness_sub, nb);
	struct ioasid_nb_args *args = data;
	u64 seq;

	seq = harness_sub_record(sub, cmd, args);
	harness_kvm_track(sub, seq, cmd, args->id);
	return harness_sub_finish(sub, cmd, args);
}

/* Caller holds state_lock. */
static struct harness_iommu_ctx *
harness_iommu_ctx_get(struct harness_sub *sub, const struct ioasid_nb_args *args)
{
	struct harness_iommu_ctx *ctx;
	int ret;

	ctx = xa_load(&sub->table, args->id);
	if (ctx)
		return ctx;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return NULL;
	ctx->id = args->id;
	ctx->sid = args->sid;
	ctx->pdata = harness_ptr(args->pdata);
	ret = xa_insert(&sub->table, args->id, ctx, GFP_KERNEL);
	if (ret) {
		kfree(ctx);
		return NULL;
	}
	sub->ctx_created++;
	return ctx;
}

static void harness_iommu_track(struct harness_sub *sub, u64 seq,
				unsigned long cmd,
				const struct ioasid_nb_args *args)
{
	struct harness_iommu_ctx *ctx;

	mutex_lock(&sub->state_lock);
	switch (cmd) {
	case IOASID_BIND:
		ctx = harness_iommu_ctx_get(sub, args);
		if (!ctx) {
			harness_sub_error(sub, seq, "BIND: no memory for context",
					  args->id);
			break;
		}
		ctx->bound = true;
		ctx->binds++;
		break;
	case IOASID_UNBIND:
		/* Created lazily: an UNBIND may be the first event seen. */
		ctx = harness_iommu_ctx_get(sub, args);
		if (!ctx) {
			harness_sub_error(sub, seq,
					  "UNBIND: no memory for context",
					  args->id);
			break;
		}
		ctx->bound = false;
		ctx->unbinds++;
		break;
	case IOASID_FREE:
		ctx = xa_erase(&sub->table, args->id);
		if (ctx)
			sub->ctx_freed++;
		kfree(ctx);
		break;
	}
	mutex_unlock(&sub->state_lock);
}

static int harness_iommu_notify(struct notifier_block *nb, unsigned long cmd,
				void *data)
{
	struct harness_sub *sub = container_of(nb, struct harness_sub, nb);
	struct ioasid_nb_args *args = data;
	u64 seq;

	seq = harness_sub_record(sub, cmd, args);
	harness_iommu_track(sub, seq, cmd, args);
	return harness_sub_finish(sub, cmd, args);
}

static int harness_vdcm_notify(struct notifier_block *nb, unsigned long cmd,
			       void *data)
{
	struct harness_sub *sub = container_of(nb, struct harness_sub, nb);
	struct ioasid_nb_args *args = data;

	harness_sub_record(sub, cmd, args);
	return harness_sub_finish(sub, cmd, args);
}

/*
 * The vdcm's behaviour under another symbol, one kprobes refuse: tests
 * register it between two others to see what a tracer makes of a chain
 * member it could not attach to.  Its own body on purpose, not a call
 * into harness_vdcm_notify(): entering vdcm's function would fire vdcm's
 * probes for blind's calls.
 */
static int harness_blind_notify(struct notifier_block *nb, unsigned long cmd,
				void *data)
{
	struct harness_sub *sub = container_of(nb, struct harness_sub, nb);
	struct ioasid_nb_args *args = data;

	harness_sub_record(sub, cmd, args);
	return harness_sub_finish(sub, cmd, args);
}
NOKPROBE_SYMBOL(harness_blind_notify);

/* ------------------------------------------------------------------------
 * Registration and state
 */

static int harness_sub_set_registered(struct harness_sub *sub, bool on)
{
	struct harness_rec rec = { .type = HREC_OP, .sub = sub->idx };
	int ret = 0;

	mutex_lock(&sub->reg_lock);
	if (on == sub->registered)
		goto out;
	if (on) {
		sub->nb.priority = sub->priority;
		ret = ioasid_add_notifier(&sub->nb);
		if (!ret)
			sub->registered = true;
		rec.op = HOP_REGISTER;
		rec.cmd = sub->priority;
		rec.ret = ret;
		rec.has_ret = true;
	} else {
		/* Returns once no call of this block is in flight. */
		ioasid_remove_notifier(&sub->nb);
		sub->registered = false;
		rec.op = HOP_UNREGISTER;
	}
	harness_log_rec(&rec, true);
out:
	mutex_unlock(&sub->reg_lock);
	return ret;
}

static void harness_sub_clear_state(struct harness_sub *sub)
{
	struct harness_iommu_ctx *ctx;
	unsigned long idx;

	mutex_lock(&sub->state_lock);
	if (sub->idx == HSUB_IOMMU) {
		xa_for_each(&sub->table, idx, ctx)
			kfree(ctx);
	}
	xa_destroy(&sub->table);
	sub->errors = 0;
	sub->last_error[0] = '\0';
	sub->ctx_created = 0;
	sub->ctx_freed = 0;
	mutex_unlock(&sub->state_lock);
}

static void harness_sub_clear_counts(struct harness_sub *sub)
{
	int i;

	for (i = 0; i < HC_NR; i++)
		atomic64_set(&sub->counts[i], 0);
}

/* Forget what the subscribers saw; knobs and registration stay. */
void harness_subs_reset(void)
{
	struct harness_sub *sub;
	int i;

	for (i = 0; i < HSUB_NR; i++) {
		sub = &harness_subs[i];
		harness_ring_clear(&sub->events);
		harness_sub_clear_counts(sub);
		harness_sub_clear_state(sub);
		atomic64_set(&sub->reenter_done, 0);
		atomic64_set(&sub->reenter_skipped, 0);
		WRITE_ONCE(sub->reenter_last_ret, 0);
	}
}

/* ------------------------------------------------------------------------
 * debugfs
 */

static int harness_match(const char * const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (sysfs_streq(names[i], s))
			return i;
	return -EINVAL;
}

static int harness_sub_file_show(struct seq_file *m, void *v)
{
	struct harness_sub_file *f = m->private;
	struct harness_sub *sub = f->sub;
	struct harness_iommu_ctx *ctx;
	unsigned long idx;
	void *entry;

	switch (f->kind) {
	case HSF_REGISTERED:
		seq_printf(m, "%d\n", READ_ONCE(sub->registered));
		break;
	case HSF_PRIORITY:
		seq_printf(m, "%d\n", READ_ONCE(sub->priority));
		break;
	case HSF_DELAY_US:
		seq_printf(m, "%u\n", READ_ONCE(sub->delay_us));
		break;
	case HSF_DELAY_MODE:
		seq_printf(m, "%s\n",
			   harness_delay_names[READ_ONCE(sub->delay_mode)]);
		break;
	case HSF_RET:
		seq_printf(m, "%s\n",
			   harness_ret_names[READ_ONCE(sub->ret_mode)]);
		break;
	case HSF_REENTER:
		seq_printf(m, "%s\n",
			   harness_reenter_names[READ_ONCE(sub->reenter)]);
		break;
	case HSF_REENTER_UNSAFE:
		seq_printf(m, "%d\n", READ_ONCE(sub->reenter_unsafe));
		break;
	case HSF_REENTER_STATS:
		seq_printf(m, "done=%lld skipped=%lld last_ret=%d\n",
			   atomic64_read(&sub->reenter_done),
			   atomic64_read(&sub->reenter_skipped),
			   READ_ONCE(sub->reenter_last_ret));
		break;
	case HSF_COUNTS:
		seq_printf(m, "alloc=%lld free=%lld bind=%lld unbind=%lld other=%lld\n",
			   atomic64_read(&sub->counts[HC_ALLOC]),
			   atomic64_read(&sub->counts[HC_FREE]),
			   atomic64_read(&sub->counts[HC_BIND]),
			   atomic64_read(&sub->counts[HC_UNBIND]),
			   atomic64_read(&sub->counts[HC_OTHER]));
		break;
	case HSF_ERRORS:
		mutex_lock(&sub->state_lock);
		seq_printf(m, "errors=%llu last=%s\n", sub->errors,
			   sub->last_error[0] ? sub->last_error : "-");
		mutex_unlock(&sub->state_lock);
		break;
	case HSF_TABLE:
		mutex_lock(&sub->state_lock);
		xa_for_each(&sub->table, idx, entry) {
			if (sub->idx == HSUB_KVM) {
				seq_printf(m, "id=%lu host=%lu\n", idx,
					   xa_to_value(entry));
				continue;
			}
			ctx = entry;
			seq_printf(m, "id=%u sid=%d bound=%d binds=%u unbinds=%u pdata=0x%llx\n",
				   ctx->id, ctx->sid, ctx->bound, ctx->binds,
				   ctx->unbinds, ctx->pdata);
		}
		mutex_unlock(&sub->state_lock);
		break;
	case HSF_GATE:
		seq_printf(m, "%s waiting=%d\n",
			   READ_ONCE(sub->gate_open) ? "open" : "closed",
			   atomic_read(&sub->gate_waiting));
		break;
	case HSF_CTX_STATS:
		mutex_lock(&sub->state_lock);
		seq_printf(m, "live=%llu created=%llu freed=%llu\n",
			   sub->ctx_created - sub->ctx_freed, sub->ctx_created,
			   sub->ctx_freed);
		mutex_unlock(&sub->state_lock);
		break;
	default:
		break;
	}
	return 0;
}

static int harness_sub_file_store(struct harness_sub_file *f, const char *buf)
{
	struct harness_sub *sub = f->sub;
	unsigned int uval;
	bool bval;
	int ret, val;

	switch (f->kind) {
	case HSF_REGISTERED:
		ret = kstrtobool(buf, &bval);
		if (ret)
			return ret;
		return harness_sub_set_registered(sub, bval);
	case HSF_PRIORITY:
		ret = kstrtoint(buf, 0, &val);
		if (ret)
			return ret;
		mutex_lock(&sub->reg_lock);
		/* The chain is sorted at registration: refuse a stale value. */
		if (sub->registered)
			ret = -EBUSY;
		else
			WRITE_ONCE(sub->priority, val);
		mutex_unlock(&sub->reg_lock);
		return ret;
	case HSF_DELAY_US:
		ret = kstrtouint(buf, 0, &uval);
		if (ret)
			return ret;
		if (uval > HARNESS_DELAY_MAX_US)
			return -ERANGE;
		WRITE_ONCE(sub->delay_us, uval);
		return 0;
	case HSF_DELAY_MODE:
		val = harness_match(harness_delay_names, HDELAY_NR, buf);
		if (val < 0)
			return val;
		WRITE_ONCE(sub->delay_mode, val);
		return 0;
	case HSF_RET:
		val = harness_match(harness_ret_names, HRET_NR, buf);
		if (val < 0)
			return val;
		WRITE_ONCE(sub->ret_mode, val);
		return 0;
	case HSF_REENTER:
		val = harness_match(harness_reenter_names, HRE_NR, buf);
		if (val < 0)
			return val;
		WRITE_ONCE(sub->reenter, val);
		return 0;
	case HSF_REENTER_UNSAFE:
		ret = kstrtobool(buf, &bval);
		if (ret)
			return ret;
		WRITE_ONCE(sub->reenter_unsafe, bval);
		return 0;
	case HSF_GATE:
		if (sysfs_streq(buf, "open")) {
			WRITE_ONCE(sub->gate_open, true);
			wake_up_all(&sub->gate_wq);
		} else if (sysfs_streq(buf, "close")) {
			WRITE_ONCE(sub->gate_open, false);
		} else {
			return -EINVAL;
		}
		return 0;
	case HSF_COUNTS:
		if (!sysfs_streq(buf, "clear"))
			return -EINVAL;
		harness_sub_clear_counts(sub);
		return 0;
	case HSF_ERRORS:
		if (!sysfs_streq(buf, "clear"))
			return -EINVAL;
		mutex_lock(&sub->state_lock);
		sub->errors = 0;
		sub->last_error[0] = '\0';
		mutex_unlock(&sub->state_lock);
		return 0;
	default:
		return -EPERM;
	}
}

static int harness_sub_file_open(struct inode *inode, struct file *file)
{
	return single_open(file, harness_sub_file_show, inode->i_private);
}

static ssize_t harness_sub_file_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	char buf[32];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = harness_sub_file_store(m->private, strim(buf));
	return ret ? ret : count;
}

static const struct file_operations harness_sub_file_fops = {
	.owner = THIS_MODULE,
	.open = harness_sub_file_open,
	.read = seq_read,
	.write = harness_sub_file_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int harness_events_open(struct inode *inode, struct file *file)
{
	struct harness_sub *sub = inode->i_private;

	return harness_ring_seq_open(file, &sub->events, HFMT_EVENTS);
}

static ssize_t harness_events_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct harness_sub *sub = file_inode(file)->i_private;
	char buf[16];

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (!sysfs_streq(buf, "clear"))
		return -EINVAL;
	harness_ring_clear(&sub->events);
	return count;
}

static const struct file_operations harness_events_fops = {
	.owner = THIS_MODULE,
	.open = harness_events_open,
	.read = seq_read,
	.write = harness_events_write,
	.llseek = seq_lseek,
	.release = harness_ring_seq_release,
};

static umode_t harness_sub_file_mode(enum harness_sub_file_kind kind)
{
	switch (kind) {
	case HSF_REENTER_STATS:
	case HSF_TABLE:
	case HSF_CTX_STATS:
		return 0400;
	default:
		return 0600;
	}
}

static void harness_sub_debugfs(struct harness_sub *sub)
{
	struct harness_sub_file *f;
	int k;

	sub->dir = debugfs_create_dir(sub->name, harness_sub_root);
	debugfs_create_file("events", 0600, sub->dir, sub, &harness_events_fops);
	for (k = 0; k < HSF_NR; k++) {
		/* Only the subscribers that keep tables get table files. */
		if (k == HSF_TABLE &&
		    (sub->idx == HSUB_VDCM || sub->idx == HSUB_BLIND))
			continue;
		if (k == HSF_CTX_STATS && sub->idx != HSUB_IOMMU)
			continue;
		f = &sub->files[k];
		f->sub = sub;
		f->kind = k;
		debugfs_create_file(harness_sub_file_names[k],
				    harness_sub_file_mode(k), sub->dir, f,
				    &harness_sub_file_fops);
	}
}

int harness_subs_init(struct dentry *root, u32 event_cap, bool autoregister)
{
	struct harness_sub *sub;
	int i, ret;

	for (i = 0; i < HSUB_NR; i++) {
		sub = &harness_subs[i];
		mutex_init(&sub->reg_lock);
		mutex_init(&sub->state_lock);
		spin_lock_init(&sub->reenter_lock);
		INIT_LIST_HEAD(&sub->reenter_frames);
		xa_init(&sub->table);
		init_waitqueue_head(&sub->gate_wq);
		sub->gate_open = true;
		atomic_set(&sub->gate_waiting, 0);
		sub->delay_mode = HDELAY_BUSY;
		sub->ret_mode = HRET_OK;
		sub->reenter = HRE_NONE;
		ret = harness_ring_init(&sub->events, event_cap);
		if (ret)
			goto fail;
	}

	harness_sub_root = debugfs_create_dir("sub", root);
	for (i = 0; i < HSUB_NR; i++)
		harness_sub_debugfs(&harness_subs[i]);

	if (!autoregister)
		return 0;
	/* KVM and the IOMMU driver register at boot; a VDCM comes later. */
	ret = harness_sub_set_registered(&harness_subs[HSUB_KVM], true);
	if (!ret)
		ret = harness_sub_set_registered(&harness_subs[HSUB_IOMMU],
						 true);
	if (ret) {
		pr_err("registering subscribers failed: %d\n", ret);
		harness_subs_exit();
	}
	return ret;

fail:
	while (i--)
		harness_ring_destroy(&harness_subs[i].events);
	return ret;
}

/*
 * Unregister first: ioasid_remove_notifier() waits for running callbacks,
 * after which nothing touches the state freed below.
 */
void harness_subs_exit(void)
{
	struct harness_sub *sub;
	int i;

	for (i = 0; i < HSUB_NR; i++)
		harness_sub_set_registered(&harness_subs[i], false);
	for (i = 0; i < HSUB_NR; i++) {
		sub = &harness_subs[i];
		harness_sub_clear_state(sub);
		harness_ring_destroy(&sub->events);
	}
}
