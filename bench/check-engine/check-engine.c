// SPDX-License-Identifier: GPL-2.0
/*
 * Offline `check` throughput without a recording: the harness's load
 * (alloc -> bind -> unbind -> free, three subscribers, two publisher
 * threads interleaved by cycle) generated with the unit tests' simulator
 * (tests/unit/sim.h) into memory first, then fed to the engine alone and
 * timed.  What `check --input` adds on top (reading and decoding the file) is
 * not in this number.
 *
 *   build/bench/check-engine [EVENTS]      (default 2000000)
 * Prints: events=N seconds=S events_per_sec=R verdict=V violations=N
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "check/check.h"

static struct it_event *evs;
static size_t nev, cap;

/* sim.h feeds it_check_event(); during generation, record instead. */
static int record_event(struct it_check *ck, const struct it_event *e)
{
	(void)ck;
	if (nev == cap) {
		cap = cap ? cap * 2 : 1 << 16;
		evs = realloc(evs, cap * sizeof(*evs));
		if (!evs) {
			perror("realloc");
			exit(1);
		}
	}
	evs[nev++] = *e;
	return 0;
}
#define it_check_event record_event
#include "sim.h"
#undef it_check_event

static const struct sim_sub SUBS[] = {	/* chain order: priority 10, 5, 0 */
	{ 0x1000, 0xa000, 10, "harness_iommu_notify", 0 },
	{ 0x2000, 0xb000, 5, "harness_vdcm_notify", 0 },
	{ 0x3000, 0xc000, 0, "harness_kvm_notify", 0 },
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t want = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000, i;
	struct sim s = { 0 };
	struct it_check_report r;
	struct it_check *ck;
	uint32_t cycle = 0;
	double t0, dt;
	int j;

	for (j = 0; j < 3; j++)
		sim_attached(&s, &SUBS[j]);
	sim_set_alloc(&s, 100, 0xffff888000b36818ULL, 1);
	while (nev < want) {
		uint32_t tid = 100 + (cycle & 1), id = 1 + (cycle % 1000);
		struct sim_args a = { id, 1, 0xffff888000b36818ULL, 0xffff888000900000ULL + 64 * id };

		sim_alloc(&s, tid, 1, a.pdata, id);
		sim_notify(&s, tid, IT_CMD_BIND, &a, SUBS, 3);
		sim_notify(&s, tid, IT_CMD_UNBIND, &a, SUBS, 3);
		sim_free(&s, tid, &a, SUBS, 3);
		cycle++;
	}

	ck = it_check_new(NULL);
	if (!ck)
		return 1;
	t0 = now();
	for (i = 0; i < nev; i++)
		it_check_event(ck, &evs[i]);
	it_check_finish(ck, &r);
	dt = now() - t0;
	printf("events=%zu seconds=%.3f events_per_sec=%.0f verdict=%d violations=%llu\n",
	       nev, dt, nev / dt, (int)r.verdict, (unsigned long long)r.nv_total);
	it_check_free(ck);
	free(evs);
	return r.verdict == IT_VERDICT_PASS ? 0 : 1;
}
