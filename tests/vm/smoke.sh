#!/usr/bin/env bash
# VM smoke test: does the test bed boot, and does scripts/vm-run.sh keep its
# promises?  Boots the vanilla kernel a few times and prints TAP lines.
#
#   tests/vm/smoke.sh            (SMOKE_KDIR=DIR skips scripts/kernel-build.sh)
#
# Checked from inside the guest: BTF for CO-RE, VT-d in scalable mode (the
# IOASID code depends on it), debugfs/tracefs/bpffs, a working bpftool,
# writable HOME and /tmp, --env and the working directory.  Checked from the
# host: exit status propagation (exit 3 -> 3, with --single-thread), the
# timeout (sleep 100 with --timeout 15 -> 124 within 25 s) and a guest that
# dies (init missing -> 125).  Exits non-zero if anything failed.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
vm_run=$top/scripts/vm-run.sh

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { printf '# %s\n' "$@"; }

# A kernel build takes minutes; kernel-build.sh returns at once when the
# flavor is cached and waits on its lock when a build is under way.
if [ -n "${SMOKE_KDIR:-}" ]; then
	kdir=$SMOKE_KDIR
else
	kdir=$("$top/scripts/kernel-build.sh" vanilla) || {
		echo "not ok 1 - scripts/kernel-build.sh vanilla failed"
		echo "1..1"
		exit 1
	}
fi
if [ -f "$kdir/bzImage" ]; then ok "kernel at $kdir"; else not_ok "no bzImage in $kdir"; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smoke.XXXXXX")
# Logs of a failed run are worth keeping.
trap 'if [ "$failed" = 0 ]; then rm -rf "$tmp"; else echo "# logs kept in $tmp"; fi' EXIT

# --- boot 1: the environment, checked from inside -----------------------------
# Each check prints "CHECK name ok|fail detail"; the host turns them into TAP.
# shellcheck disable=SC2016 # expanded by the guest's bash, not here
guest_checks='
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then echo "CHECK $name ok"; else echo "CHECK $name fail"; fi; }
not() { ! "$@"; }
check btf test -s /sys/kernel/btf/vmlinux
check dmar-enabled grep -q "DMAR: Intel(R) Virtualization Technology for Directed I/O" <(dmesg)
check dmar-sm-requested grep -q "DMAR: Enable scalable mode if hardware supports" <(dmesg)
# The kernel uses scalable mode when sm_on was given and the unit reports
# SMTS (extended capability bit 43); nothing logs it positively, and the
# register dump needs INTEL_IOMMU_DEBUGFS, so: SMTS set and no refusal.
ecap=$(cat /sys/class/iommu/dmar0/intel-iommu/ecap 2>/dev/null)
echo "ecap=${ecap:-none}"
check dmar-smts test $(( 0x${ecap:-0} >> 43 & 1 )) = 1
check dmar-sm-not-refused not grep -qiE "scalable mode (is disallowed|not enabled|disabled)" <(dmesg)
check debugfs grep -q " /sys/kernel/debug debugfs " /proc/mounts
check tracefs grep -q " /sys/kernel/tracing tracefs " /proc/mounts
check bpffs grep -q " /sys/fs/bpf bpf " /proc/mounts
check bpftool bpftool prog list
check home-writable touch "$HOME/.smoke"
check tmp-writable touch /tmp/.smoke
check results-writable touch /results/.smoke
check env test "$SMOKE_TOKEN" = "a b\$c"
check cwd test "$PWD" = "$SMOKE_CWD"
'
rc=0
"$vm_run" --kernel "$kdir" --timeout 120 --results "$tmp/env" \
	--env "SMOKE_TOKEN=a b\$c" --env "SMOKE_CWD=$top" \
	-- bash -c "$guest_checks" >"$tmp/env.out" 2>"$tmp/env.err" || rc=$?
if [ "$rc" = 0 ]; then ok "guest boots and runs a command"; else
	not_ok "guest boots and runs a command (vm-run status $rc)"
	sed 's/^/#   /' "$tmp/env.err"
fi
for name in btf dmar-enabled dmar-sm-requested dmar-smts dmar-sm-not-refused debugfs tracefs bpffs \
	bpftool home-writable tmp-writable results-writable env cwd; do
	case "$(grep -m1 "^CHECK $name " "$tmp/env/output.log" 2>/dev/null | cut -d' ' -f3)" in
	ok) ok "guest: $name" ;;
	fail) not_ok "guest: $name" ;;
	*) not_ok "guest: $name (no result)" ;;
	esac
done
diag "VT-d $(grep -m1 '^ecap=' "$tmp/env/output.log" 2>/dev/null || echo 'ecap: no result')"
if [ -f "$tmp/env/timing" ]; then
	# timing: guest uptimes (s) at init start and command start; host wall ms.
	t_init=$(awk '$1 == "init" { print $2 }' "$tmp/env/timing")
	t_cmd=$(awk '$1 == "cmd-start" { print $2 }' "$tmp/env/timing")
	wall=$(awk '$1 == "host-wall-ms" { printf "%.2f", $2 / 1000 }' "$tmp/env/timing")
	diag "boot to command: ${t_cmd:-?} s guest uptime (kernel to init ${t_init:-?} s); whole run ${wall:-?} s host wall"
fi

# --- boot 2: exit status propagates (and --single-thread boots) ------------------
rc=0
"$vm_run" --kernel "$kdir" --timeout 120 --single-thread -v --results "$tmp/exit" -- exit 3 \
	>/dev/null 2>"$tmp/exit.err" || rc=$?
if [ "$rc" = 3 ]; then ok "exit 3 in the guest -> vm-run exits 3"; else
	not_ok "exit 3 in the guest -> vm-run exits 3 (got $rc)"
	tail -n 30 "$tmp/exit.err" | sed 's/^/#   /'
fi
# -v names the accelerator in its first line.
if head -n 1 "$tmp/exit.err" | grep -q 'accel tcg,thread=single\|accel kvm'; then
	ok "--single-thread selects single-threaded TCG"
else
	not_ok "--single-thread selects single-threaded TCG"
fi

# --- boot 3: the timeout is enforced ----------------------------------------------
rc=0
start=$(date +%s)
"$vm_run" --kernel "$kdir" --timeout 15 --results "$tmp/timeout" -- sleep 100 \
	>/dev/null 2>"$tmp/timeout.err" || rc=$?
took=$(($(date +%s) - start))
if [ "$rc" = 124 ]; then ok "sleep 100 with --timeout 15 -> 124"; else
	not_ok "sleep 100 with --timeout 15 -> 124 (got $rc)"
fi
if [ "$took" -le 25 ]; then ok "timeout run returned within 25 s (${took} s)"; else
	not_ok "timeout run returned within 25 s (took ${took} s)"
fi
if grep -q '^vm-run: guest timed out after 15s' "$tmp/timeout.err"; then ok "timeout reason printed"; else
	not_ok "timeout reason printed"
	sed 's/^/#   /' "$tmp/timeout.err"
fi

# --- boot 4: a guest that dies without an exit code ---------------------------------
# The last init= on the command line wins, so this one makes the kernel panic.
rc=0
"$vm_run" --kernel "$kdir" --timeout 60 --append init=/nonexistent --results "$tmp/dead" -- true \
	>/dev/null 2>"$tmp/dead.err" || rc=$?
if [ "$rc" = 125 ] && grep -q '^vm-run: guest died without an exit code' "$tmp/dead.err" &&
	grep -q 'Kernel panic' "$tmp/dead.err"; then
	ok "dead guest -> 125 with the reason and the console tail"
else
	not_ok "dead guest -> 125 with the reason and the console tail (got $rc)"
	sed 's/^/#   /' "$tmp/dead.err"
fi

echo "1..$n"
if [ "$failed" -gt 0 ]; then
	diag "$failed of $n failed"
	exit 1
fi
