// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_harness: the VFIO-like publisher.
 *
 * Owns IOASID sets (with their tokens) and IDs (with their private data).
 *
 * Locking rule: no harness lock is held across an IOASID API call that can
 * run the notifier chain (free, free_set, notify).  On the seed kernel the
 * chain runs under the core's mutex, and the harness's own callbacks may call
 * back into this file (re-entry); a harness lock held around the API call
 * would turn every re-entry into a second, harness-made deadlock and hide the
 * one under test.  Ownership of an ID is therefore decided by xa_erase():
 * whoever removes the entry from harness_ids frees the private data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/seq_file.h>
#include <linux/slab.h>

#include "harness.h"

/* id -> struct harness_pdata *, for the IDs the harness allocated. */
static DEFINE_XARRAY(harness_ids);

static LIST_HEAD(harness_sets);
static DEFINE_MUTEX(harness_sets_lock);

/* Serialises "attach" so two attaches cannot swap the same entry. */
static DEFINE_MUTEX(harness_attach_lock);

/*
 * Private data force-attached to IDs the harness does not own.  The harness
 * cannot know when their owner frees those IDs; the data is freed at reset
 * or unload.
 */
struct harness_orphan {
	struct list_head node;
	struct harness_pdata *pdata;
};

static LIST_HEAD(harness_orphans);
static DEFINE_SPINLOCK(harness_orphans_lock);

struct harness_stats harness_stats;

static u64 harness_ptr(const void *p)
{
	return (unsigned long)p;
}

static struct harness_pdata *harness_pdata_new(ioasid_t id, int sid, u32 gen)
{
	struct harness_pdata *p = kmalloc(sizeof(*p), GFP_KERNEL);

	if (p) {
		p->magic = HARNESS_PDATA_MAGIC;
		p->id = id;
		p->sid = sid;
		p->gen = gen;
	}
	return p;
}

/* ------------------------------------------------------------------------
 * Sets
 */

/* Caller holds harness_sets_lock. */
static int harness_set_alloc_locked(ioasid_t quota, int *sid, u64 *token)
{
	struct harness_rec rec = { .type = HREC_OP, .op = HOP_SET_ALLOC };
	struct harness_set *hs;
	int ret, s = -1;

	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return -ENOMEM;
	ret = ioasid_alloc_set(&hs->token, quota, &s);
	atomic64_inc(&harness_stats.set_alloc);

	rec.sid = ret ? -1 : s;
	rec.token = harness_ptr(&hs->token);
	rec.extra = quota;
	rec.ret = ret;
	harness_log_rec(&rec, false);

	if (ret) {
		kfree(hs);
		return ret;
	}
	hs->sid = s;
	hs->quota = quota;
	list_add_tail(&hs->node, &harness_sets);
	*sid = s;
	*token = rec.token;
	return 0;
}

int harness_pub_set_alloc(ioasid_t quota, int *sid, u64 *token)
{
	int ret;

	mutex_lock(&harness_sets_lock);
	ret = harness_set_alloc_locked(quota, sid, token);
	mutex_unlock(&harness_sets_lock);
	return ret;
}

/* The set load runs use when none is named: the oldest harness set. */
int harness_pub_default_set(int *sid)
{
	struct harness_set *hs;
	u64 token;
	int ret = 0;

	mutex_lock(&harness_sets_lock);
	hs = list_first_entry_or_null(&harness_sets, struct harness_set, node);
	if (hs)
		*sid = hs->sid;
	else
		ret = harness_set_alloc_locked(harness_default_quota, sid,
					       &token);
	mutex_unlock(&harness_sets_lock);
	return ret;
}

static struct harness_set *harness_set_unlink(int sid)
{
	struct harness_set *hs, *found = NULL;

	mutex_lock(&harness_sets_lock);
	list_for_each_entry(hs, &harness_sets, node) {
		if (hs->sid == sid) {
			list_del(&hs->node);
			found = hs;
			break;
		}
	}
	mutex_unlock(&harness_sets_lock);
	return found;
}

static bool harness_set_owned(int sid)
{
	struct harness_set *hs;
	bool owned = false;

	mutex_lock(&harness_sets_lock);
	list_for_each_entry(hs, &harness_sets, node) {
		if (hs->sid == sid) {
			owned = true;
			break;
		}
	}
	mutex_unlock(&harness_sets_lock);
	return owned;
}

/* The core freed every ID of @sid: forget them and free their data. */
static unsigned int harness_drop_set_ids(int sid)
{
	struct harness_pdata *p;
	unsigned long idx;
	unsigned int n = 0;

	xa_lock(&harness_ids);
	xa_for_each(&harness_ids, idx, p) {
		if (p->sid != sid)
			continue;
		__xa_erase(&harness_ids, idx);
		kfree(p);
		n++;
	}
	xa_unlock(&harness_ids);
	return n;
}

/*
 * Returns 1 if @sid was a harness set, 0 otherwise; the core's call is made
 * either way so tests can exercise unknown set IDs.
 */
int harness_pub_set_free(int sid, bool destroy, unsigned int *nr_ids)
{
	struct harness_set *hs = NULL;
	bool owned;

	/*
	 * Unlink before the call: once the core has destroyed the set its SID
	 * can be handed out again, and a later lookup could find the new set.
	 */
	if (destroy) {
		hs = harness_set_unlink(sid);
		owned = hs;
	} else {
		owned = harness_set_owned(sid);
	}

	harness_log_op(HOP_SET_FREE, HPH_BEGIN, 0, sid, destroy, 0, false, 0);
	ioasid_free_set(sid, destroy);
	harness_log_op(HOP_SET_FREE, HPH_END, 0, sid, destroy, 0, true, 0);
	atomic64_inc(&harness_stats.set_free);

	*nr_ids = harness_drop_set_ids(sid);
	/* Destroyed: the core no longer refers to the token. */
	kfree(hs);
	return owned;
}

/* ------------------------------------------------------------------------
 * IDs
 */

int harness_pub_alloc(int sid, unsigned int flags, ioasid_t *idp, u64 *pdatap)
{
	struct harness_pdata *p, *old;
	ioasid_t id;
	int ret = 0;

	p = harness_pdata_new(INVALID_IOASID, sid, 0);
	if (!p)
		return -ENOMEM;
	id = ioasid_alloc(sid, harness_id_min, harness_id_max, p);
	atomic64_inc(&harness_stats.alloc);
	/* ioasid_alloc() reports no reason; quota or space is the usual one. */
	if (id == INVALID_IOASID)
		ret = -ENOSPC;
	harness_log_op(HOP_ALLOC, HPH_NONE, id, sid, 0, ret, ret != 0,
		       harness_ptr(p));
	if (ret) {
		kfree(p);
		return ret;
	}
	p->id = id;

	/*
	 * An entry already there is stale: the core handed the ID out again,
	 * so it was freed behind the harness's back and nothing refers to the
	 * old data any more.
	 */
	old = xa_store(&harness_ids, id, p, GFP_KERNEL);
	if (xa_is_err(old)) {
		ret = xa_err(old);
		ioasid_free(id);
		kfree(p);
		return ret;
	}
	if (old) {
		pr_warn_ratelimited("id %u was freed behind the harness's back\n",
				    id);
		kfree(old);
	}
	*idp = id;
	if (pdatap)
		*pdatap = harness_ptr(p);
	return 0;
}

/*
 * Free @id.  Returns 1 if it was a harness ID, 0 if not (the core is still
 * called unless HPUB_OWNED_ONLY), so unknown IDs reach the core's error path.
 */
int harness_pub_free(ioasid_t id, unsigned int flags)
{
	bool quiet = flags & HPUB_QUIET;
	struct harness_pdata *p;

	p = xa_erase(&harness_ids, id);
	if (!p && (flags & HPUB_OWNED_ONLY))
		return 0;

	if (!quiet)
		harness_log_op(HOP_FREE, HPH_BEGIN, id, 0, 0, 0, false, 0);
	ioasid_free(id);
	if (!quiet) {
		harness_log_op(HOP_FREE, HPH_END, id, 0, 0, 0, true, 0);
		atomic64_inc(&harness_stats.free);
	}
	/* The FREE chain has run: no subscriber is still being handed @p. */
	kfree(p);
	return p ? 1 : 0;
}

/* bind, unbind and raw notify; returns ioasid_notify()'s raw value. */
int harness_pub_notify(ioasid_t id, enum harness_op op, int cmd)
{
	int ret;

	harness_log_op(op, HPH_BEGIN, id, 0, cmd, 0, false, 0);
	ret = ioasid_notify(id, cmd);
	harness_log_op(op, HPH_END, id, 0, cmd, ret, true, 0);

	if (op == HOP_BIND)
		atomic64_inc(&harness_stats.bind);
	else if (op == HOP_UNBIND)
		atomic64_inc(&harness_stats.unbind);
	else
		atomic64_inc(&harness_stats.notify);
	return ret;
}

static void harness_orphan_add(struct harness_pdata *p)
{
	struct harness_orphan *o = kmalloc(sizeof(*o), GFP_KERNEL);

	if (!o) {
		/* Leaking beats freeing data a live ID may still point to. */
		pr_warn("out of memory tracking force-attached data\n");
		return;
	}
	o->pdata = p;
	spin_lock(&harness_orphans_lock);
	list_add(&o->node, &harness_orphans);
	spin_unlock(&harness_orphans_lock);
}

static void harness_orphans_free(void)
{
	struct harness_orphan *o, *tmp;
	LIST_HEAD(list);

	spin_lock(&harness_orphans_lock);
	list_splice_init(&harness_orphans, &list);
	spin_unlock(&harness_orphans_lock);
	list_for_each_entry_safe(o, tmp, &list, node) {
		kfree(o->pdata);
		kfree(o);
	}
}

/*
 * Attach new private data to @id.  Returns ioasid_attach_data()'s value, or
 * -ENOENT without calling it when @id is not a harness ID and HPUB_FORCE is
 * not given (*called tells the two apart).
 */
int harness_pub_attach(ioasid_t id, unsigned int flags, u64 *pdatap,
		       bool *called)
{
	struct harness_pdata *old, *p, *cur;
	int sid = -1, ret;
	u32 gen = 0;

	*called = false;
	mutex_lock(&harness_attach_lock);
	xa_lock(&harness_ids);
	old = xa_load(&harness_ids, id);
	if (old) {
		sid = old->sid;
		gen = old->gen + 1;
	}
	xa_unlock(&harness_ids);
	if (!old && !(flags & HPUB_FORCE)) {
		ret = -ENOENT;
		goto out;
	}

	p = harness_pdata_new(id, sid, gen);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	*called = true;
	ret = ioasid_attach_data(id, p);
	atomic64_inc(&harness_stats.attach);
	harness_log_op(HOP_ATTACH, HPH_NONE, id, sid, 0, ret, true,
		       harness_ptr(p));
	if (ret) {
		kfree(p);
		goto out;
	}
	*pdatap = harness_ptr(p);

	if (!old) {
		harness_orphan_add(p);
		goto out;
	}
	/*
	 * ioasid_attach_data() returns once readers of the old data are gone,
	 * so the old data can be freed.  If the entry changed meanwhile, the
	 * ID was freed (and maybe reallocated) after our attach: the core no
	 * longer refers to @p either.
	 */
	cur = xa_cmpxchg(&harness_ids, id, old, p, GFP_KERNEL);
	if (cur == old)
		kfree(old);
	else
		kfree(p);
out:
	mutex_unlock(&harness_attach_lock);
	return ret;
}

/* ------------------------------------------------------------------------
 * Reset, counters and files
 */

static void harness_stats_reset(void)
{
	atomic64_set(&harness_stats.alloc, 0);
	atomic64_set(&harness_stats.free, 0);
	atomic64_set(&harness_stats.bind, 0);
	atomic64_set(&harness_stats.unbind, 0);
	atomic64_set(&harness_stats.notify, 0);
	atomic64_set(&harness_stats.attach, 0);
	atomic64_set(&harness_stats.set_alloc, 0);
	atomic64_set(&harness_stats.set_free, 0);
	atomic64_set(&harness_stats.load_cycles, 0);
}

/* Free every harness ID and set, then forget the counters. */
void harness_pub_reset(void)
{
	struct harness_pdata *p;
	struct harness_set *hs;
	unsigned long idx;

	xa_for_each(&harness_ids, idx, p)
		harness_pub_free(idx, HPUB_OWNED_ONLY);

	for (;;) {
		mutex_lock(&harness_sets_lock);
		hs = list_first_entry_or_null(&harness_sets, struct harness_set,
					      node);
		if (hs)
			list_del(&hs->node);
		mutex_unlock(&harness_sets_lock);
		if (!hs)
			break;
		harness_log_op(HOP_SET_FREE, HPH_BEGIN, 0, hs->sid, 1, 0,
			       false, 0);
		ioasid_free_set(hs->sid, true);
		harness_log_op(HOP_SET_FREE, HPH_END, 0, hs->sid, 1, 0, true,
			       0);
		harness_drop_set_ids(hs->sid);
		kfree(hs);
	}

	harness_orphans_free();
	harness_stats_reset();
}

static int harness_stats_show(struct seq_file *m, void *v)
{
	struct harness_stats *s = &harness_stats;

	seq_printf(m, "alloc=%lld free=%lld bind=%lld unbind=%lld notify=%lld attach=%lld set_alloc=%lld set_free=%lld load_cycles=%lld\n",
		   atomic64_read(&s->alloc), atomic64_read(&s->free),
		   atomic64_read(&s->bind), atomic64_read(&s->unbind),
		   atomic64_read(&s->notify), atomic64_read(&s->attach),
		   atomic64_read(&s->set_alloc), atomic64_read(&s->set_free),
		   atomic64_read(&s->load_cycles));
	return 0;
}

static int harness_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, harness_stats_show, NULL);
}

const struct file_operations harness_stats_fops = {
	.owner = THIS_MODULE,
	.open = harness_stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int harness_ids_show(struct seq_file *m, void *v)
{
	struct harness_pdata *p;
	unsigned long idx;

	/* The xarray lock keeps entries from being freed while printed. */
	xa_lock(&harness_ids);
	xa_for_each(&harness_ids, idx, p)
		seq_printf(m, "id=%lu sid=%d pdata=0x%llx gen=%u\n", idx,
			   p->sid, harness_ptr(p), p->gen);
	xa_unlock(&harness_ids);
	return 0;
}

static int harness_ids_open(struct inode *inode, struct file *file)
{
	return single_open(file, harness_ids_show, NULL);
}

const struct file_operations harness_ids_fops = {
	.owner = THIS_MODULE,
	.open = harness_ids_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int harness_sets_show(struct seq_file *m, void *v)
{
	struct harness_set *hs;

	mutex_lock(&harness_sets_lock);
	list_for_each_entry(hs, &harness_sets, node)
		seq_printf(m, "sid=%d token=0x%llx quota=%u\n", hs->sid,
			   harness_ptr(&hs->token), hs->quota);
	mutex_unlock(&harness_sets_lock);
	return 0;
}

static int harness_sets_open(struct inode *inode, struct file *file)
{
	return single_open(file, harness_sets_show, NULL);
}

const struct file_operations harness_sets_fops = {
	.owner = THIS_MODULE,
	.open = harness_sets_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

void harness_pub_exit(void)
{
	harness_pub_reset();
	xa_destroy(&harness_ids);
}
