// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_harness: the global sequence, record rings and the log file.
 *
 * One sequence number orders everything the harness sees: publisher
 * operations (before and after the API call) and subscriber callbacks.  A
 * test reads the log and checks, for example, that the FREE callbacks of
 * "free 5" carry numbers between its phase=begin and phase=end lines.
 *
 * The rings keep the newest records: when one is full the oldest record is
 * overwritten and counted, and reading ends with a "dropped=N" line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "harness.h"

struct harness_ring harness_log;
static atomic64_t harness_seq = ATOMIC64_INIT(0);

u64 harness_next_seq(void)
{
	return atomic64_inc_return(&harness_seq);
}

void harness_seq_reset(void)
{
	atomic64_set(&harness_seq, 0);
}

int harness_ring_init(struct harness_ring *ring, u32 cap)
{
	spin_lock_init(&ring->lock);
	ring->recs = kvcalloc(cap, sizeof(*ring->recs), GFP_KERNEL);
	if (!ring->recs)
		return -ENOMEM;
	ring->cap = cap;
	ring->head = 0;
	ring->count = 0;
	ring->dropped = 0;
	return 0;
}

void harness_ring_destroy(struct harness_ring *ring)
{
	kvfree(ring->recs);
	ring->recs = NULL;
}

void harness_ring_clear(struct harness_ring *ring)
{
	spin_lock(&ring->lock);
	ring->head = 0;
	ring->count = 0;
	ring->dropped = 0;
	spin_unlock(&ring->lock);
}

/* Caller holds ring->lock. */
void harness_ring_push_locked(struct harness_ring *ring,
			      const struct harness_rec *rec)
{
	u32 slot;

	if (ring->count < ring->cap) {
		slot = ring->head + ring->count;
		if (slot >= ring->cap)
			slot -= ring->cap;
		ring->count++;
	} else {
		/* Full: overwrite the oldest, keep the newest. */
		slot = ring->head;
		ring->head = ring->head + 1 == ring->cap ? 0 : ring->head + 1;
		ring->dropped++;
	}
	ring->recs[slot] = *rec;
}

/*
 * Load runs must not be slowed down by the log: its lock would serialise the
 * load threads and would cost more than a short cycle's own work.  Callbacks
 * run in the publisher's thread, so they stay off the log in load runs too.
 */
bool harness_log_wanted(void)
{
	if (READ_ONCE(harness_quiet_log))
		return false;
	return !harness_in_load() || READ_ONCE(harness_log_load);
}

/*
 * Give @rec the next sequence number and append it to the log.  The number
 * is taken under the ring's lock so the log is in sequence order even when
 * several threads log at once.  Without logging, the number is still taken:
 * gaps in the log then show that something happened unlogged.
 */
u64 harness_log_rec(struct harness_rec *rec, bool force)
{
	if (!force && !harness_log_wanted()) {
		rec->seq = harness_next_seq();
		return rec->seq;
	}
	spin_lock(&harness_log.lock);
	rec->seq = harness_next_seq();
	harness_ring_push_locked(&harness_log, rec);
	spin_unlock(&harness_log.lock);
	return rec->seq;
}

u64 harness_log_op(enum harness_op op, enum harness_phase phase, u32 id,
		   s32 sid, s32 cmd, s32 ret, bool has_ret, u64 pdata)
{
	struct harness_rec rec = {
		.type = HREC_OP,
		.op = op,
		.phase = phase,
		.id = id,
		.sid = sid,
		.cmd = cmd,
		.ret = ret,
		.has_ret = has_ret,
		.pdata = pdata,
	};

	return harness_log_rec(&rec, false);
}

const char *harness_cmd_name(int cmd, char *buf, size_t len)
{
	switch (cmd) {
	case IOASID_ALLOC:
		return "ALLOC";
	case IOASID_FREE:
		return "FREE";
	case IOASID_BIND:
		return "BIND";
	case IOASID_UNBIND:
		return "UNBIND";
	}
	snprintf(buf, len, "%d", cmd);
	return buf;
}

static const char * const harness_op_names[HOP_NR] = {
	[HOP_SET_ALLOC] = "set_alloc",
	[HOP_SET_FREE] = "set_free",
	[HOP_ALLOC] = "alloc",
	[HOP_FREE] = "free",
	[HOP_BIND] = "bind",
	[HOP_UNBIND] = "unbind",
	[HOP_NOTIFY] = "notify",
	[HOP_ATTACH] = "attach",
	[HOP_LOAD] = "load",
	[HOP_REGISTER] = "register",
	[HOP_UNREGISTER] = "unregister",
};

static const char * const harness_reenter_names[] = {
	"none", "free", "notify", "attach",
};

static void harness_show_phase(struct seq_file *m, const struct harness_rec *r)
{
	if (r->phase == HPH_BEGIN)
		seq_puts(m, " phase=begin");
	else if (r->phase == HPH_END)
		seq_printf(m, " phase=end ret=%d", r->ret);
	else if (r->has_ret)
		seq_printf(m, " ret=%d", r->ret);
}

static void harness_show_op(struct seq_file *m, const struct harness_rec *r)
{
	char cbuf[16];

	seq_printf(m, "seq=%llu op=%s", r->seq,
		   r->op < HOP_NR ? harness_op_names[r->op] : "?");
	switch (r->op) {
	case HOP_SET_ALLOC:
		/*
		 * Pointer values are printed raw on purpose: the tracer sees
		 * the same raw values and the checker matches them.
		 */
		seq_printf(m, " sid=%d token=0x%llx quota=%llu ret=%d\n",
			   r->sid, r->token, r->extra, r->ret);
		return;
	case HOP_SET_FREE:
		seq_printf(m, " sid=%d destroy=%d", r->sid, r->cmd);
		break;
	case HOP_ALLOC:
		seq_printf(m, " sid=%d id=%u pdata=0x%llx", r->sid, r->id,
			   r->pdata);
		break;
	case HOP_FREE:
	case HOP_BIND:
	case HOP_UNBIND:
		seq_printf(m, " id=%u", r->id);
		break;
	case HOP_NOTIFY:
		seq_printf(m, " id=%u cmd=%s", r->id,
			   harness_cmd_name(r->cmd, cbuf, sizeof(cbuf)));
		break;
	case HOP_ATTACH:
		seq_printf(m, " id=%u pdata=0x%llx ret=%d\n", r->id, r->pdata,
			   r->ret);
		return;
	case HOP_LOAD:
		seq_printf(m, " threads=%d cycles=%llu sid=%d", r->cmd,
			   r->extra, r->sid);
		if (r->phase == HPH_END) {
			seq_printf(m, " phase=end ret=%d done=%llu errors=%llu\n",
				   r->ret, r->pdata, r->token);
			return;
		}
		break;
	case HOP_REGISTER:
		seq_printf(m, " sub=%s priority=%d", harness_sub_name(r->sub),
			   r->cmd);
		break;
	case HOP_UNREGISTER:
		seq_printf(m, " sub=%s", harness_sub_name(r->sub));
		break;
	}
	harness_show_phase(m, r);
	seq_putc(m, '\n');
}

static void harness_show_cb(struct seq_file *m, const struct harness_rec *r,
			    enum harness_fmt fmt)
{
	char cbuf[16];

	seq_printf(m, "seq=%llu ", r->seq);
	if (fmt == HFMT_LOG)
		seq_printf(m, "cb=%s ", harness_sub_name(r->sub));
	seq_printf(m, "cmd=%s id=%u sid=%d token=0x%llx pdata=0x%llx\n",
		   harness_cmd_name(r->cmd, cbuf, sizeof(cbuf)), r->id, r->sid,
		   r->token, r->pdata);
}

static void harness_show_reenter(struct seq_file *m,
				 const struct harness_rec *r)
{
	seq_printf(m, "seq=%llu cb=%s reenter=%s id=%u", r->seq,
		   harness_sub_name(r->sub),
		   r->op < ARRAY_SIZE(harness_reenter_names) ?
		   harness_reenter_names[r->op] : "?", r->id);
	if (r->phase == HPH_SKIPPED) {
		/* ret holds why: 0 = reenter_unsafe not set, 1 = nested */
		seq_printf(m, " phase=skipped reason=%s\n",
			   r->ret ? "nested" : "guarded");
		return;
	}
	harness_show_phase(m, r);
	seq_putc(m, '\n');
}

/* A consistent copy of a ring, taken at open time and rendered by seq_file. */
struct harness_snap {
	enum harness_fmt fmt;
	u32 count;
	u64 dropped;
	struct harness_rec *recs;
};

static void *harness_snap_start(struct seq_file *m, loff_t *pos)
{
	struct harness_snap *snap = m->private;

	if (*pos < snap->count)
		return &snap->recs[*pos];
	/* The snapshot itself stands for the trailing "dropped" line. */
	if (*pos == snap->count && snap->dropped)
		return snap;
	return NULL;
}

static void *harness_snap_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return harness_snap_start(m, pos);
}

static void harness_snap_stop(struct seq_file *m, void *v)
{
}

static int harness_snap_show(struct seq_file *m, void *v)
{
	struct harness_snap *snap = m->private;
	const struct harness_rec *r = v;

	if (v == snap) {
		seq_printf(m, "dropped=%llu\n", snap->dropped);
		return 0;
	}
	switch (r->type) {
	case HREC_OP:
		harness_show_op(m, r);
		break;
	case HREC_CB:
		harness_show_cb(m, r, snap->fmt);
		break;
	case HREC_REENTER:
		harness_show_reenter(m, r);
		break;
	}
	return 0;
}

static const struct seq_operations harness_snap_seq_ops = {
	.start = harness_snap_start,
	.next = harness_snap_next,
	.stop = harness_snap_stop,
	.show = harness_snap_show,
};

int harness_ring_seq_open(struct file *file, struct harness_ring *ring,
			  enum harness_fmt fmt)
{
	struct harness_snap *snap;
	u32 i, first;
	int ret;

	snap = kzalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	/* Allocate for the full capacity: the ring may grow before we lock. */
	snap->recs = kvmalloc_array(ring->cap, sizeof(*snap->recs), GFP_KERNEL);
	if (!snap->recs) {
		kfree(snap);
		return -ENOMEM;
	}
	snap->fmt = fmt;

	spin_lock(&ring->lock);
	snap->count = ring->count;
	snap->dropped = ring->dropped;
	first = ring->cap - ring->head;
	if (first > ring->count)
		first = ring->count;
	memcpy(snap->recs, ring->recs + ring->head,
	       first * sizeof(*snap->recs));
	for (i = first; i < ring->count; i++)
		snap->recs[i] = ring->recs[i - first];
	spin_unlock(&ring->lock);

	ret = seq_open(file, &harness_snap_seq_ops);
	if (ret) {
		kvfree(snap->recs);
		kfree(snap);
		return ret;
	}
	((struct seq_file *)file->private_data)->private = snap;
	return 0;
}

int harness_ring_seq_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct harness_snap *snap = m->private;

	kvfree(snap->recs);
	kfree(snap);
	return seq_release(inode, file);
}

static int harness_log_open(struct inode *inode, struct file *file)
{
	return harness_ring_seq_open(file, &harness_log, HFMT_LOG);
}

const struct file_operations harness_log_fops = {
	.owner = THIS_MODULE,
	.open = harness_log_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = harness_ring_seq_release,
};

int harness_log_init(u32 cap)
{
	return harness_ring_init(&harness_log, cap);
}

void harness_log_exit(void)
{
	harness_ring_destroy(&harness_log);
}
