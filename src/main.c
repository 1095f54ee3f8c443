// SPDX-License-Identifier: GPL-2.0
/* ioasid-trace: parse the command line, run the subcommand. */
#include <stdio.h>
#include "commands.h"
#include "options.h"
#include "session.h"
#include "check/check.h"

int main(int argc, char **argv)
{
	struct it_options o = { 0 };

	if (it_options_parse(argc, argv, &o))
		return o.sub == IT_SUB_CHECK ? IT_VERDICT_ERROR : IT_EXIT_USAGE;
	if (o.help_shown)
		return IT_EXIT_OK;
	switch (o.sub) {
	case IT_SUB_TRACE:
		return it_cmd_trace(&o);
	case IT_SUB_HIST:
		return it_cmd_hist(&o);
	case IT_SUB_DOCTOR:
		return it_cmd_doctor(&o);
	case IT_SUB_CHECK:
		return it_cmd_check(&o);
	case IT_SUB_RECORD:
		return it_cmd_record(&o);
	case IT_SUB_REPORT:
		return it_cmd_report(&o);
	default:
		return IT_EXIT_USAGE;
	}
}
