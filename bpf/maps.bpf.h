/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps shared by events.bpf.c and callbacks.bpf.c.
 *
 * Both objects declare them (this header); user space creates them once
 * with the events object and hands the same fds to every callbacks object
 * (bpf_map__reuse_fd), so all programs write one ring buffer, one nesting
 * state, one set of histograms and one set of counters.
 */
#ifndef IT_MAPS_BPF_H
#define IT_MAPS_BPF_H

/*
 * The armed window.  User space sets armed once every attach point and
 * every known callback and allocator free is attached, and clears it
 * before detaching anything: a call that begins outside the window may
 * meet probes that are not there yet (or no longer), so its records would
 * be half an operation.  Only calls whose task's outermost call began
 * while armed are streamed (struct it_frame.win).  inflight counts those
 * outermost calls still running, so user space can wait for them to end
 * after disarming, before it detaches.  In .bss, which the callbacks and
 * allocator objects share with the events object (src/attach.c).
 */
volatile __u32 armed;
__u64 inflight;
/*
 * Records the ring buffer had no room for (stats' IT_STAT_RB_FULL slot is
 * filled from it): user space polls it while probes run, from the mmap'ed
 * .bss.  A map lookup syscall would hold bpf_prog_active on its CPU, and
 * on a preemptible kernel a preempted reader makes every kprobe program
 * on that CPU skip its run meanwhile (uncounted in 6.1).
 */
__u64 rb_full;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, IT_RINGBUF_BYTES);
} events SEC(".maps");

/*
 * One call in flight: when it started and the arguments its EXIT needs.
 * A chain's frame also holds, when callbacks are timed by the chain
 * (cfg.cb_chained), the callback running in it: its histogram slot (0:
 * none), when it was entered and the notifier_block the chain calls next.
 */
struct it_frame {
	__u64 ts;
	__u64 a[4];
	__u32 kind;
	__u32 cb_slot;
	__u64 cb_ts;
	__u64 cb_next;
	/* the task's outermost call in flight began while armed: records are streamed */
	__u32 win;
	__u32 _pad;
};

/*
 * The calls in flight of ONE task, innermost last: start times per task
 * PER DEPTH, so nested and re-entered calls (a chain inside a chain, a
 * callback freeing an ID) each get their own start time.  Task local
 * storage (6.1 allows it in fentry/fexit and kprobe programs): one
 * bpf_task_storage_get() per ENTER/EXIT finds it through the task's own
 * storage cache, where the (tid, depth) and tid hash maps this replaces
 * cost two to six hash operations per call; and it goes away with the task.
 * Calls nested deeper than IT_MAX_DEPTH are counted in over (their frames
 * are not kept: IT_STAT_FRAME_FULL, their EXIT is unmatched).
 */
struct it_tstack {
	__u32 depth;		/* frames in f[] */
	__u32 over;		/* calls in flight beyond IT_MAX_DEPTH */
	struct it_frame f[IT_MAX_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct it_tstack);
} tstack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IT_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/*
 * Latency histograms, per CPU so updates need no atomics, indexed by slot
 * (IT_HSLOT_*, include/ioasid_trace.h says why not a hash).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IT_HIST_KEYS);
	__type(key, __u32);
	__type(value, struct it_hist);
} hists SEC(".maps");

#endif
