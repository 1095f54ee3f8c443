/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Record files (.itr): a recorded event stream, replayed offline through
 * the same decoder and consumers as a live run (docs/record-format.md is
 * the long form).
 *
 *   header | block | block | ... | trailer block      (little-endian)
 *
 * header:  struct it_rec_header, fixed size, its own CRC.
 * block:   struct it_rec_block, then comp_len bytes of a zlib stream that
 *          inflates to raw_len bytes.  crc covers the compressed bytes, so
 *          a flipped bit or a short file is found before inflating, and the
 *          error names the block and the file offset.
 *   'R'    records: nitems struct it_record (include/ioasid_trace.h), in
 *          the order the live consumers saw them; meta events (cb_attached,
 *          cb_detached, lost) are it_records with kind >= IT_K_META_ATTACHED,
 *          phase POINT, lost count in ptr.
 *   'A'    attach list (format 4), right after the header: nitems struct
 *          it_rec_point, every planned point and how it was attached, so
 *          check --input knows what the recording could see.
 *   'C'    counters (format 4), just before the trailer: nitems __u64, the
 *          BPF counters of enum it_stat in order (a reader takes those it
 *          knows; the trailer keeps the first IT_REC_BPF_STATS too).
 *   'T'    trailer, last: struct it_rec_trailer, then nitems struct
 *          it_rec_sym (the callbacks seen: address, symbol, module).  A file
 *          without it was not finished (the recorder was killed) and is
 *          rejected as truncated.
 *
 * The writer is a pipeline consumer (after the chain follower, so it sees
 * the meta events where the live consumers do); the reader is an it_source.
 */
#ifndef IT_RECORD_H
#define IT_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "ioasid_trace.h"
#include "consumer.h"
#include "source.h"

#define IT_REC_MAGIC		"IOASIDTR"	/* 8 bytes, no NUL */
/*
 * 2: symbol blocks ('S') before the record block whose events first named
 * them, so a salvaged file keeps its callbacks' names.
 * 3: META_ALLOCATOR records (a custom allocator's free followed), which a
 * format 2 reader would count as bad records.
 * 4: the attach list ('A') and counters ('C') blocks, and records outside
 * the armed window (IT_F_OUTSIDE).  1 to 3 are still read; check --input on
 * them is inconclusive: what was attached is unknown.
 */
#define IT_REC_FORMAT_VERSION	4
#define IT_REC_BYTE_ORDER	0x01020304u	/* as written by the recording host */
#define IT_REC_BLOCK_RAW	(1u << 20)	/* records buffered per block (raw bytes) */
/* A block is closed early once its first record is this old (salvage). */
#define IT_REC_FLUSH_NS		1000000000ll
#define IT_REC_BLOCK_MAX	(64u << 20)	/* largest raw block a reader accepts */
#define IT_REC_SYM_LEN		128
#define IT_REC_MOD_LEN		64
#define IT_REC_MAX_SYMS		4096

/* it_rec_header.flags / it_rec_trailer.flags */
enum {
	IT_REC_F_LOST = 1u << 0,	/* records were lost: counts are lower bounds */
};

struct it_rec_header {
	char magic[8];
	__u16 format_version;	/* IT_REC_FORMAT_VERSION */
	__u16 header_size;	/* sizeof(struct it_rec_header) */
	__u32 record_version;	/* IT_RECORD_VERSION of the raw records */
	__u32 record_size;	/* sizeof(struct it_record) */
	__u32 byte_order;	/* IT_REC_BYTE_ORDER */
	__s32 series;		/* 1 = v1 seed, 2 = v2+, 0 = unknown */
	__u32 ncpus;
	__u64 start_ns;		/* CLOCK_MONOTONIC when tracing started */
	__u64 mono_to_real_ns;	/* add to a record's ts_ns for wall-clock time */
	__s64 boot_to_mono_ns;	/* CLOCK_BOOTTIME - CLOCK_MONOTONIC at start (suspend time) */
	__u32 flags;
	__u32 _pad;
	char tool_version[32];	/* "ioasid-trace 0.1" */
	char kernel_release[72];	/* uname -r of the traced kernel */
	char hostname[64];
	__u32 _pad2;
	__u32 header_crc;	/* crc32 of every byte before this field */
};

struct it_rec_block {
	char tag[4];		/* "ITR" + 'R' records, "ITS" + 'S' symbols, "ITT" + 'T' trailer */
	__u32 raw_len;		/* inflated payload bytes */
	__u32 comp_len;		/* compressed bytes that follow this header */
	__u32 nitems;		/* records (R) or symbols (S, T) */
	__u32 crc;		/* crc32 of the comp_len compressed bytes */
	__u32 header_crc;	/* crc32 of the 20 bytes above */
};

/*
 * The trailer keeps the BPF counters a recording can have: the first four
 * of enum it_stat.  Fixed here so a counter added for live modes only
 * (IT_STAT_CB_GAP: hist's chained callback timing, never in a recording)
 * does not change the file format.
 */
#define IT_REC_BPF_STATS	4

struct it_rec_trailer {
	__u64 records;		/* raw records (decodable kinds) */
	__u64 meta;		/* meta records */
	__u64 lost;		/* records the ring buffer dropped */
	__u64 bad;		/* records the live decoder rejected (not stored) */
	__u64 unmatched;
	__u64 bpf_stats[IT_REC_BPF_STATS];	/* the first of enum it_stat */
	__u64 end_ns;		/* CLOCK_MONOTONIC at the end */
	__u64 duration_ns;
	__s32 child_status;	/* -1: no command */
	__u32 flags;		/* IT_REC_F_LOST */
	char stop_reason[32];
};

/* it_rec_point.flags */
enum {
	IT_REC_PT_REQUIRED = 1u << 0,
	IT_REC_PT_PRESENT = 1u << 1,	/* found in kallsyms */
	IT_REC_PT_SKIPPED = 1u << 2,	/* hist: not needed, not attached */
};

#define IT_REC_POINT_LEN	40
#define IT_REC_MAX_COUNTERS	64

/* One attach point of the recorded run. */
struct it_rec_point {
	char func[IT_REC_POINT_LEN];	/* kernel function */
	__u8 kind;		/* IT_K_* of its records */
	__u8 mode;		/* enum it_mode: 0 = not attached */
	__u8 flags;		/* IT_REC_PT_* */
	__u8 _pad[5];
};

struct it_rec_sym {
	__u64 addr;
	char name[IT_REC_SYM_LEN];
	char mod[IT_REC_MOD_LEN];	/* "" for vmlinux */
};

/* Decoded event -> raw record (the inverse of it_decode for every field an
 * event carries; meta events keep their lost count in ptr). */
void it_record_encode(const struct it_event *e, struct it_record *r);

/* ---- writer --------------------------------------------------------- */

/*
 * A consumer that writes every event it sees to path.  The file is created
 * here, so a bad path fails before anything is attached (why gets one line).
 * end() returns fail_rc if writing failed, else 0.  Free it through the
 * pipeline (destroy) or it_record_writer_free() if it was never added.
 */
struct it_consumer *it_record_writer_new(const char *path, int fail_rc, char *why, size_t n);
void it_record_writer_free(struct it_consumer *c);
/* zlib level (default 1: fastest; the writer must keep up with the tracer). */
void it_record_writer_level(struct it_consumer *c, int level);

/* ---- reader --------------------------------------------------------- */

struct it_recfile;

/*
 * Read and validate a whole file (header, every block's CRC, the trailer
 * and symbol table).  NULL with one line in why (no trailing newline) for a
 * missing, foreign, newer, truncated or corrupt file.
 *
 * IT_RECFILE_SALVAGE: a file that stops short (its writer was killed: no
 * trailer, or a block cut off) is read up to its last complete block
 * instead of refused; it_recfile_cut() then says where it stops, and the
 * trailer holds no counts, losses or symbols (child_status -1, stop reason
 * "did not finish").  A corrupt block is refused all the same.
 */
#define IT_RECFILE_SALVAGE	1u
struct it_recfile *it_recfile_open(const char *path, unsigned flags, char *why, size_t n);
/* The same from a file image in memory (copied). */
struct it_recfile *it_recfile_from_buffer(const void *data, size_t len, unsigned flags,
					  char *why, size_t n);
void it_recfile_free(struct it_recfile *f);
/* NULL for a complete file; for a salvaged one, why it stops where it does. */
const char *it_recfile_cut(const struct it_recfile *f);
/* Record blocks read, and (records) the records in them. */
uint64_t it_recfile_blocks(const struct it_recfile *f, uint64_t *records);

const struct it_rec_header *it_recfile_header(const struct it_recfile *f);
const struct it_rec_trailer *it_recfile_trailer(const struct it_recfile *f);
/* The file's symbol table as a ksyms table (caller owns it), for the decoder. */
struct it_ksyms *it_recfile_ksyms(const struct it_recfile *f);
/*
 * The recorded BPF counters: n of enum it_stat into out (zeroed first),
 * from the counters block, else the trailer's first IT_REC_BPF_STATS.
 * Returns how many the file holds.
 */
size_t it_recfile_counters(const struct it_recfile *f, uint64_t *out, size_t n);
/* The attach list (NULL for a file before format 4). */
const struct it_attach_report *it_recfile_attach(const struct it_recfile *f);
/*
 * What a live run would have put in pipe->info (kernel, clocks, cpus, the
 * attach list when the file has one).
 */
void it_recfile_session_info(const struct it_recfile *f, struct it_session_info *info);

/*
 * A source replaying f's records into p (f must outlive it).  filter, if
 * not NULL, is applied to raw records with it_record_matches(), as BPF does
 * live; meta events always pass.  poll() delivers one block per call and
 * returns -ENODATA at the end; a block that fails to inflate gives -EBADMSG
 * (why: it_source_file_error()).
 */
struct it_source *it_source_file(struct it_recfile *f, struct it_pipeline *p,
				 const struct it_config *filter);
const char *it_source_file_error(struct it_source *s);
/* The latest record time replayed so far (a salvaged file's duration). */
uint64_t it_source_file_last_ts(struct it_source *s);

/*
 * Parse a whole file image from memory and replay every record through a
 * scratch decoder (no consumers): the entry point for fuzzing the reader
 * (flags: IT_RECFILE_*).
 * Returns 0, or a negative errno (-EBADMSG corrupt, -EPROTO foreign or
 * newer, -ENODATA truncated, -ENOMEM) with the reason in why (may be NULL).
 * Never reads outside [data, data + len).
 */
int it_record_read_buffer(const void *data, size_t len, unsigned flags, char *why, size_t n);


#endif
