// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_extra: a second, minimal subscriber module for the robustness
 * test that loads and unloads subscriber modules while ioasid-trace runs
 * (tests/vm/robust-modswap.sh).  At load it registers extra_notify() on the
 * IOASID chain (priority 7), at unload it unregisters it.  The calls it
 * received are in /sys/module/ioasid_extra/parameters/calls.
 *
 *   ko=$(scripts/harness-build.sh KDIR kernel/harness/extra)
 */
#include <linux/atomic.h>
#include <linux/ioasid.h>
#include <linux/module.h>
#include <linux/notifier.h>

static atomic_t extra_calls = ATOMIC_INIT(0);

static int calls_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&extra_calls));
}

static const struct kernel_param_ops calls_ops = { .get = calls_get };
module_param_cb(calls, &calls_ops, NULL, 0444);
MODULE_PARM_DESC(calls, "IOASID notifications received");

static noinline int extra_notify(struct notifier_block *nb, unsigned long cmd, void *data)
{
	atomic_inc(&extra_calls);
	return NOTIFY_OK;
}

static struct notifier_block extra_nb = {
	.notifier_call = extra_notify,
	.priority = 7,
};

static int __init extra_init(void)
{
	return ioasid_add_notifier(&extra_nb);
}

static void __exit extra_exit(void)
{
	ioasid_remove_notifier(&extra_nb);
}

module_init(extra_init);
module_exit(extra_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ioasid-trace test bed: a second subscriber module");
