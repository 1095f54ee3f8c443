// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "out.h"

static const struct it_writer_ops *const writers[] = {
	&it_text_writer,
	&it_ndjson_writer,
	&it_ktap_writer,
	&it_junit_writer,
	&it_perfetto_writer,
};

struct it_writer *it_writer_new(const char *name, FILE *f, FILE *diag)
{
	struct it_writer *w;
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		if (strcmp(writers[i]->name, name))
			continue;
		w = calloc(1, sizeof(*w));
		if (!w)
			return NULL;
		w->ops = writers[i];
		w->f = f;
		w->diag = diag;
		return w;
	}
	return NULL;
}

void it_writer_free(struct it_writer *w)
{
	if (w)
		free(w->priv);
	free(w);
}
