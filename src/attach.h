/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What to attach and how: the one place that knows the attach points, the
 * BPF programs behind each, and decides fentry or kprobe per function by
 * really loading and attaching a probe program.
 */
#ifndef IT_ATTACH_H
#define IT_ATTACH_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "ioasid_trace.h"
#include "ksyms.h"
#include "options.h"

/*
 * IT_MODE_KPROBE_MULTI: one of the points sharing a kprobe.multi and a
 * kretprobe.multi program (the cold ones, when records are streamed).
 */
enum it_mode { IT_MODE_NONE = 0, IT_MODE_FENTRY, IT_MODE_KPROBE, IT_MODE_KPROBE_MULTI };
const char *it_mode_name(enum it_mode m);

/* Facts about the running kernel, found before anything is attached. */
struct it_kernel {
	char release[128];
	bool root;
	bool btf;
	bool ksyms_visible;
	int series;			/* 0 none, 1 v1 (seed), 2 v2+ */
	const char *lock_kind;		/* "mutex" (v1 patch 07), "spinlock", "?" */
	uint64_t chain_addr;		/* &ioasid_chain */
	uint64_t lock_addr;		/* &ioasid_allocator_lock */
	uint64_t active_allocator_addr;	/* &active_allocator */
	uint64_t default_free_addr;
	/* from the snapshot program */
	bool walked;
	char walk_error[384];
	struct it_chain_entry chain[IT_MAX_CALLBACKS];
	uint32_t nchain;
	bool chain_truncated;
	uint64_t allocator_free;	/* active_allocator->ops->free */
	const struct it_ksyms *ksyms;
	/* fentry programs can be preempted and skipped (src/preempt.h) */
	bool preempt_full;
	char preempt_how[96];
};

/*
 * /sys/kernel/btf/vmlinux exists, is readable and starts with the BTF
 * magic (an empty or foreign file there must read as "no BTF", not as a
 * libbpf load failure later).
 */
bool it_btf_usable(void);

/*
 * Fill everything but the snapshot and the series version.  Never fails:
 * missing pieces stay 0.
 */
void it_kernel_discover(struct it_kernel *k, const struct it_ksyms *ks);
/*
 * The series version and lock kind from the kernel's BTF (a user-space
 * parse): it_kernel_discover() leaves them unknown, a successful
 * it_kernel_snapshot() sets them (from the walker, no parse); call this
 * where no walk happens.
 */
void it_kernel_detect_series(struct it_kernel *k);
/*
 * Run snapshot.bpf.c once: the chain's callbacks, the allocator's free and
 * the series version.
 */
int it_kernel_snapshot(struct it_kernel *k);

/* One attach point as planned/attached. */
struct it_point_state {
	const char *func;	/* kernel function */
	const char *what;
	const char *fentry_prog, *kprobe_prog;	/* base names: fe_/fx_, kp_/kr_ */
	__u8 kind;		/* IT_K_*: its records' kind (the kprobe.multi cookie) */
	uint64_t addr;		/* from kallsyms */
	bool required;		/* tracing refuses to start without it */
	bool series;		/* added by the notifier series: named as missing by doctor */
	bool present;		/* found in kallsyms */
	bool hist;		/* needed in hist mode (histogram or follower) */
	bool follow;		/* read by the chain follower: in hist mode fexit alone */
	bool multi;		/* cold: shares the kprobe.multi pair when streamed */
	bool skipped;		/* hist mode: not needed, not attached */
	enum it_mode mode;
	char why[160];		/* why fentry (and kprobe) failed */
	struct bpf_link *links[2];	/* [0] exit, [1] entry */
};

#define IT_MAX_POINTS 16

struct it_attach_report {
	struct it_point_state pts[IT_MAX_POINTS];
	size_t n;
};

/* One traced callback, or custom allocator free. */
struct it_cb_link {
	struct it_attach *owner;	/* gets its skipped runs when it goes */
	enum it_mode mode;
	struct callbacks_bpf *obj;	/* fentry callback: its own clone of callbacks.bpf.c */
	struct allocator_bpf *aobj;	/* allocator free: its allocator.bpf.c object */
	struct bpf_link *links[2];	/* [0] exit, [1] entry */
};

struct it_attach {
	struct events_bpf *ev;
	struct it_config cfg;
	enum it_mode_pref pref;
	int verbose;
	struct it_attach_report rep;
	struct bpf_link *multi[2];	/* kretprobe.multi [0], kprobe.multi [1] (plan_multi) */
	/* What each slot of the kernel's histogram array holds (IT_HSLOT_*). */
	struct it_hist_key hist_keys[IT_HIST_KEYS];
	bool armed;		/* it_attach_arm() set the window's flag */
	uint64_t skipped_gone;	/* skipped runs of callback objects detached */
};

/*
 * Decide the mode of every attach point (probe-loads; nothing stays
 * attached).  The custom allocator free is added when the snapshot found
 * one.  streaming: records are streamed (not hist); in --mode auto the
 * cold points then share one kprobe.multi pair (IT_MODE_KPROBE_MULTI, not
 * probed).  Returns 0, or -ENOENT if a required point is missing (rep says
 * which).
 */
int it_attach_plan(struct it_attach_report *rep, const struct it_kernel *k,
		   enum it_mode_pref pref, bool streaming);
/*
 * The same without probing: present points are planned as fentry (unless
 * pref forces kprobes), for a live run that lets it_attach_open() be the
 * probe; if that fails, close and fall back to it_attach_plan().
 */
int it_attach_plan_quick(struct it_attach_report *rep, const struct it_kernel *k,
			 enum it_mode_pref pref, bool streaming);
/* Comma-separated names of missing points (series ones, or all with all=true). */
void it_attach_missing(const struct it_attach_report *rep, bool required_only, char *buf,
		       size_t len);

/*
 * Load events.bpf.c with cfg and the planned programs, attach them;
 * ringbuf_bytes: the ring buffer's size (0: IT_RINGBUF_BYTES).
 */
int it_attach_open(struct it_attach *a, const struct it_attach_report *plan,
		   const struct it_config *cfg, enum it_mode_pref pref, uint64_t ringbuf_bytes,
		   int verbose);
/*
 * How a callback is attached under pref: a module's callback gets kprobes
 * in auto mode, because an fentry trampoline on a module function holds a
 * reference on the module and rmmod then fails with "in use" (the module's
 * exit, which unregisters the callback, runs only after that check).
 * --mode fentry keeps fentry (and pins the module).  mod NULL/"" = vmlinux.
 */
enum it_mode_pref it_attach_cb_pref(enum it_mode_pref pref, const char *mod);
/*
 * What --mode pref means on kernel k: auto is kprobe where a task can be
 * preempted inside an fentry program (k->preempt_full), as the kernel
 * would skip the next run of that program on that CPU (src/preempt.h).
 */
enum it_mode_pref it_attach_pref(enum it_mode_pref pref, const struct it_kernel *k);
/*
 * Attach one callback (fentry clone first, else kprobe; see it_attach_cb_pref);
 * cb is its address, which names its histogram slot; why gets the reason on
 * failure.
 */
int it_attach_callback(struct it_attach *a, uint64_t cb, const char *sym, const char *mod,
		       struct it_cb_link *out, char *why, size_t whylen);
/* Detach and free either kind of link. */
void it_attach_callback_detach(struct it_cb_link *l);
/*
 * Attach a custom allocator's free (src/allocators.c), by name: fentry
 * for a vmlinux function, kprobes for a module's (see it_attach_cb_pref).
 */
int it_attach_allocator_free(struct it_attach *a, const char *sym, const char *mod,
			     struct it_cb_link *out, char *why, size_t whylen);
/*
 * The armed window (bpf/maps.bpf.h): arm once every point, callback and
 * allocator free known is attached; disarm before detaching anything.
 * Detaching disarms first on every path.  After disarming, the operations
 * that began inside the window still run: it_attach_inflight() says how
 * many, so a caller can wait (and read their records) before detaching.
 */
void it_attach_arm(struct it_attach *a);
void it_attach_disarm(struct it_attach *a);
uint64_t it_attach_inflight(const struct it_attach *a);
/* Records lost to a full ring buffer so far: a memory read, no syscall. */
uint64_t it_attach_rb_full(const struct it_attach *a);
/* Detach the API points (entries first, so no call is left half-traced); maps stay. */
void it_attach_detach(struct it_attach *a);
/* it_attach_detach() and free every object and map. */
void it_attach_close(struct it_attach *a);
/* The real probe-load of one function: fentry+fexit, else kprobe+kretprobe. */
enum it_mode it_attach_probe(const char *func, enum it_mode_pref pref, char *why, size_t len);

int it_attach_ringbuf_fd(const struct it_attach *a);
int it_attach_hists_fd(const struct it_attach *a);
/* The slot -> key table of that map (type 0: slot unused), IT_HIST_KEYS long. */
const struct it_hist_key *it_attach_hist_keys(const struct it_attach *a);
/* Sum the per-CPU counters of enum it_stat. */
int it_attach_read_stats(const struct it_attach *a, uint64_t out[IT_STAT__COUNT]);
/*
 * Runs of our programs the kernel skipped so far (bpf_prog_info's
 * recursion_misses): the program was already running on that CPU, an
 * fentry program because its task was preempted inside it.  Each is a
 * record never made.  A live callback object counts once detached.
 */
uint64_t it_attach_skipped(const struct it_attach *a);

/* libbpf messages: shown with -vv, the last one kept for error lines. */
void it_libbpf_setup(int verbose);
const char *it_libbpf_last_error(void);

#endif
