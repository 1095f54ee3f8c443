// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
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

/* Decimal places of one ns in a unit: 0 for ns, 3 for us, 6 for ms. */
static int ns_decimals(uint64_t unit_ns)
{
	int d = 0;

	while (unit_ns >= 10) {
		unit_ns /= 10;
		d++;
	}
	return d;
}

const char *it_fmt_lat(char *buf, size_t size, uint64_t ns, uint64_t unit_ns)
{
	double v, t;
	int decimals;

	if (unit_ns <= 1 || !ns) {
		snprintf(buf, size, "%" PRIu64, ns);
		return buf;
	}
	v = (double)ns / (double)unit_ns;
	/* 3 significant digits: 2 decimals from 1, one less per digit above, one more below */
	decimals = 2;
	for (t = v; t >= 10 && decimals > 0; t /= 10)
		decimals--;
	for (t = v; t < 1 && decimals < ns_decimals(unit_ns); t *= 10)
		decimals++;
	if (decimals > ns_decimals(unit_ns))
		decimals = ns_decimals(unit_ns);
	snprintf(buf, size, "%.*f", decimals, v);
	return buf;
}
