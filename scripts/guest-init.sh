#!/bin/bash
# PID 1 of a scripts/vm-run.sh guest.  Not for use on a host: it refuses to
# run unless it is PID 1.
#
# The kernel mounted the host's root read-only over 9p and runs this file
# from it.  We build a writable root instead:
#   1. a tmpfs becomes the new root; every top-level directory of the host
#      root is bind-mounted into it (read-only, like the share), symlinks
#      such as /bin -> usr/bin are copied, top-level plain files are skipped
#      (/.dockerenv would make tools think they run in a container);
#   2. /root, /tmp, /var/tmp, /var/cache and /var/lib become tmpfs with the
#      host's entries bound back read-only, so HOME and scratch space are
#      writable while paths like ~/.cache/ioasid-trace still resolve
#      (entries the host creates after boot are not seen);
#   3. pivot_root into it, then mount sysfs, devpts, debugfs, tracefs, bpffs
#      and the read-write "results" 9p share on /results (which needs the
#      writable root: the host has no /results to mount on).
# Then it runs /results/cmd.sh with bash in the directory named by
# /results/cwd, tees the output to /results/output.log, writes the status
# to /results/exit-code and powers off.
#
# No `set -e`: PID 1 exiting panics the kernel, and a failed mount should be
# reported and survived, not end the run.  -u still catches typos (the smoke
# test would notice the panic).
set -uo pipefail
shopt -s nullglob dotglob

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
umask 022

say() { printf 'guest-init: %s\n' "$*"; }
# --append GUEST_INIT_DEBUG=1 (the kernel hands unknown name=value boot
# parameters to init as environment) prints when each stage starts.
stage() {
	[ -n "${GUEST_INIT_DEBUG:-}" ] || return 0
	local up
	read -r up _ </proc/uptime 2>/dev/null
	say "[$up] $*"
}
warn() { printf 'guest-init: warning: %s\n' "$*"; }

if [ "$$" != 1 ]; then
	say "error: this is the init of a vm-run.sh guest; it must run as PID 1" >&2
	exit 1
fi

# The root takes some 70 mounts.  Under TCG each exec of a mount program
# cost about 27 ms, each applet forked by one busybox shell about 8 ms, so
# the commands are queued and run by one busybox shell (it forks applets
# without exec).  Without busybox, bash runs the same lines with util-linux
# and coreutils (slower, same result).
BB=
for b in /usr/bin/busybox /bin/busybox; do
	if [ -x "$b" ]; then BB=$b; break; fi
done
bb() { if [ -n "$BB" ]; then "$BB" "$@"; else "$@"; fi; }

plan=()
# q CMD [ARGS...]: queue a command; if it fails, the batch says so and goes on.
q() {
	local c
	printf -v c '%q ' "$@"
	plan+=("$c|| w $c")
}
run_plan() {
	[ ${#plan[@]} -gt 0 ] || return 0
	{
		echo 'w() { echo "guest-init: warning: failed: $*"; }'
		printf '%s\n' "${plan[@]}"
	} | if [ -n "$BB" ]; then "$BB" sh ${GUEST_INIT_DEBUG:+-x} -s; else bash ${GUEST_INIT_DEBUG:+-x} -s; fi
	plan=()
}

# mnt TYPE SOURCE DIR [OPTIONS]: mount right now, or say why not.
mnt() {
	bb mount -t "$1" ${4:+-o "$4"} "$2" "$3" && return 0
	warn "could not mount $1 on $3"
	return 1
}

# fs_supported TYPE: whether the kernel knows the filesystem, so optional
# mounts are skipped quietly on kernels built without them.
fs_supported() {
	local line
	while read -r line; do
		[ "${line##*[[:space:]]}" = "$1" ] && return 0
	done </proc/filesystems
	return 1
}

mounted() {
	local dir
	while read -r _ dir _; do
		[ "$dir" = "$1" ] && return 0
	done </proc/self/mounts
	return 1
}

# The way out of every path: leave the reason for the host and stop.
power_off() {
	bb sync
	# busybox poweroff -f calls reboot(2) directly: there is no init daemon
	# to ask, and the kernel has no magic SysRq.
	if [ -n "$BB" ]; then "$BB" poweroff -f; fi
	if [ -w /proc/sysrq-trigger ]; then echo o >/proc/sysrq-trigger; fi
	# Still here: PID 1 exiting panics the kernel; panic=-1 reboots it and
	# QEMU's -no-reboot turns that into an exit.
	exit 0
}
fail() {
	say "error: $*"
	if mounted /results; then printf '%s\n' "$*" >/results/init-error; fi
	power_off
}

# --- stage 1: assemble a writable root on a tmpfs --------------------------
# Until proc is mounted, /proc is the host's, seen through the 9p share.
mnt proc proc /proc
read -r t_init _ </proc/uptime
stage "assembling the root"

# /run is only the mount point of the new root; the host's /run disappears
# with the rest of the old root after pivot_root.
new=/run
mnt tmpfs newroot "$new" mode=755 || fail "cannot mount a tmpfs for the new root"

# Directories the guest gets fresh (virtual filesystems, scratch space).
fresh=" proc sys dev run tmp root results .oldroot "
# Gathered first, so that one mkdir, one touch and one cp do all of them.
mkdirs=() touches=() binds=() links=()
for p in /*; do
	name=${p#/}
	if [[ $fresh == *" $name "* ]]; then
		continue
	elif [ -L "$p" ]; then
		links+=("$p")
	elif [ -d "$p" ]; then
		mkdirs+=("$new/$name")
		binds+=("$p")
	fi
done
for d in $fresh; do mkdirs+=("$new/$d"); done
q mkdir "${mkdirs[@]}"
for p in "${binds[@]}"; do q mount -o bind "$p" "$new$p"; done
# cp -a copies symlinks as symlinks (bash cannot read a link's target).
[ ${#links[@]} -eq 0 ] || q cp -a "${links[@]}" "$new/"
q chmod 1777 "$new/tmp"
q chmod 700 "$new/root"

# writable DIR MODE: DIR becomes a tmpfs holding the host's entries of DIR,
# bound back read-only (symlinks copied), so old paths resolve and new
# files can be created.  Capped: a huge host /tmp is not worth the boot time.
mkdirs=() binds=()
writable() {
	local dir=$1 target=$new$1 mode=$2 e n=0 links=()
	[ -d "$dir" ] || return 0
	# /root and /tmp are plain directories on the new root's tmpfs already;
	# the others sit inside a read-only bind (/var) and need their own tmpfs.
	case "$dir" in
	/root | /tmp) ;;
	*) q mount -t tmpfs -o "mode=$mode" tmpfs "$target" ;;
	esac
	for e in "$dir"/*; do
		if ((++n > 200)); then
			warn "$dir has over 200 entries; the rest are not visible in the guest"
			break
		fi
		if [ -L "$e" ]; then
			links+=("$e")
		elif [ -d "$e" ]; then
			mkdirs+=("$new$e")
			binds+=("$e")
		elif [ -f "$e" ]; then
			touches+=("$new$e")
			binds+=("$e")
		fi
	done
	[ ${#links[@]} -eq 0 ] || q cp -a "${links[@]}" "$target/"
}
writable /root 700
writable /tmp 1777
writable /var/tmp 1777
writable /var/cache 755
writable /var/lib 755
[ ${#mkdirs[@]} -eq 0 ] || q mkdir "${mkdirs[@]}"
[ ${#touches[@]} -eq 0 ] || q touch "${touches[@]}"
for p in "${binds[@]}"; do q mount -o bind "$p" "$new$p"; done

stage "running ${#plan[@]} commands"
run_plan
stage "pivot_root"

cd "$new" || fail "cannot enter the new root"
# pivot_root moves the root and cwd of every process, this shell included,
# so no chroot is needed afterwards.
bb pivot_root . .oldroot || fail "pivot_root failed; cannot build a writable root"
cd / || true
# proc and devtmpfs are mounted afresh rather than moved: the kernel's
# devtmpfs mount on the 9p /dev could not be moved (EINVAL).  Lazy unmount:
# this script is still open on the old root.
q mount -t proc proc /proc
q mount -t devtmpfs devtmpfs /dev
q umount -l /.oldroot
q rmdir /.oldroot
run_plan

# --- stage 2: the usual mounts on the new root -----------------------------
stage "mounting sysfs etc."
q mount -t sysfs sysfs /sys
q mkdir -p /dev/pts /dev/shm
fs_supported devpts && q mount -t devpts -o mode=620,ptmxmode=666 devpts /dev/pts
q mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# devtmpfs has no /dev/fd; bash process substitution and many scripts use it.
for l in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
	[ -e "/dev/${l%%:*}" ] || q ln -s "${l#*:}" "/dev/${l%%:*}"
done
run_plan # sysfs must be there before its mount points are
fs_supported debugfs && q mount -t debugfs debugfs /sys/kernel/debug
fs_supported tracefs && q mount -t tracefs tracefs /sys/kernel/tracing
fs_supported bpf && q mount -t bpf -o mode=700 bpf /sys/fs/bpf
if fs_supported cgroup2 && [ -d /sys/fs/cgroup ]; then q mount -t cgroup2 cgroup2 /sys/fs/cgroup; fi
run_plan

mnt 9p results /results trans=virtio,version=9p2000.L,msize=512000 ||
	fail "cannot mount the results share (is -fsdev ...,mount_tag=results there?)"

echo ioasid-trace-vm >/proc/sys/kernel/hostname 2>/dev/null || warn "could not set the hostname"
# Older libbpf/bpftrace still size BPF maps against RLIMIT_MEMLOCK.
ulimit -l unlimited 2>/dev/null || true

# --- the command --------------------------------------------------------------
[ -f /results/cmd.sh ] || fail "no /results/cmd.sh: nothing to run"
cwd=/
[ ! -f /results/cwd ] || cwd=$(</results/cwd)
cd "$cwd" 2>/dev/null || fail "cannot cd to $cwd in the guest (hidden by a tmpfs, or created on the host after boot?)"

stage "running the command"
read -r t_cmd _ </proc/uptime
printf 'init %s\ncmd-start %s\n' "$t_init" "$t_cmd" >>/results/timing

# A clean environment: the kernel passes stray boot parameters to init as
# variables; --env values are exported by cmd.sh itself.
clean_env=(env -i PATH="$PATH" HOME=/root USER=root LOGNAME=root SHELL=/bin/bash
	TERM=dumb LANG=C.UTF-8 HOSTNAME=ioasid-trace-vm)

if [ -n "${VM_RUN_INTERACTIVE:-}" ]; then
	# vm-run.sh -i: the serial line is a terminal.  A session of its own with
	# ttyS0 as controlling tty gives job control and ^C (/dev/console cannot
	# be a controlling tty); util-linux setsid -w waits and passes the status.
	"${clean_env[@]}" setsid -w -c /bin/bash /results/cmd.sh </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
	read -r t_end _ </proc/uptime
	printf 'cmd-end %s\n' "$t_end" >>/results/timing
	echo "$rc" >/results/exit-code || say "error: could not write /results/exit-code"
	power_off
fi

# tee reads a fifo rather than a process substitution so its pid is known.
fifo=/run/vm-run-output
bb mkfifo "$fifo" || fail "cannot create $fifo"
bb tee /results/output.log <"$fifo" &
tee_pid=$!
"${clean_env[@]}" /bin/bash /results/cmd.sh </dev/null >"$fifo" 2>&1
rc=$?
read -r t_end _ </proc/uptime
printf 'cmd-end %s\n' "$t_end" >>/results/timing
# The kernel's log, for vm-run.sh to look for reports (WARN, BUG, lockdep).
dmesg >/results/dmesg.txt 2>/dev/null || bb dmesg >/results/dmesg.txt 2>/dev/null

# tee ends when every writer of the fifo is gone; a daemon the command left
# behind may hold it open, so wait for tee a bounded while only.
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	kill -0 "$tee_pid" 2>/dev/null || break
	bb sleep 0.1
done

echo "$rc" >/results/exit-code || say "error: could not write /results/exit-code"
power_off
