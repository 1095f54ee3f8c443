// SPDX-License-Identifier: GPL-2.0
/* One event as a line of evidence, shared by every format's reports. */
#include <stdio.h>
#include "out.h"

void it_out_describe(const struct it_writer *w, const struct it_event *e, char *buf, size_t n)
{
	double t = e->ts_ns >= w->start_ns ? (e->ts_ns - w->start_ns) / 1e9 : 0;
	size_t k;

	k = snprintf(buf, n, "%.6fs cpu %u %s[%u] %s %s", t, e->cpu, e->comm, e->tid,
		     it_kind_name(e->kind), it_phase_name(e->phase));
#define ADD(...) do { if (k < n) k += snprintf(buf + k, n - k, __VA_ARGS__); } while (0)
	/* an operation's cb is the allocator free it will call, not itself */
	if (e->cb_sym)
		ADD(" %s%s%s%s%s", it_kind_is_op(e->kind) ? "via " : "", e->cb_sym,
		    e->cb_mod ? " [" : "", e->cb_mod ? e->cb_mod : "", e->cb_mod ? "]" : "");
	else if (e->flags & IT_F_HAS_CB)
		ADD(" cb=0x%llx", (unsigned long long)e->cb);
	if (e->flags & IT_F_HAS_ID)
		ADD(" id=%u", e->ioasid);
	if (e->flags & IT_F_HAS_SID)
		ADD(" sid=%d", e->sid);
	if (e->flags & IT_F_HAS_CMD)
		ADD(" cmd=%s", it_cmd_name(e->cmd) ? it_cmd_name(e->cmd) : "?");
	if (e->kind == IT_K_ALLOC_SET)
		ADD(" token=0x%llx", (unsigned long long)e->ptr);
	else if (e->kind == IT_K_ALLOC)
		ADD(" private=0x%llx", (unsigned long long)e->ptr);
	else if (e->kind == IT_K_ATTACH_DATA)
		ADD(" data=0x%llx", (unsigned long long)e->ptr);
	if (e->flags & IT_F_HAS_ARGS)
		ADD(" args={id=%u sid=%d set_token=0x%llx pdata=0x%llx}", e->args.id, e->args.sid,
		    (unsigned long long)e->args.set_token, (unsigned long long)e->args.pdata);
	if (e->flags & IT_F_HAS_RET)
		ADD(" ret=%lld", (long long)e->ret);
	ADD(" #%llu", (unsigned long long)e->seq);
#undef ADD
}
