#!/usr/bin/env bash
# Run one command inside a throw-away QEMU guest and return its exit status.
#
#   scripts/vm-run.sh [--kernel KDIR | --bzimage FILE] [--timeout SECS] [--smp N]
#                     [--mem MB] [--single-thread] [--results DIR]
#                     [--env NAME=VALUE]... [--append 'extra cmdline'] [-v] [-i]
#                     [--dmesg-allow REGEX]
#                     -- COMMAND [ARGS...]
#
# KDIR is a directory printed by scripts/kernel-build.sh FLAVOR (it holds
# bzImage).  The guest has no disk and no initramfs: its root is the host's
# own root shared read-only over 9p (cache=loose: quick, but files the host
# changes during the run may look stale), so host binaries (bash, bpftool,
# bpftrace, our tools) run in the guest at the same absolute paths.
# scripts/guest-init.sh is PID 1; it makes /root (HOME), /tmp, /run,
# /var/tmp, /var/cache and /var/lib writable (tmpfs, with the host's entries
# as of boot bound back read-only) and mounts proc, sysfs, devtmpfs,
# debugfs, tracefs and bpffs.  --append GUEST_INIT_DEBUG=1 traces it.
#
# COMMAND runs with bash in the caller's current directory; each word is
# quoted, so shell syntax needs `bash -c '...'` (builtins such as `exit 3`
# work as they are).  Only variables given with --env are passed in.  Its
# stdout+stderr are printed on our stdout when the guest is done; -v also
# streams the whole serial console to stderr while it runs (its first line
# names the kernel, the accelerator and the results directory).
#
# The results directory (--results; by default a fresh temporary directory,
# removed again when the command exits 0) is shared read-write over 9p and
# mounted at /results in the guest.  After a run it holds:
#   cmd.sh cwd     what the guest ran, and where
#   output.log     the command's stdout+stderr (also on the serial console)
#   dmesg.txt      the guest kernel's log when the command ended: a WARN,
#                  BUG, lockdep, KASAN or atomic-sleep report in it makes
#                  the run fail ("not ok 1 - the guest kernel reported: ..."),
#                  unless it matches --dmesg-allow (a test that expects one)
#   exit-code      the command's exit status (missing if the guest died)
#   timing         guest uptimes (s) at init start, command start and end;
#                  host wall time of the whole run (ms)
#   console.log    the whole serial console, \r\n line ends
#   qemu.log       QEMU's own stderr
#
# Exit status: the command's; 124 if the guest timed out (--timeout, default
# 300 s; QEMU gets TERM, then KILL 5 s later) and 125 if it died (panic,
# oops, QEMU failure, unusable arguments) without an exit code.  In those
# cases one line says why, followed by the console's last 30 lines.
# 128+N when this script is stopped by signal N (QEMU is stopped too).
# Defaults: --smp 2, --mem 1024, TCG with one host thread per vCPU.
#
# -i (--interactive): the serial console is this terminal instead of a file
# (still logged to console.log) and COMMAND gets it as its controlling tty,
# e.g. `vm-run.sh -i --kernel K -- bash -i`.  There is no output.log then.
#
# Environment:
#   VM_RUN_ACCEL=auto|tcg|kvm  auto (default) uses KVM only when
#                              scripts/kvm-probe.sh saw a guest really boot
#                              with it; TCG otherwise.
#   VM_RUN_QEMU=PROGRAM        default qemu-system-x86_64
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

die() { printf 'vm-run: error: %s\n' "$*" >&2; exit 125; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

dmesg_allow='' kernel='' bzimage='' timeout=300 smp=2 mem=1024 single_thread=0 results='' append='' verbose=0 interactive=0
envs=()
# need "$@": the current option takes a value, either glued on as
# "--opt=VALUE" or as the next argument.
need() {
	if [ "$has_val" = 0 ]; then
		[ $# -ge 2 ] || die "$opt needs a value"
		val=$2; shift_by=2
	fi
}
while [ $# -gt 0 ]; do
	opt=$1 val='' has_val=0 shift_by=1
	case "$opt" in
	--*=*) val=${opt#*=}; opt=${opt%%=*}; has_val=1 ;;
	esac
	case "$opt" in
	--kernel) need "$@"; kernel=$val ;;
	--bzimage) need "$@"; bzimage=$val ;;
	--timeout) need "$@"; timeout=$val ;;
	--smp) need "$@"; smp=$val ;;
	--mem) need "$@"; mem=$val ;;
	--results) need "$@"; results=$val ;;
	--append) need "$@"; append=$val ;;
	--env) need "$@"; envs+=("$val") ;;
	--single-thread) single_thread=1 ;;
	--dmesg-allow) need "$@"; dmesg_allow=$val ;;
	-v | --verbose) verbose=1 ;;
	-i | --interactive) interactive=1 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) die "unknown option '$opt' (see --help; the command goes after --)" ;;
	esac
	shift "$shift_by"
done
[ $# -gt 0 ] || die "no command given (usage: vm-run.sh [options] -- COMMAND [ARGS...])"

for n in "$timeout" "$smp" "$mem"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a positive integer"
done
for e in ${envs[@]+"${envs[@]}"}; do
	[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env '$e' is not NAME=VALUE"
done

# --- kernel -----------------------------------------------------------------
if [ -n "$kernel" ] && [ -n "$bzimage" ]; then
	die "give either --kernel or --bzimage, not both"
elif [ -n "$kernel" ]; then
	if [ -f "$kernel" ]; then bzimage=$kernel
	elif [ -d "$kernel" ]; then bzimage=$kernel/bzImage
	else die "--kernel $kernel: no such directory"
	fi
elif [ -z "$bzimage" ]; then
	die "no kernel: pass --kernel DIR (printed by scripts/kernel-build.sh FLAVOR) or --bzimage FILE"
fi
[ -f "$bzimage" ] || die "no bzImage at $bzimage (is the kernel build finished?)"
bzimage=$(readlink -f "$bzimage")

qemu=${VM_RUN_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || die "$qemu not found (apt-get install qemu-system-x86)"

# The guest runs this file from the shared host root, so it must be on the
# root filesystem at a path the guest can see (it is: the checkout).
init=$here/guest-init.sh
[ -x "$init" ] || die "$init is missing or not executable"

# --- accelerator ------------------------------------------------------------
# KVM is used only when a real boot with it worked: on some hosts /dev/kvm
# exists but guests hang in the decompressor (a PVM-only host KVM).
accel=${VM_RUN_ACCEL:-auto}
case "$accel" in
auto)
	if "$here/kvm-probe.sh" -q --bzimage "$bzimage" >/dev/null 2>&1; then accel=kvm; else accel=tcg; fi ;;
tcg | kvm) ;;
*) die "VM_RUN_ACCEL=$accel: expected auto, tcg or kvm" ;;
esac
if [ "$accel" = kvm ]; then
	accel_opt=kvm
elif [ "$single_thread" = 1 ]; then
	# Multi-threaded TCG crashed guests that attach probes while the traced
	# code runs on another vCPU; one host thread for all vCPUs did not.
	accel_opt=tcg,thread=single
else
	accel_opt=tcg
fi

# --- results directory ------------------------------------------------------
auto_results=0
if [ -z "$results" ]; then
	results=$(mktemp -d "${TMPDIR:-/tmp}/vm-run.XXXXXX") || die "cannot create a temporary directory"
	auto_results=1
else
	mkdir -p "$results" || die "cannot create --results $results"
fi
results=$(cd "$results" && pwd -P)
[ -w "$results" ] || die "--results $results is not writable"
# Stale files from an earlier run in the same directory would be misread.
rm -f "$results"/{cmd.sh,cwd,output.log,exit-code,timing,init-error,console.log,qemu.log}

cwd=$(pwd -P)
{
	echo "# written by scripts/vm-run.sh; run by scripts/guest-init.sh in $cwd"
	for e in ${envs[@]+"${envs[@]}"}; do
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	if [ "$interactive" = 1 ]; then
		# A serial line has no window size and the guest knows no TERM.
		printf 'export TERM=%q\n' "${TERM:-vt100}"
		if size=$(stty size 2>/dev/null) && [[ $size =~ ^[1-9][0-9]*\ [1-9][0-9]*$ ]]; then
			printf 'stty rows %d cols %d 2>/dev/null\n' "${size% *}" "${size#* }"
		fi
	fi
	printf '%q ' "$@"
	echo
} >"$results/cmd.sh"
printf '%s\n' "$cwd" >"$results/cwd"

# --- guest command line -----------------------------------------------------
# Root on 9p without an initramfs: for a nodev root filesystem Linux 6.1
# (mount_nodev_root) mounts the root= name minus "/dev/" as the source, so
# root=/dev/root means 9p tag "root".  (The old "/dev/root" tag relied on
# the block-device fallback, which this CONFIG_BLOCK=n kernel lacks.)
# msize: the 6.1 virtio transport caps it at 512000 (125 pages) and warns
# when asked for more.
cmdline="console=ttyS0 panic=-1 oops=panic"
cmdline+=" root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro"
cmdline+=" init=$init intel_iommu=on,sm_on"
[ "$verbose" = 1 ] || cmdline+=" quiet"
# Unknown name=value boot parameters reach init as environment variables.
[ "$interactive" = 0 ] || cmdline+=" VM_RUN_INTERACTIVE=1"
[ -z "$append" ] || cmdline+=" $append"

# QEMU option values separate sub-options with commas; a literal comma is ",,".
qesc() { printf '%s' "${1//,/,,}"; }

# shellcheck disable=SC2054 # commas separate QEMU sub-options, not array elements
qemu_args=(
	-nodefaults -no-user-config -display none -no-reboot
	-machine q35,kernel-irqchip=split,i8042=off,sata=off,smbus=off -accel "$accel_opt"
	# The vIOMMU first: it must exist before the PCI devices it translates.
	-device intel-iommu,intremap=on,x-scalable-mode=on
	-smp "$smp" -m "$mem"
	-kernel "$bzimage" -append "$cmdline"
	-serial chardev:con
	# multidevs=remap: the host root spans several devices; without it
	# inode numbers collide and the guest's own mounts were shadowed.
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=root
	-fsdev "local,id=results,path=$(qesc "$results"),security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=results,mount_tag=results
)

if [ "$interactive" = 1 ]; then
	# signal=off: ^C goes to the guest, not to QEMU.
	qemu_args+=(-chardev "stdio,id=con,signal=off,logfile=$(qesc "$results/console.log")")
else
	qemu_args+=(-chardev "file,id=con,path=$(qesc "$results/console.log")")
fi

# --- run ----------------------------------------------------------------------
: >"$results/console.log"
start_ns=$(date +%s%N)
if [ "$interactive" = 1 ]; then
	# In the foreground and in our process group, or QEMU could not read
	# the terminal (a background job gets SIGTTIN).
	qrc=0
	timeout --foreground --kill-after=5 "$timeout" "$qemu" "${qemu_args[@]}" 2>"$results/qemu.log" || qrc=$?
	printf 'host-wall-ms %s\n' "$((($(date +%s%N) - start_ns) / 1000000))" >>"$results/timing"
	interrupted=''
else
	# In the background, so that a signal to this script can be passed on:
	# timeout(1) moves itself out of our process group, so a terminal's ^C
	# would not reach QEMU otherwise.
	timeout --kill-after=5 "$timeout" "$qemu" "${qemu_args[@]}" </dev/null >/dev/null 2>"$results/qemu.log" &
	qpid=$!
	interrupted=''
	for sig in INT:130 TERM:143 HUP:129; do
		# shellcheck disable=SC2064 # expand $sig now, $qpid is fixed already
		trap "interrupted=${sig#*:}; kill -TERM $qpid 2>/dev/null" "${sig%:*}"
	done
	stream_pid=
	if [ "$verbose" = 1 ]; then
		printf 'vm-run: %s, accel %s, results %s\n' "$bzimage" "$accel_opt" "$results" >&2
		tail -n +1 -s 0.2 -F --pid="$qpid" "$results/console.log" 2>/dev/null | tr -d '\r' >&2 &
		stream_pid=$!
	fi
	qrc=0
	wait "$qpid" || qrc=$?
	# A trapped signal interrupts wait; make sure QEMU is gone before reporting.
	while kill -0 "$qpid" 2>/dev/null; do wait "$qpid" || qrc=$?; done
	trap - INT TERM HUP
	[ -z "$stream_pid" ] || wait "$stream_pid" || true
	printf 'host-wall-ms %s\n' "$((($(date +%s%N) - start_ns) / 1000000))" >>"$results/timing"
fi

if [ -n "$interrupted" ]; then
	echo "vm-run: interrupted; the guest was stopped (console: $results/console.log)" >&2
	exit "$interrupted"
fi

# The command's own output goes to our stdout, as if it had run here
# (interactively it has been on the terminal all along).
[ "$interactive" = 1 ] || [ ! -f "$results/output.log" ] || cat "$results/output.log"

# --- verdict ------------------------------------------------------------------
# A kernel report during the command fails the run, whatever the command
# said: an oops panics (oops=panic), but a WARN, a BUG from a debug check
# or a lockdep/KASAN report would pass unseen.
kernel_reports() {
	[ -f "$results/dmesg.txt" ] || return 0
	grep -E 'WARNING:|BUG:|Oops|KASAN:|UBSAN:|possible recursive locking|circular locking|inconsistent lock state|sleeping function called from invalid context' \
		"$results/dmesg.txt" | { if [ -n "$dmesg_allow" ]; then grep -vE "$dmesg_allow"; else cat; fi; } | head -n 3 ||
		true # grep finds nothing in a clean log: not an error under pipefail
}
reports=$(kernel_reports)
if [ -n "$reports" ]; then
	while IFS= read -r line; do
		echo "not ok 1 - the guest kernel reported: ${line#*] }"
	done <<<"$reports"
	auto_results=0
fi

show_tail() {
	echo "--- last 30 console lines ($results/console.log) ---"
	tr -d '\r' <"$results/console.log" | tail -n 30
	if [ -s "$results/qemu.log" ]; then
		echo "--- qemu stderr ---"
		tail -n 10 "$results/qemu.log"
	fi
}

# 124: timeout's own TERM; 137: it had to follow up with KILL.
timed_out=0
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then timed_out=1; fi

if [ -f "$results/exit-code" ]; then
	code=$(tr -dc '0-9' <"$results/exit-code")
	if [[ $code =~ ^[0-9]+$ ]] && [ "$code" -le 255 ]; then
		[ "$timed_out" = 0 ] ||
			echo "vm-run: warning: guest wrote exit code $code but did not power off within ${timeout}s" >&2
		[ "$auto_results" = 0 ] || [ "$code" != 0 ] || rm -rf "$results"
		[ -z "$reports" ] || [ "$code" != 0 ] || code=1
		exit "$code"
	fi
	echo "vm-run: guest wrote a malformed exit code: $(head -c 80 "$results/exit-code")" >&2
	show_tail >&2
	exit 125
fi

if [ "$timed_out" = 1 ]; then
	echo "vm-run: guest timed out after ${timeout}s" >&2
	show_tail >&2
	exit 124
fi
if [ -s "$results/init-error" ]; then
	echo "vm-run: guest died without an exit code: $(head -n 1 "$results/init-error")" >&2
elif [ "$qrc" != 0 ]; then
	echo "vm-run: guest died without an exit code (qemu exited with status $qrc)" >&2
else
	echo "vm-run: guest died without an exit code" >&2
fi
show_tail >&2
exit 125
