/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel latency histograms: hist mode streams nothing per event, it
 * only adds each finished call's latency here, in the slot its caller
 * names (chain: by cmd; callback: by attachment; the free path).
 * Bucketing is the shared it_hist_bucket() so user space (offline
 * histograms, unit tests) puts a value in exactly the same bucket.
 */
#ifndef IT_HIST_BPF_H
#define IT_HIST_BPF_H

static __always_inline void it_stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += 1;
}

/* A record the ring buffer had no room for (maps.bpf.h: rb_full). */
static __always_inline void it_lost_inc(void)
{
	__sync_fetch_and_add(&rb_full, 1);
}

/* slot: IT_HSLOT_*; the array's bounds check rejects one out of range. */
static __always_inline void it_hist_add(__u32 slot, __u64 lat_ns)
{
	__u64 unit = cfg.hist_unit_ns ? cfg.hist_unit_ns : 1;
	struct it_hist *h;
	__u32 b;

	h = bpf_map_lookup_elem(&hists, &slot);
	if (!h) {
		it_stat_inc(IT_STAT_HIST_FULL);
		return;
	}
	b = it_hist_bucket(lat_ns / unit, cfg.hist_sub_bits);
	/*
	 * b < IT_HIST_SLOTS by construction, but the verifier needs to see the bound on
	 * the register that indexes: hide b's known range from clang so it
	 * cannot drop the mask.
	 */
	asm volatile("" : "+r"(b));
	b &= IT_HIST_SLOTS - 1;
	h->slots[b] += 1;
	if (!h->count || lat_ns < h->min_ns)
		h->min_ns = lat_ns;
	if (lat_ns > h->max_ns)
		h->max_ns = lat_ns;
	h->count += 1;
	h->sum_ns += lat_ns;
}

#endif
