// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_allocator: a custom IOASID allocator module for the test bed, in
 * the role of the VT-d virtual-command allocator a guest registers when
 * its vIOMMU hands out PASIDs (QEMU exposes none).  At load it registers
 * custom_alloc()/custom_free() with ioasid_register_allocator(), at unload
 * it unregisters them; the core then switches back to its default
 * allocator.  The core refuses the switch (-EAGAIN, and so does insmod)
 * while the default allocator still holds IDs.
 *
 * It exists so the tests can change the active allocator while
 * ioasid-trace runs (tests/vm/allocator.sh).  The IDs it handed out and
 * took back are in /sys/module/ioasid_allocator/parameters/{allocs,frees}.
 * With blind=1 its free is custom_free_blind(), which no kprobe can see:
 * a free the tracer cannot attach to, as on a kernel that refuses it.
 *
 *   ko=$(scripts/harness-build.sh KDIR kernel/harness/allocator)
 */
#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/ioasid.h>
#include <linux/kprobes.h>
#include <linux/module.h>

static bool blind;
module_param(blind, bool, 0444);
MODULE_PARM_DESC(blind, "Free through custom_free_blind(), hidden from kprobes");

static DEFINE_IDA(custom_ida);
static atomic_t custom_allocs = ATOMIC_INIT(0);
static atomic_t custom_frees = ATOMIC_INIT(0);
/* its own counter, so the compiler cannot fold the two frees into one */
static atomic_t blind_frees = ATOMIC_INIT(0);

static int allocs_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&custom_allocs));
}

static int frees_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&custom_frees) + atomic_read(&blind_frees));
}

static const struct kernel_param_ops allocs_ops = { .get = allocs_get };
static const struct kernel_param_ops frees_ops = { .get = frees_get };
module_param_cb(allocs, &allocs_ops, NULL, 0444);
MODULE_PARM_DESC(allocs, "IDs handed out by custom_alloc()");
module_param_cb(frees, &frees_ops, NULL, 0444);
MODULE_PARM_DESC(frees, "IDs taken back by custom_free()");

/* Called by the core under ioasid_allocator_lock (a mutex since patch 07). */
static ioasid_t custom_alloc(ioasid_t min, ioasid_t max, void *data)
{
	int id = ida_alloc_range(&custom_ida, min, max, GFP_KERNEL);

	if (id < 0)
		return INVALID_IOASID;
	atomic_inc(&custom_allocs);
	return id;
}

static void custom_free(ioasid_t id, void *data)
{
	ida_free(&custom_ida, id);
	atomic_inc(&custom_frees);
}

static void custom_free_blind(ioasid_t id, void *data)
{
	ida_free(&custom_ida, id);
	atomic_inc(&blind_frees);
}
NOKPROBE_SYMBOL(custom_free_blind);

static struct ioasid_allocator_ops custom_ops = {
	.alloc = custom_alloc,
	.free = custom_free,
};

static int __init custom_init(void)
{
	if (blind)
		custom_ops.free = custom_free_blind;
	return ioasid_register_allocator(&custom_ops);
}

static void __exit custom_exit(void)
{
	ioasid_unregister_allocator(&custom_ops);
	ida_destroy(&custom_ida);
}

module_init(custom_init);
module_exit(custom_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ioasid-trace test bed: a custom IOASID allocator");
