// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the record-file reader.  it_record_read_buffer() parses
 * a whole .itr image from memory (header, block CRCs, zlib, trailer, symbol
 * table) and replays every record through the decoder, exactly what
 * `check --input` and `report` do with a file.  Any crash, sanitizer report,
 * leak or hang (libFuzzer -timeout) is a bug in the reader.
 *
 * Each input is read three ways, so mutations get past the integrity
 * checks to the code behind them:
 *   1. as it is (CRCs, lengths and zlib must be rejected cleanly);
 *   2. with every CRC recomputed (header and block fields reach the parser);
 *   3. with each block's bytes taken as the RAW payload and compressed here,
 *      lengths and CRCs set (records, trailer and symbol table reach the
 *      decoder).  fuzz/fuzz.sh adds uncompressed ("raw-") copies of the real
 *      recordings to the corpus for this.
 *
 * Built and run by fuzz/fuzz.sh (make fuzz; tests/fuzz-short.sh in make check).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "record.h"

/* Strictly, and as --salvage reads a file that stops short. */
static void read_it(const uint8_t *data, size_t size)
{
	char why[256];

	if (it_record_read_buffer(data, size, 0, why, sizeof(why)) == -ENODATA)
		it_record_read_buffer(data, size, IT_RECFILE_SALVAGE, why, sizeof(why));
}

/* Rebuild data into a new image with valid CRCs; rawify: compress payloads. */
static uint8_t *fixup(const uint8_t *data, size_t size, int rawify, size_t *outlen)
{
	const size_t hsz = sizeof(struct it_rec_header), bsz = sizeof(struct it_rec_block);
	size_t off = hsz, cap = size * 2 + 4096, n;
	struct it_rec_header h;
	uint8_t *out;

	if (size < hsz)
		return NULL;
	out = malloc(cap);
	if (!out)
		return NULL;
	memcpy(&h, data, hsz);
	h.header_crc = crc32(0, (const Bytef *)&h, offsetof(struct it_rec_header, header_crc));
	memcpy(out, &h, hsz);
	n = hsz;
	while (off + bsz <= size) {
		struct it_rec_block b;
		const uint8_t *p = data + off + bsz;
		size_t clen;
		uLongf zlen;

		memcpy(&b, data + off, bsz);
		clen = b.comp_len;
		if (clen > size - off - bsz)
			clen = size - off - bsz;
		zlen = compressBound(clen);
		if (n + bsz + zlen + clen > cap) {
			uint8_t *o;

			cap = (n + bsz + zlen + clen) * 2;
			o = realloc(out, cap);
			if (!o) {
				free(out);
				return NULL;
			}
			out = o;
		}
		if (rawify) {
			if (compress2(out + n + bsz, &zlen, p, clen, 1) != Z_OK) {
				free(out);
				return NULL;
			}
			b.raw_len = (uint32_t)clen;
			b.comp_len = (uint32_t)zlen;
		} else {
			memcpy(out + n + bsz, p, clen);
			b.comp_len = (uint32_t)clen;
			zlen = clen;
		}
		b.crc = crc32(0, out + n + bsz, b.comp_len);
		b.header_crc = crc32(0, (const Bytef *)&b, offsetof(struct it_rec_block, header_crc));
		memcpy(out + n, &b, bsz);
		n += bsz + zlen;
		off += bsz + clen;
	}
	/* a torn tail stays torn */
	if (off < size && n + (size - off) <= cap) {
		memcpy(out + n, data + off, size - off);
		n += size - off;
	}
	*outlen = n;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f;
	size_t n;
	int raw;

	read_it(data, size);
	for (raw = 0; raw < 2; raw++) {
		f = fixup(data, size, raw, &n);
		if (f) {
			read_it(f, n);
			free(f);
		}
	}
	return 0;
}
