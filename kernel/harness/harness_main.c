// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_harness: module parameters, init/exit and the debugfs tree.
 *
 *   /sys/kernel/debug/ioasid_harness/
 *     ctl  log  stats  ids  sets
 *     sub/{kvm,iommu,vdcm}/...
 *
 * See README.md next to this file for the formats.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include "harness.h"

static bool autoregister = true;
module_param(autoregister, bool, 0444);
MODULE_PARM_DESC(autoregister,
		 "Register the kvm and iommu subscribers at load (default 1)");

bool harness_quiet_log;
module_param_named(quiet_log, harness_quiet_log, bool, 0644);
MODULE_PARM_DESC(quiet_log,
		 "Do not log publisher operations and callbacks (default 0)");

bool harness_log_load;
module_param_named(log_load, harness_log_load, bool, 0644);
MODULE_PARM_DESC(log_load,
		 "Log every operation and callback of load runs too (default 0)");

static unsigned int log_lines = 16384;
module_param(log_lines, uint, 0444);
MODULE_PARM_DESC(log_lines, "Capacity of the global log (default 16384)");

static unsigned int event_lines = 4096;
module_param(event_lines, uint, 0444);
MODULE_PARM_DESC(event_lines,
		 "Capacity of each subscriber's events ring (default 4096)");

unsigned int harness_id_min = 1;
module_param_named(id_min, harness_id_min, uint, 0644);
MODULE_PARM_DESC(id_min, "Lowest ID the harness asks for (default 1)");

/* PCIe PASIDs are 20 bits wide. */
unsigned int harness_id_max = 0xfffff;
module_param_named(id_max, harness_id_max, uint, 0644);
MODULE_PARM_DESC(id_max, "Highest ID the harness asks for (default 0xfffff)");

unsigned int harness_default_quota = 1024;
module_param_named(default_quota, harness_default_quota, uint, 0644);
MODULE_PARM_DESC(default_quota,
		 "Quota of the set a load run creates when there is none (default 1024)");

static unsigned int capacity;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity,
		 "If not 0, call ioasid_install_capacity() with it at load (default 0)");

static struct dentry *harness_root;

/* Ring sizes are bounded so that a snapshot at open stays a few MB. */
#define HARNESS_RING_MAX	SZ_1M

static int __init harness_init(void)
{
	int ret;

	if (!log_lines || log_lines > HARNESS_RING_MAX ||
	    !event_lines || event_lines > HARNESS_RING_MAX)
		return -EINVAL;

	ret = harness_log_init(log_lines);
	if (ret)
		return ret;

	/*
	 * Capacity is installed once, normally by the IOMMU driver; a guest
	 * without a vIOMMU has nobody to do it.
	 */
	if (capacity)
		ioasid_install_capacity(capacity);

	harness_root = debugfs_create_dir(HARNESS_NAME, NULL);
	debugfs_create_file("ctl", 0600, harness_root, NULL,
			    &harness_ctl_fops);
	debugfs_create_file("log", 0400, harness_root, NULL,
			    &harness_log_fops);
	debugfs_create_file("stats", 0400, harness_root, NULL,
			    &harness_stats_fops);
	debugfs_create_file("ids", 0400, harness_root, NULL,
			    &harness_ids_fops);
	debugfs_create_file("sets", 0400, harness_root, NULL,
			    &harness_sets_fops);

	ret = harness_subs_init(harness_root, event_lines, autoregister);
	if (ret) {
		debugfs_remove_recursive(harness_root);
		harness_log_exit();
		return ret;
	}
	pr_info("loaded (autoregister=%d)\n", autoregister);
	return 0;
}

static void __exit harness_exit(void)
{
	/* Waits for file operations in flight; none can start afterwards. */
	debugfs_remove_recursive(harness_root);
	harness_window_off();
	/* No callback runs once this returns, so freeing IDs is silent. */
	harness_subs_exit();
	harness_pub_exit();
	harness_log_exit();
	pr_info("unloaded\n");
}

module_init(harness_init);
module_exit(harness_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ioasid-trace");
MODULE_DESCRIPTION("Publisher/subscriber test harness for the IOASID notifier API");
