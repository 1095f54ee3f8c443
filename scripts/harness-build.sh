#!/usr/bin/env bash
# Build the harness module (kernel/harness/) against one kernel of the test bed
# and print the absolute path of ioasid_harness.ko.
#
#   scripts/harness-build.sh KDIR [SRCDIR]
#
# SRCDIR (default kernel/harness) is any module directory with a Kbuild that
# names one obj-m, e.g. kernel/harness/extra (a second subscriber module);
# the .ko printed is that module.
# KDIR is a directory printed by scripts/kernel-build.sh FLAVOR: KDIR/src is
# the patched source tree and KDIR/src/_build its O= object tree.
#
# The sources are copied to KDIR/harness-<hash>/ and built there, so the
# checkout stays clean and each kernel keeps one build per version of the
# sources; the hash covers the sources, this script and the make flags.  A
# directory that already holds the .ko is reused as it is.
#
# Environment:
#   W=1|2|3     kbuild's extra warnings (part of the hash)
#   JOBS        make -j (default: number of CPUs)
#   IOASID_TRACE_CACHE  cache root, as for kernel-build.sh (for ccache)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

kdir=${1:?usage: harness-build.sh KDIR}
[ -d "$kdir" ] || it_die "no such kernel directory: $kdir"
kdir=$(cd "$kdir" && pwd)
[ -f "$kdir/.done" ] || it_die "$kdir is not a finished kernel build (no .done)"
[ -f "$kdir/src/_build/Module.symvers" ] || it_die "$kdir/src/_build has no Module.symvers"

srcdir=${2:-$top/kernel/harness}
[ -f "$srcdir/Kbuild" ] || it_die "no Kbuild in $srcdir"
srcdir=$(cd "$srcdir" && pwd)
name=$(sed -n 's/^obj-m[[:space:]]*:*=[[:space:]]*\([A-Za-z0-9_]*\)\.o.*/\1/p' "$srcdir/Kbuild" | head -1)
[ -n "$name" ] || it_die "$srcdir/Kbuild names no obj-m"
base=$(basename "$srcdir")
jobs=${JOBS:-$(nproc)}
w=${W:-}

# Only the files the module is made of: README edits do not force a rebuild.
mapfile -t files < <(cd "$srcdir" && find . -maxdepth 1 -type f \
	\( -name Kbuild -o -name Makefile -o -name '*.c' -o -name '*.h' \) -printf '%P\n' | LC_ALL=C sort)
[ ${#files[@]} -gt 0 ] || it_die "no sources in $srcdir"

hash=$( {
	for f in "${files[@]}"; do
		printf '%s\n' "$f"
		sha256sum <"$srcdir/$f"
	done
	sha256sum <"$0"
	printf 'W=%s\n' "$w"
} | sha256sum | cut -c1-16)
out=$kdir/$base-$hash
ko=$out/$name.ko

if [ -f "$ko" ]; then
	it_log "harness: cached ($ko)"
	echo "$ko"
	exit 0
fi

# Two builds of the same sources would race on the same directory.
exec 9>"$kdir/$base-build.lock"
flock 9
if [ -f "$ko" ]; then echo "$ko"; exit 0; fi

# Build in a scratch directory and rename it into place when the .ko exists,
# so a directory named harness-<hash> with a .ko is always a complete build.
tmp=$kdir/$base-$hash.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
for f in "${files[@]}"; do cp "$srcdir/$f" "$tmp/$f"; done

cache=$(it_cache_dir)
export CCACHE_DIR="$cache/ccache" CCACHE_MAXSIZE=5G CCACHE_COMPILERCHECK=content
export KBUILD_BUILD_USER=ioasid-trace KBUILD_BUILD_HOST=testbed
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"

args=(-C "$kdir/src" O=_build M="$tmp" CC="$cc" HOSTCC="$cc" -j"$jobs")
[ -n "$w" ] && args+=(W="$w")

it_log "harness: building against $(basename "$kdir") (log: $tmp/build.log)"
if ! make "${args[@]}" modules >"$tmp/build.log" 2>&1; then
	grep -E 'error|warning' "$tmp/build.log" | head -30 >&2 || true
	it_die "harness build failed (see $tmp/build.log)"
fi
# Warnings do not fail the build, but they must be seen.
if grep -q 'warning:' "$tmp/build.log"; then
	grep -A3 'warning:' "$tmp/build.log" >&2 || true
	it_log "harness: the build has warnings (see $tmp/build.log)"
fi
[ -f "$tmp/$name.ko" ] || it_die "make succeeded but produced no $name.ko"

rm -rf "$out"
mv "$tmp" "$out"
it_log "harness: built $ko"
echo "$ko"
