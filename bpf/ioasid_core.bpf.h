/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local CO-RE views of the IOASID series' structures.
 *
 * The build uses vmlinux/vmlinux.h, but the BPF objects must also load on
 * kernels whose series version differs (v1 seed: sid/set_token; v2+:
 * spid/set) and fail gracefully on kernels without it.  So the programs
 * never use the series' types from vmlinux.h directly: they use these
 * "___flavor" structs, which libbpf matches by the name before "___" and
 * relocates field by field against the running kernel's BTF.  A field that
 * does not exist there is tested with bpf_core_field_exists() first.
 */
#ifndef IOASID_CORE_BPF_H
#define IOASID_CORE_BPF_H

/* v1 (the seed, patch 08/10): { id, sid, set_token, pdata } */
struct ioasid_nb_args___v1 {
	unsigned int id;
	int sid;
	void *set_token;
	void *pdata;
} __attribute__((preserve_access_index));

/* v2+ (Aug 2020 onward): { id, spid, set, pdata } */
struct ioasid_nb_args___v2 {
	unsigned int id;
	unsigned int spid;
	void *set;
	void *pdata;
} __attribute__((preserve_access_index));

struct ioasid_allocator_ops___it {
	void *alloc;
	void *free;
	void *pdata;
} __attribute__((preserve_access_index));

/* drivers/iommu/ioasid.c private; only ops is read */
struct ioasid_allocator_data___it {
	struct ioasid_allocator_ops___it *ops;
} __attribute__((preserve_access_index));

#endif
