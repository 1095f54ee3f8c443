#!/usr/bin/env bash
# Does KVM really work for our guests on this host?
#
#   scripts/kvm-probe.sh [--kernel KDIR | --bzimage FILE] [--force] [-q]
#
# Prints "yes" or "no: REASON" and exits 0 (usable) or 1 (not usable);
# 2 on usage errors.  /dev/kvm being there proves little: on some hosts
# (a PVM-only KVM) guests hang in the decompressor or QEMU aborts on an MSR.
# So the probe boots the given kernel once through scripts/vm-run.sh with
# VM_RUN_ACCEL=kvm under a short timeout and checks that a command ran.
# The answer is cached per (host kernel release, QEMU version) in
# $IOASID_TRACE_CACHE/kvm-probe/; --force probes again.  Without a kernel
# only the cache and /dev/kvm are consulted.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh disable=SC1091 # followed only with shellcheck -x
. "$here/lib.sh"

die() { printf 'kvm-probe: error: %s\n' "$*" >&2; exit 2; }

bzimage='' force=0 quiet=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) [ $# -ge 2 ] || die "--kernel needs a value"
		if [ -d "$2" ]; then bzimage=$2/bzImage; else bzimage=$2; fi; shift 2 ;;
	--bzimage) [ $# -ge 2 ] || die "--bzimage needs a value"; bzimage=$2; shift 2 ;;
	--force) force=1; shift ;;
	-q | --quiet) quiet=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done

answer() { # answer yes|"no: why"
	echo "$1"
	[ "$quiet" = 1 ] || [ "$1" = yes ] || echo "kvm-probe: KVM not usable (${1#no: }); guests will use TCG" >&2
	[ "$1" = yes ]
	exit
}

# Cheap, certain negatives first; not cached, they may change any time.
[ -e /dev/kvm ] || answer "no: /dev/kvm does not exist"
{ [ -r /dev/kvm ] && [ -w /dev/kvm ]; } || answer "no: /dev/kvm is not read-writable for $(id -un)"

qemu=${VM_RUN_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || answer "no: $qemu not found"
qver=$("$qemu" --version | head -n 1 | sed 's/.*version \([^ ]*\).*/\1/')
key="$(uname -r)_qemu-$qver"
key=${key//[^A-Za-z0-9._+-]/_}
cachedir="$(it_cache_dir)/kvm-probe"
mkdir -p "$cachedir"
cachefile="$cachedir/$key"

if [ "$force" = 0 ] && [ -s "$cachefile" ]; then
	answer "$(head -n 1 "$cachefile")"
fi
[ -n "$bzimage" ] || die "no cached answer for $key; pass --kernel KDIR to probe"
[ -f "$bzimage" ] || die "no bzImage at $bzimage"

# Several vm-runs may start at once; one probe is enough.
exec 8>"$cachefile.lock"
flock 8
if [ "$force" = 0 ] && [ -s "$cachefile" ]; then
	answer "$(head -n 1 "$cachefile")"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvm-probe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The marker is assembled by printf, so the command line (which is echoed
# in cmd.sh and could end up in logs) never contains it verbatim.
rc=0
VM_RUN_ACCEL=kvm "$here/vm-run.sh" --bzimage "$bzimage" --timeout 20 --smp 1 \
	--results "$tmp" -- printf 'kvm-probe-%s\n' ok >/dev/null 2>&1 || rc=$?
if [ "$rc" = 0 ] && grep -q '^kvm-probe-ok' "$tmp/output.log" 2>/dev/null; then
	result=yes
elif [ "$rc" = 124 ]; then
	result="no: a KVM guest did not finish booting within 20 s"
else
	why=$(tr -d '\r' <"$tmp/qemu.log" 2>/dev/null | grep -m1 . || true)
	result="no: a KVM guest failed (vm-run status $rc${why:+; qemu: $why})"
fi
printf '%s\n' "$result" >"$cachefile"
answer "$result"
