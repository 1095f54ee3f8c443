// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "ksyms.h"
#include "preempt.h"

/* "none voluntary (full)": the current model is in parentheses. */
static bool dynamic_model(const char *file, char *model, size_t len)
{
	char line[128], *open, *close;
	FILE *f = fopen(file, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	open = ok ? strchr(line, '(') : NULL;
	close = open ? strchr(open, ')') : NULL;
	if (!close)
		return false;
	*close = '\0';
	snprintf(model, len, "%s", open + 1);
	return true;
}

bool it_preempt_full(const struct it_ksyms *ks, const char *debugfs_file,
		     char *how, size_t len)
{
	char model[32];

	/* preempt_schedule() exists exactly with CONFIG_PREEMPTION. */
	if (!it_ksyms_by_name(ks, "preempt_schedule", NULL)) {
		snprintf(how, len, "none or voluntary (not CONFIG_PREEMPTION)");
		return false;
	}
	if (!it_ksyms_by_name(ks, "sched_dynamic_update", NULL)) {
		snprintf(how, len, "full (CONFIG_PREEMPT)");
		return true;
	}
	if (!dynamic_model(debugfs_file, model, sizeof(model))) {
		snprintf(how, len, "full (assumed: PREEMPT_DYNAMIC, %s unreadable)",
			 debugfs_file);
		return true;
	}
	snprintf(how, len, "%s (PREEMPT_DYNAMIC)", model);
	return !strcmp(model, "full");
}
