// SPDX-License-Identifier: GPL-2.0
/*
 * Loader of counter.bpf.c: load, attach, print "READY" (and the time that
 * took), wait for SIGINT/SIGTERM, print one JSON line (calls per function in
 * "counts", with --fexit their returns in "returns" too), detach.
 *
 *   build/bench/fentry-counter [--fexit]
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counter.skel.h"

static const char *const names[] = {
	"ioasid_alloc", "ioasid_free", "ioasid_free_locked", "default_free",
	"ioasid_notify", "ioasid_add_notifier", "ioasid_remove_notifier",
	"blocking_notifier_call_chain", "ioasid_alloc_set", "ioasid_free_set",
	"ioasid_attach_data", "harness_kvm_notify", "harness_iommu_notify",
	"harness_vdcm_notify",
};
#define NFUNCS (sizeof(names) / sizeof(names[0]))

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

/* "name":sum for each function, its counters starting at index base. */
static void print_counts(int fd, __u64 *v, int ncpu, const char *open, __u32 base)
{
	__u32 i, k;

	printf("%s", open);
	for (i = 0; v && i < NFUNCS; i++) {
		__u64 sum = 0;
		int c;

		k = base + i;
		if (!bpf_map_lookup_elem(fd, &k, v))
			for (c = 0; c < ncpu; c++)
				sum += v[c];
		printf("%s\"%s\":%llu", i ? "," : "", names[i], (unsigned long long)sum);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;
	double t0 = now_s();
	struct counter_bpf *s;
	struct bpf_program *p;
	bool fexit;
	int ncpu = libbpf_num_possible_cpus(), err;
	__u64 *v;

	libbpf_set_print(quiet);
	/* Blocked until sigsuspend: a signal right after READY is not lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	s = counter_bpf__open();
	if (!s) {
		fprintf(stderr, "fentry-counter: open: %s\n", strerror(errno));
		return 1;
	}
	fexit = argc > 1 && !strcmp(argv[1], "--fexit");
	bpf_object__for_each_program(p, s->obj)
		if (!strncmp(bpf_program__section_name(p), "fexit/", 6))
			bpf_program__set_autoload(p, fexit);
	if (bpf_map__max_entries(s->maps.counts) != 2 * NFUNCS) {
		fprintf(stderr, "fentry-counter: counter.bpf.c and names[] disagree\n");
		counter_bpf__destroy(s);
		return 1;
	}
	err = counter_bpf__load(s);
	if (err) {
		fprintf(stderr, "fentry-counter: load: %s\n", strerror(-err));
		counter_bpf__destroy(s);
		return 1;
	}
	err = counter_bpf__attach(s);
	if (err) {
		fprintf(stderr, "fentry-counter: attach: %s\n", strerror(-err));
		counter_bpf__destroy(s);
		return 1;
	}
	printf("READY attach_s=%.3f\n", now_s() - t0);
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	v = calloc(ncpu, sizeof(*v));
	print_counts(bpf_map__fd(s->maps.counts), v, ncpu, "{\"counts\":{", 0);
	if (fexit)
		print_counts(bpf_map__fd(s->maps.counts), v, ncpu, "},\"returns\":{", NFUNCS);
	printf("}}\n");
	free(v);
	counter_bpf__destroy(s);
	return 0;
}
