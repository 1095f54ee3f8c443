// SPDX-License-Identifier: GPL-2.0
/*
 * A custom allocator's free (active_allocator->ops->free), whose name is
 * only known at run time: the start-up walk finds the one active then, and
 * an ioasid_free_locked() ENTER record names the one it is about to call,
 * so one registered while tracing is found at its first free
 * (src/allocators.c).  Like callbacks.bpf.c, user space opens and loads
 * this object once per function, the fentry target set before load, the
 * events object's maps reused; a module's free gets the kprobe pair (an
 * fentry trampoline would pin the module).  default_free, known by name,
 * is traced from events.bpf.c.  a3 carries the function's address, so
 * records say which free ran.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

IT_ALLOCATOR_FREE_PROGS("fentry", af_fentry, "fexit", af_fexit, af_kprobe, af_kretprobe)
