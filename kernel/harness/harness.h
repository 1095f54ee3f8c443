/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasid_harness: shared declarations.
 *
 * The harness plays the roles of the IOASID notifier series inside a test
 * guest: a VFIO-like publisher driven from debugfs, and KVM-, IOMMU- and
 * VDCM-like subscribers on the notifier chain.  Every publisher operation
 * and every callback takes a number from one global sequence, so a test can
 * reconstruct the exact interleaving from the log.
 */
#ifndef _IOASID_HARNESS_H
#define _IOASID_HARNESS_H

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/ioasid.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#define HARNESS_NAME		"ioasid_harness"

/* Module parameters (harness_main.c). */
extern bool harness_quiet_log;
extern bool harness_log_load;
extern unsigned int harness_id_min;
extern unsigned int harness_id_max;
extern unsigned int harness_default_quota;

/* ------------------------------------------------------------------------
 * Records and rings (harness_log.c)
 *
 * Rings hold fixed-size binary records, not text: appending must stay cheap
 * because it happens inside notifier callbacks, i.e. under the IOASID core's
 * lock on the seed kernel.  Text is produced only when a file is read.
 */
enum harness_rec_type {
	HREC_OP,	/* publisher operation */
	HREC_CB,	/* notifier callback */
	HREC_REENTER,	/* a callback calling back into the API */
};

enum harness_op {
	HOP_SET_ALLOC,
	HOP_SET_FREE,
	HOP_ALLOC,
	HOP_FREE,
	HOP_BIND,
	HOP_UNBIND,
	HOP_NOTIFY,
	HOP_ATTACH,
	HOP_LOAD,
	HOP_REGISTER,
	HOP_UNREGISTER,
	HOP_NR
};

enum harness_phase {
	HPH_NONE,	/* single-line operation */
	HPH_BEGIN,	/* logged before the API call */
	HPH_END,	/* logged after the API call */
	HPH_SKIPPED,	/* re-entry that the guard refused */
};

struct harness_rec {
	u64 seq;
	u64 token;	/* set token (pointer value) */
	u64 pdata;	/* private data (pointer value) */
	u64 extra;	/* load: cycles; set_alloc: quota */
	u32 id;
	s32 sid;
	s32 ret;
	s32 cmd;	/* notifier cmd, or threads for load */
	u8 type;	/* enum harness_rec_type */
	u8 op;		/* enum harness_op, or reenter kind */
	u8 phase;	/* enum harness_phase */
	u8 sub;		/* subscriber index for HREC_CB/HREC_REENTER */
	u8 has_ret;
};

struct harness_ring {
	spinlock_t lock;	/* guards everything below but recs' storage */
	struct harness_rec *recs;
	u32 cap;
	u32 head;	/* index of the oldest record */
	u32 count;
	u64 dropped;	/* records overwritten since the last clear */
};

int harness_ring_init(struct harness_ring *ring, u32 cap);
void harness_ring_destroy(struct harness_ring *ring);
void harness_ring_clear(struct harness_ring *ring);
void harness_ring_push_locked(struct harness_ring *ring,
			      const struct harness_rec *rec);

/* How a ring is rendered when read. */
enum harness_fmt {
	HFMT_LOG,	/* the global log: every record type */
	HFMT_EVENTS,	/* a subscriber's events file */
};

int harness_ring_seq_open(struct file *file, struct harness_ring *ring,
			  enum harness_fmt fmt);
int harness_ring_seq_release(struct inode *inode, struct file *file);

extern struct harness_ring harness_log;

u64 harness_next_seq(void);
void harness_seq_reset(void);
bool harness_log_wanted(void);
u64 harness_log_rec(struct harness_rec *rec, bool force);
u64 harness_log_op(enum harness_op op, enum harness_phase phase, u32 id,
		   s32 sid, s32 cmd, s32 ret, bool has_ret, u64 pdata);
const char *harness_cmd_name(int cmd, char *buf, size_t len);
int harness_log_init(u32 cap);
void harness_log_exit(void);
extern const struct file_operations harness_log_fops;

/* ------------------------------------------------------------------------
 * Publisher (harness_pub.c)
 */

/*
 * The private data the harness attaches to each ID it allocates.  The
 * harness owns it: the core only stores the pointer.  The same structure is
 * the entry of the harness's own ID table, so "owned by the harness" means
 * "present in harness_ids".
 */
#define HARNESS_PDATA_MAGIC	0x10a5d0a7u

struct harness_pdata {
	u32 magic;
	ioasid_t id;
	int sid;
	u32 gen;	/* 0 at alloc, +1 per attach */
};

struct harness_set {
	struct list_head node;
	int sid;
	ioasid_t quota;
	/* The token's address identifies the set: it must live as long as it. */
	struct ioasid_set token;
};

struct harness_stats {
	atomic64_t alloc;
	atomic64_t free;
	atomic64_t bind;
	atomic64_t unbind;
	atomic64_t notify;
	atomic64_t attach;
	atomic64_t set_alloc;
	atomic64_t set_free;
	atomic64_t load_cycles;
};

extern struct harness_stats harness_stats;

/* Flags for the publisher helpers. */
#define HPUB_QUIET	0x1	/* no log lines, no counters (re-entry) */
#define HPUB_OWNED_ONLY	0x2	/* free: only IDs the harness owns */
#define HPUB_FORCE	0x4	/* attach: also IDs the harness does not own */

int harness_pub_set_alloc(ioasid_t quota, int *sid, u64 *token);
int harness_pub_set_free(int sid, bool destroy, unsigned int *nr_ids);
int harness_pub_default_set(int *sid);
int harness_pub_alloc(int sid, unsigned int flags, ioasid_t *idp,
		      u64 *pdatap);
int harness_pub_free(ioasid_t id, unsigned int flags);
int harness_pub_notify(ioasid_t id, enum harness_op op, int cmd);
int harness_pub_attach(ioasid_t id, unsigned int flags, u64 *pdatap,
		       bool *called);
void harness_pub_reset(void);
void harness_pub_exit(void);
extern const struct file_operations harness_stats_fops;
extern const struct file_operations harness_ids_fops;
extern const struct file_operations harness_sets_fops;

/* ------------------------------------------------------------------------
 * Subscribers (harness_sub.c)
 */
enum harness_sub_id {
	HSUB_KVM,
	HSUB_IOMMU,
	HSUB_VDCM,
	HSUB_BLIND,
	HSUB_NR
};

const char *harness_sub_name(unsigned int idx);
int harness_subs_init(struct dentry *root, u32 event_cap, bool autoregister);
void harness_subs_exit(void);
void harness_subs_reset(void);

/* ------------------------------------------------------------------------
 * Load generator (harness_load.c) and control file (harness_ctl.c)
 */
struct harness_load_result {
	u64 cycles;
	u64 ns;
	u64 errors;
	int sid;
};

int harness_load_run(unsigned int threads, u64 cycles, int sid,
		     struct harness_load_result *res);
u64 harness_load_rate(const struct harness_load_result *res);
bool harness_in_load(void);
extern struct mutex harness_load_mutex;

extern const struct file_operations harness_ctl_fops;

/* ------------------------------------------------------------------------
 * Race windows held open (harness_window.c), SVA PASIDs (harness_sva.c)
 */
int harness_window_arm(unsigned int cpu, unsigned int ms);
void harness_window_off(void);
void harness_window_stat(bool *armed, bool *busy, unsigned int *opened);
int harness_sva_alloc(ioasid_t *pasid);

#endif /* _IOASID_HARNESS_H */
