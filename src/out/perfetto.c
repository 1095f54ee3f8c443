// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome trace-event JSON, as ui.perfetto.dev (and chrome://tracing) opens it:
 *
 *   - one track per task (pid/tid): every traced call is a slice, B at its
 *     ENTER and E at its EXIT, so callbacks nest inside the chain call that
 *     ran them, inside ioasid_notify or ioasid_free_locked;
 *   - one async track per IOASID, keyed by the ID ("b"/"e", cat "ioasid"):
 *     its lifetime from ioasid_alloc's return to the end of
 *     ioasid_free_locked, with each bind period (BIND .. UNBIND) nested
 *     inside it;
 *   - meta events (callback attached/detached, records lost) as instants.
 *
 * Whatever is still open at the end of the trace (a call that never
 * returned, say the re-entry deadlock; an ID never freed) is closed at the
 * last timestamp with args {"open": true}, so every B has its E and every
 * "b" its "e".  Timestamps are microseconds since the start of tracing with
 * ns precision.  State is freed at summary(), which ends the document.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "consumer.h"
#include "json.h"
#include "out.h"

/* A pid above PID_MAX_LIMIT, so the IOASID tracks get a process of their own. */
#define IDS_PID	4194305

struct frame {
	uint8_t kind;
	uint16_t depth;
};

struct task {
	uint32_t pid, tid;
	int n;
	struct frame st[IT_MAX_DEPTH];
};

struct life {
	uint32_t id;
	bool bound;
};

struct pf {
	struct it_json j;
	uint64_t start_ns, last_ns;
	struct task *tasks;
	size_t ntasks, captasks;
	size_t hint;
	struct life *ids;
	size_t nids, capids;
	uint32_t *pids;		/* processes named so far */
	size_t npids, cappids;
	bool done;
};

static struct pf *P(struct it_writer *w)
{
	return w->priv;
}

static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return true;
	c = *cap ? *cap * 2 : 16;
	q = realloc(*p, c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

static double us(const struct pf *p, uint64_t ts)
{
	return ts >= p->start_ns ? (ts - p->start_ns) / 1e3 : -((p->start_ns - ts) / 1e3);
}

/* Opens one trace event; the caller adds args and closes it with end(). */
static void head(struct pf *p, const char *ph, const char *name, const char *cat,
		 uint64_t ts, uint32_t pid, uint32_t tid)
{
	it_json_obj(&p->j, NULL);
	it_json_str(&p->j, "ph", ph);
	if (name)
		it_json_str(&p->j, "name", name);
	if (cat)
		it_json_str(&p->j, "cat", cat);
	it_json_dbl(&p->j, "ts", us(p, ts));
	it_json_u64(&p->j, "pid", pid);
	it_json_u64(&p->j, "tid", tid);
}

static void end(struct pf *p)
{
	it_json_obj_end(&p->j);
	fputc('\n', p->j.f);
}

static void meta_name(struct pf *p, const char *what, uint32_t pid, uint32_t tid,
		      const char *name)
{
	it_json_obj(&p->j, NULL);
	it_json_str(&p->j, "ph", "M");
	it_json_str(&p->j, "name", what);
	it_json_u64(&p->j, "pid", pid);
	it_json_u64(&p->j, "tid", tid);
	it_json_obj(&p->j, "args");
	it_json_str(&p->j, "name", name);
	it_json_obj_end(&p->j);
	end(p);
}

static struct task *task_of(struct pf *p, const struct it_event *e)
{
	size_t i;

	if (p->hint < p->ntasks && p->tasks[p->hint].tid == e->tid)
		return &p->tasks[p->hint];
	for (i = 0; i < p->ntasks; i++)
		if (p->tasks[i].tid == e->tid)
			return &p->tasks[p->hint = i];
	if (!grow((void **)&p->tasks, &p->captasks, p->ntasks, sizeof(*p->tasks)))
		return NULL;
	for (i = 0; i < p->npids && p->pids[i] != e->pid; i++)
		;
	if (i == p->npids && grow((void **)&p->pids, &p->cappids, p->npids, sizeof(*p->pids))) {
		p->pids[p->npids++] = e->pid;
		meta_name(p, "process_name", e->pid, e->pid, e->comm);
	}
	meta_name(p, "thread_name", e->pid, e->tid, e->comm);
	p->tasks[p->ntasks] = (struct task){ .pid = e->pid, .tid = e->tid };
	return &p->tasks[p->hint = p->ntasks++];
}

/* "callback harness_kvm_notify", "chain FREE", "notify BIND", "alloc" */
static void slice_name(const struct it_event *e, char *buf, size_t n)
{
	const char *cmd = (e->flags & IT_F_HAS_CMD) ? it_cmd_name(e->cmd) : NULL;

	if (e->kind == IT_K_CALLBACK && e->cb_sym)
		snprintf(buf, n, "%s", e->cb_sym);
	else if (e->kind == IT_K_CALLBACK)
		snprintf(buf, n, "callback 0x%" PRIx64, e->cb);
	else if (cmd)
		snprintf(buf, n, "%s %s", it_kind_name(e->kind), cmd);
	else if (e->flags & IT_F_HAS_CMD)
		snprintf(buf, n, "%s %u", it_kind_name(e->kind), e->cmd);
	else
		snprintf(buf, n, "%s", it_kind_name(e->kind));
}

static void call_args(struct pf *p, const struct it_event *e)
{
	it_json_obj(&p->j, "args");
	if (e->flags & IT_F_HAS_ID)
		it_json_u64(&p->j, "ioasid", e->ioasid);
	if (e->flags & IT_F_HAS_SID)
		it_json_i64(&p->j, "sid", e->sid);
	if (e->flags & IT_F_HAS_CB) {
		it_json_hex(&p->j, "cb", e->cb);
		it_json_str(&p->j, "module", e->cb_mod);
		it_json_i64(&p->j, "prio", e->prio);
	}
	if (e->flags & IT_F_HAS_ARGS) {
		it_json_u64(&p->j, "args.id", e->args.id);
		it_json_i64(&p->j, "args.sid", e->args.sid);
		it_json_hex(&p->j, "args.set_token", e->args.set_token);
		it_json_hex(&p->j, "args.pdata", e->args.pdata);
	}
	if (e->flags & IT_F_HAS_RET)
		it_json_i64(&p->j, "ret", e->ret);
	if (e->phase == IT_PH_EXIT && !(e->flags & IT_F_UNMATCHED))
		it_json_u64(&p->j, "lat_ns", e->lat_ns);
	if (e->phase == IT_PH_ENTER) {
		it_json_bool(&p->j, "lock_held", e->flags & IT_F_LOCK_HELD);
		it_json_u64(&p->j, "cpu", e->cpu);
	}
	it_json_obj_end(&p->j);
}

static void slice_end(struct pf *p, const struct task *t, uint64_t ts, const char *flag)
{
	head(p, "E", NULL, NULL, ts, t->pid, t->tid);
	if (flag) {
		it_json_obj(&p->j, "args");
		it_json_bool(&p->j, flag, true);
		it_json_obj_end(&p->j);
	}
	end(p);
}

static void on_call(struct pf *p, const struct it_event *e)
{
	struct task *t = task_of(p, e);
	char name[160];
	int i;

	if (!t)
		return;
	slice_name(e, name, sizeof(name));
	if (e->phase == IT_PH_ENTER) {
		if (t->n == IT_MAX_DEPTH)
			return;	/* deeper than BPF keeps frames: not shown */
		t->st[t->n++] = (struct frame){ e->kind, e->depth };
		head(p, "B", name, "call", e->ts_ns, e->pid, e->tid);
		call_args(p, e);
		end(p);
		return;
	}
	/* EXIT: close its slice; slices above it lost their EXIT (filtered, lost) */
	for (i = t->n - 1; i >= 0; i--)
		if (t->st[i].kind == e->kind && t->st[i].depth == e->depth)
			break;
	if (i < 0) {
		/* began before tracing (or its ENTER was lost): an instant */
		head(p, "i", name, "call", e->ts_ns, e->pid, e->tid);
		it_json_str(&p->j, "s", "t");
		call_args(p, e);
		end(p);
		return;
	}
	while (t->n - 1 > i)
		slice_end(p, t, e->ts_ns, "exit_missing"), t->n--;
	t->n--;
	head(p, "E", NULL, NULL, e->ts_ns, e->pid, e->tid);
	call_args(p, e);
	end(p);
}

static struct life *life_of(struct pf *p, uint32_t id)
{
	size_t i;

	for (i = 0; i < p->nids; i++)
		if (p->ids[i].id == id)
			return &p->ids[i];
	return NULL;
}

static void async(struct pf *p, const char *ph, const char *name, uint32_t id, uint64_t ts,
		  const char *flag)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", id);
	head(p, ph, name, "ioasid", ts, IDS_PID, IDS_PID);
	it_json_str(&p->j, "id", key);
	if (flag) {
		it_json_obj(&p->j, "args");
		it_json_bool(&p->j, flag, true);
		it_json_obj_end(&p->j);
	}
	end(p);
}

static void life_end(struct pf *p, struct life *l, uint64_t ts, const char *flag)
{
	char name[32];

	if (l->bound)
		async(p, "e", "bound", l->id, ts, flag ? flag : "leaked_binding");
	snprintf(name, sizeof(name), "ioasid %u", l->id);
	async(p, "e", name, l->id, ts, flag);
	*l = p->ids[--p->nids];
}

static void on_lifetime(struct pf *p, const struct it_event *e)
{
	struct life *l;
	char name[32];
	uint32_t id;

	if (e->phase != IT_PH_EXIT)
		return;
	if (e->kind == IT_K_ALLOC && (e->flags & IT_F_HAS_RET) && e->ret >= 0 &&
	    e->ret < IT_NO_ID) {
		id = (uint32_t)e->ret;
		l = life_of(p, id);
		if (l)	/* handed out again before its free ended */
			life_end(p, l, e->ts_ns, "reused");
		if (!grow((void **)&p->ids, &p->capids, p->nids, sizeof(*p->ids)))
			return;
		p->ids[p->nids++] = (struct life){ .id = id };
		snprintf(name, sizeof(name), "ioasid %u", id);
		head(p, "b", name, "ioasid", e->ts_ns, IDS_PID, IDS_PID);
		snprintf(name, sizeof(name), "%u", id);
		it_json_str(&p->j, "id", name);
		it_json_obj(&p->j, "args");
		it_json_i64(&p->j, "sid", e->sid);
		it_json_hex(&p->j, "private", e->ptr);
		it_json_u64(&p->j, "tid", e->tid);
		it_json_obj_end(&p->j);
		end(p);
		return;
	}
	if (!(e->flags & IT_F_HAS_ID) || !(l = life_of(p, e->ioasid)))
		return;	/* allocated before tracing: no span to attach to */
	if (e->kind == IT_K_NOTIFY && (e->flags & IT_F_HAS_CMD) && (e->flags & IT_F_HAS_RET) &&
	    e->ret >= 0) {
		if (e->cmd == IT_CMD_BIND && !l->bound) {
			async(p, "b", "bound", l->id, e->ts_ns, NULL);
			l->bound = true;
		} else if (e->cmd == IT_CMD_UNBIND && l->bound) {
			async(p, "e", "bound", l->id, e->ts_ns, NULL);
			l->bound = false;
		}
	} else if (e->kind == IT_K_FREE_LOCKED || e->kind == IT_K_FREE) {
		life_end(p, l, e->ts_ns, NULL);
	}
}

static void pf_begin(struct it_writer *w, const struct it_session_info *s)
{
	struct pf *p = calloc(1, sizeof(*p));

	if (!p)
		return;
	w->priv = p;
	it_json_init(&p->j, w->f);
	p->start_ns = p->last_ns = s->start_ns;
	w->start_ns = s->start_ns;
	it_json_obj(&p->j, NULL);
	it_json_str(&p->j, "displayTimeUnit", "ns");
	it_json_obj(&p->j, "otherData");
	it_json_str(&p->j, "tool", "ioasid-trace");
	it_json_str(&p->j, "kernel", s->kernel_release);
	it_json_i64(&p->j, "series", s->series_version);
	it_json_u64(&p->j, "start_ns", s->start_ns);
	it_json_u64(&p->j, "mono_to_real_ns", s->mono_to_real_ns);
	it_json_obj_end(&p->j);
	it_json_arr(&p->j, "traceEvents");
	fputc('\n', w->f);
	meta_name(p, "process_name", IDS_PID, IDS_PID, "IOASID lifetimes");
}

static void pf_event(struct it_writer *w, const struct it_event *e)
{
	struct pf *p = P(w);
	char name[200];

	if (!p || p->done)
		return;
	if (e->ts_ns > p->last_ns)
		p->last_ns = e->ts_ns;
	if (e->phase == IT_PH_POINT) {
		if (e->kind == IT_K_META_LOST)
			snprintf(name, sizeof(name), "%" PRIu64 " records lost", e->lost);
		else
			snprintf(name, sizeof(name), "%s %s", it_kind_name(e->kind),
				 e->cb_sym ? e->cb_sym : "?");
		head(p, "i", name, "meta", e->ts_ns, IDS_PID, IDS_PID);
		it_json_str(&p->j, "s", "g");
		end(p);
		return;
	}
	on_call(p, e);
	on_lifetime(p, e);
}

/* The end of the run: close what is open, end the document, free the state. */
static void pf_summary(struct it_writer *w, const struct it_summary *s)
{
	struct pf *p = P(w);
	size_t i;

	if (!p || p->done)
		return;
	for (i = 0; i < p->ntasks; i++)
		while (p->tasks[i].n > 0)
			slice_end(p, &p->tasks[i], p->last_ns, "open"), p->tasks[i].n--;
	while (p->nids)
		life_end(p, &p->ids[p->nids - 1], p->last_ns, "open");
	it_json_arr_end(&p->j);
	it_json_obj(&p->j, "metadata");
	it_json_u64(&p->j, "events", s->events);
	it_json_u64(&p->j, "lost", s->lost);
	it_json_obj_end(&p->j);
	it_json_obj_end(&p->j);
	it_json_eol(&p->j);
	free(p->tasks);
	free(p->ids);
	free(p->pids);
	p->tasks = NULL;
	p->ids = NULL;
	p->pids = NULL;
	p->done = true;
	if (s->lost && w->diag)
		fprintf(w->diag, "ioasid-trace: %" PRIu64 " records were lost\n", s->lost);
}

const struct it_writer_ops it_perfetto_writer = {
	.name = "perfetto",
	.begin = pf_begin,
	.event = pf_event,
	.summary = pf_summary,
};
