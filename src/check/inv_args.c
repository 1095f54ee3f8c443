// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 5: the arguments a callback sees match the IOASID: id, the sid
 * of its set, pdata as last allocated or attached, and set_token of its set;
 * and the cmd it receives is the one the operation asked for
 * (ioasid_notify()'s cmd; FREE on the free paths).
 *
 * The expectation is taken when the chain call starts (model.c), from the
 * ALLOC / ATTACH_DATA / ALLOC_SET events that set it (a pending
 * ioasid_attach_data() leaves pdata unknown); each callback's
 * struct ioasid_nb_args is compared field by field.  Fields whose source
 * was not traced are not judged.  The v2+ layout (spid, set) has other
 * meanings and is only checked for id.
 */
#include <stdio.h>
#include <string.h>
#include "inv.h"

static void event(struct it_check *ck, const struct it_event *e)
{
	const struct it_chain_call *c;
	const struct it_event *cause = NULL;
	char what[240] = "";
	size_t n = 0;
	uint32_t want_cmd;
	bool v1;

	if (e->kind != IT_K_CALLBACK || e->phase != IT_PH_ENTER)
		return;
	if (!(c = it_callback_chain(it_check_model(ck), e)))
		return;
	it_check_evaluated(ck, 5);
	v1 = !(e->flags & IT_F_ARGS_V2);
#define MISMATCH(...) (n += snprintf(what + n, n < sizeof(what) ? sizeof(what) - n : 0, __VA_ARGS__))
	want_cmd = c->asked_cmd ? c->asked_cmd : c->cmd;
	if ((e->flags & IT_F_HAS_CMD) && e->cmd != want_cmd) {
		MISMATCH(" cmd=%s (asked %s)", it_cmd_name(e->cmd) ?: "?", it_cmd_name(want_cmd) ?: "?");
		cause = c->asked_cmd ? &c->asked_ev : &c->enter;
	}
	if (!(e->flags & IT_F_HAS_ARGS))
		goto report;
	if (c->id != IT_NO_ID && e->args.id != c->id)
		MISMATCH(" id=%u (want %u)", e->args.id, c->id);
	if (v1 && c->exp_sid_known && e->args.sid != c->exp_sid)
		MISMATCH(" sid=%d (want %d)", e->args.sid, c->exp_sid);
	if (c->exp_pdata_known && e->args.pdata != c->exp_pdata) {
		MISMATCH(" pdata=0x%llx (want 0x%llx)", (unsigned long long)e->args.pdata,
			 (unsigned long long)c->exp_pdata);
		if (!cause)
			cause = c->exp_pdata_ev;
	}
	if (v1 && c->exp_token_known && e->args.set_token != c->exp_token) {
		MISMATCH(" set_token=0x%llx (want 0x%llx)", (unsigned long long)e->args.set_token,
			 (unsigned long long)c->exp_token);
		if (!cause)
			cause = c->exp_token_ev;
	}
report:
#undef MISMATCH
	if (n)
		it_check_violate(ck, 5, e, cause, "%s got %s args of IOASID %u with%s",
				 it_sub_name(e), it_cmd_name(c->cmd) ?: "?", c->id, what);
}

const struct it_invariant it_inv_args = {
	.id = 5,
	.key = "args-match",
	.title = "callbacks get the cmd that was asked for and see the ID's id, sid, "
		 "last attached pdata and set_token",
	.severity = IT_SEV_ERROR,
	.source = "seed: struct ioasid_nb_args { id, sid, set_token, pdata } \"Argument provided "
		  "by IOASID core when notifier is called\"",
	.on = { [IT_PH_ENTER] = IT_ON(IT_K_CALLBACK) },
	.event = event,
};
