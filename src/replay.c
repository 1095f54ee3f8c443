// SPDX-License-Identifier: GPL-2.0
/* Replay a record file: the offline counterpart of it_session_run(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "record.h"
#include "replay.h"

static int bad_file(const char *path, const char *why)
{
	fprintf(stderr, "ioasid-trace: %s: %s\n", path, why);
	return IT_EXIT_BAD_FILE;
}

/* The filter part of the BPF config (session.c's make_config). */
static bool make_filter(const struct it_options *o, struct it_config *c)
{
	memset(c, 0, sizeof(*c));
	c->targ_tgid = o->pid;
	if (o->has_ioasid) {
		c->filter_mask |= IT_FILTER_ID;
		c->targ_ioasid = o->ioasid;
	}
	if (o->has_sid) {
		c->filter_mask |= IT_FILTER_SID;
		c->targ_sid = o->sid;
	}
	if (o->has_cmd) {
		c->filter_mask |= IT_FILTER_CMD;
		c->targ_cmd = o->cmd;
	}
	return c->targ_tgid || c->filter_mask;
}

int it_replay_run(const struct it_session_spec *sp, const char *path)
{
	const struct it_options *o = sp->o;
	const struct it_rec_trailer *tr;
	struct it_pipeline pipe;
	struct it_source *src = NULL;
	struct it_recfile *f;
	struct it_config filter;
	const char *cut;
	char why[200];
	uint64_t blocks, records;
	int i, err, rc;

	/* added first, so the pipeline destroys the consumers whatever happens */
	it_pipeline_init(&pipe);
	for (i = 0; i < sp->ncons; i++)
		it_pipeline_add(&pipe, sp->cons[i]);
	f = it_recfile_open(path, o->salvage ? IT_RECFILE_SALVAGE : 0, why, sizeof(why));
	if (!f) {
		it_pipeline_fini(&pipe);
		return bad_file(path, why);
	}
	tr = it_recfile_trailer(f);
	cut = it_recfile_cut(f);
	if (cut) {
		blocks = it_recfile_blocks(f, &records);
		fprintf(stderr, "ioasid-trace: %s: warning: salvaged %llu records from %llu "
			"record block%s (%s); losses and what followed unknown\n", path,
			(unsigned long long)records, (unsigned long long)blocks,
			blocks == 1 ? "" : "s", cut);
	}
	pipe.dec.ksyms = it_recfile_ksyms(f);	/* symbols from the file, never the host */
	it_recfile_session_info(f, &pipe.info);
	pipe.info.truncated = cut != NULL;
	pipe.info.opts = o;
	pipe.info.hist_sub_bits = IT_HIST_FINE_BITS;
	pipe.info.hist_unit_ns = it_unit_ns(o->unit);
	if (sp->out) {
		sp->out->start_ns = pipe.info.start_ns;
		sp->out->dec = &pipe.dec;
	}
	src = it_source_file(f, &pipe, make_filter(o, &filter) ? &filter : NULL);
	if (!src) {
		rc = bad_file(path, "out of memory");
		goto out;
	}
	err = it_pipeline_begin(&pipe);
	if (err) {
		rc = bad_file(path, strerror(-err));
		goto out;
	}
	while ((err = src->ops->poll(src, 0)) >= 0 && !pipe.stop)
		;
	if (err < 0 && err != -ENODATA) {
		/* Validated up front: only a bug or memory gets here. */
		fprintf(stderr, "ioasid-trace: %s: %s\n", path,
			err == -EBADMSG ? it_source_file_error(src) : strerror(-err));
		rc = IT_EXIT_BAD_FILE;
		goto out;
	}
	/* A loss the stream did not carry (older writer) still counts. */
	it_pipeline_lost(&pipe, tr->lost, it_recfile_header(f)->start_ns + tr->duration_ns);
	it_recfile_counters(f, pipe.sum.bpf_stats, IT_STAT__COUNT);
	pipe.sum.duration_s = tr->duration_ns / 1e9;
	if (cut && it_source_file_last_ts(src) > pipe.info.start_ns)
		pipe.sum.duration_s = (it_source_file_last_ts(src) - pipe.info.start_ns) / 1e9;
	pipe.sum.child_status = tr->child_status;
	pipe.sum.stop_reason = pipe.stop ? "consumer" : cut ? "recording did not finish"
				: "end of file";
	rc = it_pipeline_end(&pipe);
	if (pipe.err && !rc)
		rc = IT_EXIT_FAIL;
out:
	if (src)
		src->ops->destroy(src);
	it_pipeline_fini(&pipe);
	it_recfile_free(f);
	return rc;
}
