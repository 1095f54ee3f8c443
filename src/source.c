// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "source.h"

/*
 * Records handled per poll.  libbpf's ring buffer consumer keeps going as
 * long as the producer keeps adding, so under a load the tool cannot keep
 * up with, one ring_buffer__poll() never returned and SIGINT, -d and the
 * command's exit went unnoticed (until the load stopped).  A callback that
 * returns < 0 makes libbpf stop after that record (which it consumed).
 */
#define IT_POLL_BUDGET	4096

/*
 * How often the runs the kernel skipped are read while probes are armed:
 * a syscall per program, too many for every poll.  Once disarmed, every
 * read is fresh, so the run's last count is exact.
 */
#define IT_SKIPPED_EVERY_NS	1000000000ull

struct live {
	struct ring_buffer *rb;
	struct it_attach *a;
	int n;		/* records handled in this poll */
	uint64_t skipped, skipped_ns;	/* it_attach_skipped() and when */
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct it_source *s = ctx;
	struct live *l = s->priv;
	int err = it_pipeline_raw(s->pipe, data, size);

	if (err < 0)
		return err;
	return ++l->n >= IT_POLL_BUDGET ? -EAGAIN : 0;
}

static int live_poll(struct it_source *s, int timeout_ms)
{
	struct live *l = s->priv;
	int n;

	l->n = 0;
	n = ring_buffer__poll(l->rb, timeout_ms);
	if (n == -EAGAIN && l->n >= IT_POLL_BUDGET)
		return l->n;	/* budget used up: more may be waiting */
	return n == -EINTR ? 0 : n;
}

static uint64_t live_lost(struct it_source *s)
{
	struct live *l = s->priv;
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	if (!l->a->armed || now - l->skipped_ns >= IT_SKIPPED_EVERY_NS) {
		l->skipped = it_attach_skipped(l->a);
		l->skipped_ns = now;
	}
	return it_attach_rb_full(l->a) + l->skipped;
}

static void live_destroy(struct it_source *s)
{
	struct live *l = s->priv;

	ring_buffer__free(l->rb);
	free(l);
	free(s);
}

static const struct it_source_ops live_ops = {
	.poll = live_poll,
	.lost = live_lost,
	.destroy = live_destroy,
};

struct it_source *it_source_live(struct it_attach *a, struct it_pipeline *p)
{
	struct it_source *s = calloc(1, sizeof(*s));
	struct live *l = calloc(1, sizeof(*l));

	if (!s || !l)
		goto fail;
	s->ops = &live_ops;
	s->pipe = p;
	s->priv = l;
	l->a = a;
	l->rb = ring_buffer__new(it_attach_ringbuf_fd(a), on_record, s, NULL);
	if (!l->rb)
		goto fail;
	return s;
fail:
	free(l);
	free(s);
	return NULL;
}
