// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_harness: the control file.
 *
 * One plain-text command per write(); the result is one line, "ok ..." or
 * "err <errno> <reason>" (errno positive).  A write that parses as a command
 * always succeeds, even when the command fails, so that shell sequences like
 * `echo bind 5 > ctl && cat ctl` reach the explanation.
 *
 * Reading returns the result of the last command written through the same
 * open file if there is one, else of the last command written by anyone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "harness.h"

#define HARNESS_CMD_MAX		256
/* "alloc SID 1024" lists 1024 IDs of up to 10 digits. */
#define HARNESS_ALLOC_MAX	1024
#define HARNESS_RESULT_MAX	(HARNESS_ALLOC_MAX * 11 + 128)

struct harness_result {
	size_t len;
	char buf[HARNESS_RESULT_MAX];
};

static struct harness_result harness_last;
/* Guards harness_last and every open file's own result pointer. */
static DEFINE_MUTEX(harness_result_lock);

static __printf(2, 3)
void harness_res_add(struct harness_result *r, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	r->len += vscnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt,
			     args);
	va_end(args);
}

static __printf(3, 4)
void harness_res_err(struct harness_result *r, int err, const char *fmt, ...)
{
	va_list args;

	r->len = scnprintf(r->buf, sizeof(r->buf), "err %d ", abs(err));
	va_start(args, fmt);
	r->len += vscnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt,
			     args);
	va_end(args);
}

static int harness_parse_cmd(const char *s, int *cmd)
{
	if (!strcasecmp(s, "ALLOC"))
		*cmd = IOASID_ALLOC;
	else if (!strcasecmp(s, "FREE"))
		*cmd = IOASID_FREE;
	else if (!strcasecmp(s, "BIND"))
		*cmd = IOASID_BIND;
	else if (!strcasecmp(s, "UNBIND"))
		*cmd = IOASID_UNBIND;
	else
		return kstrtoint(s, 0, cmd);
	return 0;
}

static void harness_cmd_set_alloc(int argc, char **argv,
				  struct harness_result *r)
{
	unsigned int quota;
	u64 token;
	int ret, sid;

	if (argc != 2 || kstrtouint(argv[1], 0, &quota)) {
		harness_res_err(r, EINVAL, "usage: set_alloc QUOTA");
		return;
	}
	ret = harness_pub_set_alloc(quota, &sid, &token);
	if (ret)
		harness_res_err(r, ret, "ioasid_alloc_set returned %d", ret);
	else
		harness_res_add(r, "ok sid=%d token=0x%llx", sid, token);
}

static void harness_cmd_alloc(int argc, char **argv, struct harness_result *r)
{
	struct harness_result *ids;
	unsigned int n = 1, i;
	ioasid_t id;
	int ret = 0, sid;

	if (argc < 2 || argc > 3 || kstrtoint(argv[1], 0, &sid) ||
	    (argc == 3 && kstrtouint(argv[2], 0, &n)) || !n ||
	    n > HARNESS_ALLOC_MAX) {
		harness_res_err(r, EINVAL, "usage: alloc SID [N<=%d]",
				HARNESS_ALLOC_MAX);
		return;
	}
	/* The ID list is built aside, then prefixed with "ok" or the error. */
	ids = kvzalloc(sizeof(*ids), GFP_KERNEL);
	for (i = 0; ids && i < n; i++) {
		ret = harness_pub_alloc(sid, 0, &id, NULL);
		if (ret)
			break;
		harness_res_add(ids, "%s%u", i ? "," : "", id);
	}
	if (!ids)
		harness_res_err(r, ENOMEM, "cannot allocate the result");
	else if (!ret)
		harness_res_add(r, "ok ids=%s", ids->buf);
	else
		harness_res_err(r, ret,
				"ioasid_alloc failed after %u of %u ids=%s", i,
				n, ids->buf);
	kvfree(ids);
}

static void harness_cmd_attach(int argc, char **argv, struct harness_result *r)
{
	unsigned int flags = 0;
	bool called;
	ioasid_t id;
	u64 pdata;
	int ret;

	if (argc < 2 || argc > 3 || kstrtouint(argv[1], 0, &id) ||
	    (argc == 3 && strcmp(argv[2], "force"))) {
		harness_res_err(r, EINVAL, "usage: attach ID [force]");
		return;
	}
	if (argc == 3)
		flags |= HPUB_FORCE;
	ret = harness_pub_attach(id, flags, &pdata, &called);
	if (!ret)
		harness_res_add(r, "ok pdata=0x%llx", pdata);
	else if (!called)
		harness_res_err(r, ret,
				"id %u is not a harness id (attach ID force calls anyway)",
				id);
	else
		harness_res_err(r, ret, "ioasid_attach_data returned %d", ret);
}

static void harness_cmd_notify(int argc, char **argv, struct harness_result *r,
			       enum harness_op op)
{
	ioasid_t id;
	int cmd;

	if (op == HOP_NOTIFY) {
		if (argc != 3 || kstrtouint(argv[1], 0, &id) ||
		    harness_parse_cmd(argv[2], &cmd)) {
			harness_res_err(r, EINVAL, "usage: notify ID CMD");
			return;
		}
	} else {
		if (argc != 2 || kstrtouint(argv[1], 0, &id)) {
			harness_res_err(r, EINVAL, "usage: %s ID", argv[0]);
			return;
		}
		cmd = op == HOP_BIND ? IOASID_BIND : IOASID_UNBIND;
	}
	/* The raw value, NOTIFY_* or -errno alike: that is what is tested. */
	harness_res_add(r, "ok ret=%d", harness_pub_notify(id, op, cmd));
}

static void harness_cmd_free(int argc, char **argv, struct harness_result *r)
{
	ioasid_t id;

	if (argc != 2 || kstrtouint(argv[1], 0, &id)) {
		harness_res_err(r, EINVAL, "usage: free ID");
		return;
	}
	harness_res_add(r, "ok owned=%d", harness_pub_free(id, 0));
}

static void harness_cmd_free_set(int argc, char **argv,
				 struct harness_result *r)
{
	bool destroy = false;
	unsigned int nr;
	int sid, owned;

	if (argc < 2 || argc > 3 || kstrtoint(argv[1], 0, &sid) ||
	    (argc == 3 && strcmp(argv[2], "destroy") &&
	     kstrtobool(argv[2], &destroy))) {
		harness_res_err(r, EINVAL, "usage: free_set SID [destroy]");
		return;
	}
	if (argc == 3 && !strcmp(argv[2], "destroy"))
		destroy = true;
	owned = harness_pub_set_free(sid, destroy, &nr);
	harness_res_add(r, "ok owned=%d ids=%u", owned, nr);
}

static void harness_cmd_load(int argc, char **argv, struct harness_result *r)
{
	struct harness_load_result res = { };
	unsigned int threads;
	int ret, sid = -1;
	u64 cycles;

	if (argc < 3 || argc > 4 || kstrtouint(argv[1], 0, &threads) ||
	    kstrtou64(argv[2], 0, &cycles) ||
	    (argc == 4 && kstrtoint(argv[3], 0, &sid))) {
		harness_res_err(r, EINVAL, "usage: load THREADS CYCLES [SID]");
		return;
	}
	ret = harness_load_run(threads, cycles, sid, &res);
	if (ret && !res.ns) {
		harness_res_err(r, ret, "load did not run");
		return;
	}
	if (ret) {
		harness_res_err(r, ret,
				"load stopped early cycles=%llu ns=%llu errors=%llu",
				res.cycles, res.ns, res.errors);
		return;
	}
	harness_res_add(r, "ok cycles=%llu ns=%llu cycles_per_sec=%llu errors=%llu",
			res.cycles, res.ns, harness_load_rate(&res), res.errors);
	harness_res_add(r, " threads=%u sid=%d", threads, res.sid);
}

static void harness_cmd_reset(int argc, char **argv, struct harness_result *r)
{
	if (argc != 1) {
		harness_res_err(r, EINVAL, "usage: reset");
		return;
	}
	/* Not under a running load: wait for it. */
	if (mutex_lock_killable(&harness_load_mutex)) {
		harness_res_err(r, EINTR, "interrupted");
		return;
	}
	harness_pub_reset();
	/* Now that the FREE events of the reset have been seen, forget all. */
	harness_subs_reset();
	harness_ring_clear(&harness_log);
	harness_seq_reset();
	mutex_unlock(&harness_load_mutex);
	harness_res_add(r, "ok");
}

static void harness_cmd_window(int argc, char **argv, struct harness_result *r)
{
	unsigned int cpu, ms, opened;
	bool armed, busy;
	int ret;

	if (argc == 4 && !strcmp(argv[1], "free_read") &&
	    !kstrtouint(argv[2], 0, &cpu) && !kstrtouint(argv[3], 0, &ms)) {
		ret = harness_window_arm(cpu, ms);
		if (ret == -EOPNOTSUPP)
			harness_res_err(r, -ret, "a preemptible kernel is needed");
		else if (ret)
			harness_res_err(r, ret, "window not armed");
		else
			harness_res_add(r, "ok armed cpu=%u ms=%u", cpu, ms);
	} else if (argc == 2 && !strcmp(argv[1], "off")) {
		harness_window_off();
		harness_res_add(r, "ok off");
	} else if (argc == 2 && !strcmp(argv[1], "stat")) {
		harness_window_stat(&armed, &busy, &opened);
		harness_res_add(r, "ok armed=%d busy=%d opened=%u", armed,
				busy, opened);
	} else {
		harness_res_err(r, EINVAL,
				"usage: window free_read CPU MS | off | stat");
	}
}

static void harness_cmd_sva_alloc(int argc, char **argv,
				  struct harness_result *r)
{
	ioasid_t pasid;
	int ret;

	if (argc != 1) {
		harness_res_err(r, EINVAL, "usage: sva_alloc");
		return;
	}
	ret = harness_sva_alloc(&pasid);
	if (ret)
		harness_res_err(r, ret, "iommu_sva_alloc_pasid returned %d", ret);
	else
		harness_res_add(r, "ok pasid=%u", pasid);
}

static void harness_ctl_exec(char *line, struct harness_result *r)
{
	char **argv;
	int argc;

	argv = argv_split(GFP_KERNEL, line, &argc);
	if (!argv) {
		harness_res_err(r, ENOMEM, "out of memory");
		return;
	}
	if (!argc)
		harness_res_err(r, EINVAL, "empty command");
	else if (!strcmp(argv[0], "set_alloc"))
		harness_cmd_set_alloc(argc, argv, r);
	else if (!strcmp(argv[0], "alloc"))
		harness_cmd_alloc(argc, argv, r);
	else if (!strcmp(argv[0], "attach"))
		harness_cmd_attach(argc, argv, r);
	else if (!strcmp(argv[0], "bind"))
		harness_cmd_notify(argc, argv, r, HOP_BIND);
	else if (!strcmp(argv[0], "unbind"))
		harness_cmd_notify(argc, argv, r, HOP_UNBIND);
	else if (!strcmp(argv[0], "notify"))
		harness_cmd_notify(argc, argv, r, HOP_NOTIFY);
	else if (!strcmp(argv[0], "free"))
		harness_cmd_free(argc, argv, r);
	else if (!strcmp(argv[0], "free_set"))
		harness_cmd_free_set(argc, argv, r);
	else if (!strcmp(argv[0], "load"))
		harness_cmd_load(argc, argv, r);
	else if (!strcmp(argv[0], "reset"))
		harness_cmd_reset(argc, argv, r);
	else if (!strcmp(argv[0], "window"))
		harness_cmd_window(argc, argv, r);
	else if (!strcmp(argv[0], "sva_alloc"))
		harness_cmd_sva_alloc(argc, argv, r);
	else
		harness_res_err(r, EINVAL, "unknown command '%s'", argv[0]);
	argv_free(argv);
}

static int harness_ctl_open(struct inode *inode, struct file *file)
{
	/* This file's own result, set by its first write. */
	file->private_data = NULL;
	return 0;
}

static int harness_ctl_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static ssize_t harness_ctl_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct harness_result *r, *old;
	char line[HARNESS_CMD_MAX];

	if (count >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';

	r = kvzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	harness_ctl_exec(line, r);
	harness_res_add(r, "\n");

	mutex_lock(&harness_result_lock);
	old = file->private_data;
	file->private_data = r;
	harness_last.len = r->len;
	memcpy(harness_last.buf, r->buf, r->len);
	mutex_unlock(&harness_result_lock);
	kvfree(old);
	/* A read through this file now starts at the new result. */
	*ppos = 0;
	return count;
}

static ssize_t harness_ctl_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct harness_result *r;
	ssize_t ret;

	mutex_lock(&harness_result_lock);
	r = file->private_data ? file->private_data : &harness_last;
	ret = simple_read_from_buffer(ubuf, count, ppos, r->buf, r->len);
	mutex_unlock(&harness_result_lock);
	return ret;
}

const struct file_operations harness_ctl_fops = {
	.owner = THIS_MODULE,
	.open = harness_ctl_open,
	.release = harness_ctl_release,
	.read = harness_ctl_read,
	.write = harness_ctl_write,
	.llseek = default_llseek,
};
