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

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, IT_RINGBUF_BYTES);
} events SEC(".maps");

/* tid -> current nesting depth inside traced functions */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IT_MAX_TASKS);
	__type(key, __u32);
	__type(value, __u32);
} depths SEC(".maps");

struct it_frame_key {
	__u32 tid;
	__u32 depth;
};

/* One call in flight: when it started and the arguments its EXIT needs. */
struct it_frame {
	__u64 ts;
	__u64 a[4];
	__u32 kind;
	__u32 _pad;
};

/* (tid, depth) -> frame: start times per task PER DEPTH, so nested and
 * re-entered calls (a chain inside a chain, a callback freeing an ID) each
 * get their own start time instead of overwriting one per thread. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IT_MAX_TASKS * 2);
	__type(key, struct it_frame_key);
	__type(value, struct it_frame);
} frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IT_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Latency histograms, per CPU so updates need no atomics. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 128);
	__type(key, struct it_hist_key);
	__type(value, struct it_hist);
} hists SEC(".maps");

#endif
