#!/usr/bin/env bash
# Build one kernel flavor of the test bed and print the directory that holds it.
#
#   scripts/kernel-build.sh FLAVOR   (vanilla | seed | fixed | mutant-NAME |
#                                     debug | seed-debug)
#
# Environment:
#   KERNEL_SRC=DIR      build from this tree instead of Debian's linux-source-6.1
#   EXTRA_PATCHES="a.patch b.patch"   applied after the flavor's own patches
#   IOASID_TRACE_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/ioasid-trace)
#   JOBS                make -j (default: number of CPUs)
#
# The result directory is keyed by (source identity, every patch's diff,
# config fragments, this script), so asking again for the same thing is a
# lookup.  It holds:
#   src/            the patched source tree (hard links to the pristine tree
#                   for untouched files: GNU patch breaks links on write)
#   src/_build/     the O= object tree; out-of-tree modules build against it
#   bzImage vmlinux links into _build; flavor, key, patches.txt
# A new flavor starts from a copy of an older flavor's object tree built with
# the same config, so mutants rebuild only what their patch touches.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

flavor=${1:?usage: kernel-build.sh FLAVOR}
cache=$(it_cache_dir)
jobs=${JOBS:-$(nproc)}

# --- which patches make up the flavor -------------------------------------
patches=()
add_dir() { local f; for f in "$top/kernel/patches/$1"/*.patch; do [ -e "$f" ] && patches+=("$f"); done; }
case "$flavor" in
vanilla) ;;
seed) add_dir seed ;;
fixed) add_dir seed; add_dir fixed ;;
mutant-*)
	m="$top/kernel/patches/mutants/${flavor#mutant-}.patch"
	[ -f "$m" ] || it_die "no mutant patch $m"
	add_dir seed; add_dir fixed; patches+=("$m") ;;
debug) add_dir seed; add_dir fixed ;;
# The seed's defects under the debug config: what KASAN and the atomic-sleep
# checker say about the code fixed/ changes.  It reuses debug's object tree,
# so it costs a rebuild of the files fixed/ touches, not a second kernel.
seed-debug) add_dir seed ;;
*) it_die "unknown flavor '$flavor' (vanilla, seed, fixed, debug, seed-debug, mutant-NAME)" ;;
esac
for p in ${EXTRA_PATCHES:-}; do
	[ -f "$p" ] || it_die "EXTRA_PATCHES: no such file $p"
	patches+=("$(cd "$(dirname "$p")" && pwd)/$(basename "$p")")
done

fragments=("$top/kernel/config/base.config")
case $flavor in debug | seed-debug) fragments+=("$top/kernel/config/debug.config") ;; esac

# --- source identity -------------------------------------------------------
if [ -n "${KERNEL_SRC:-}" ]; then
	[ -f "$KERNEL_SRC/Makefile" ] || it_die "KERNEL_SRC=$KERNEL_SRC is not a kernel tree"
	if git -C "$KERNEL_SRC" rev-parse HEAD >/dev/null 2>&1; then
		src_id="git:$(git -C "$KERNEL_SRC" rev-parse HEAD):$(git -C "$KERNEL_SRC" diff HEAD | sha256sum | cut -c1-16)"
	else
		# No git: identify by path and the newest modification time.
		src_id="dir:$KERNEL_SRC:$(find "$KERNEL_SRC" -type f -printf '%T@\n' | sort -n | tail -1)"
	fi
	pristine=$KERNEL_SRC
else
	pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
		it_die "linux-source-6.1 is not installed (run: make deps)"
	src_id="debian:linux-source-6.1:$pkgver"
	pristine="$cache/src/linux-source-6.1-$pkgver"
	if [ ! -f "$pristine/.unpacked" ]; then
		it_log "unpacking linux-source-6.1 $pkgver"
		rm -rf "$pristine" "$pristine.tmp"
		mkdir -p "$pristine.tmp"
		tar -xf /usr/src/linux-source-6.1.tar.xz -C "$pristine.tmp" --strip-components=1
		touch "$pristine.tmp/.unpacked"
		mv "$pristine.tmp" "$pristine"
	fi
fi

# What a patch changes: from its first file header on.  Its mail header,
# message, credits and diffstat do not make a different kernel, so
# rewording them must not cost a rebuild of every flavor.
patch_body() { awk 'f || /^(diff |--- )/ { f = 1; print }' "$1"; }

# Bump when a change to this script changes what gets built.
recipe=2
config_hash=$(cat "${fragments[@]}" | sha256sum | cut -c1-16)
key=$( {
	echo "$src_id"
	echo "$config_hash"
	echo "recipe $recipe"
	for p in "${patches[@]}"; do patch_body "$p" | sha256sum; done
} | sha256sum | cut -c1-16)
out="$cache/kernels/$flavor-$key"

if [ -f "$out/.done" ]; then
	it_log "kernel $flavor: cached ($out)"
	echo "$out"
	exit 0
fi

# Only one build at a time per cache: two would fight over ccache and CPUs.
exec 9>"$cache/kernel-build.lock"
flock 9
if [ -f "$out/.done" ]; then echo "$out"; exit 0; fi

it_log "kernel $flavor: building into $out"
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)

# --- source tree: hard links to pristine, then patches ----------------------
cp -al "$pristine" "$out/src" 2>/dev/null || cp -a "$pristine" "$out/src"
rm -rf "$out/src/_build" "$out/src/.unpacked"
: >"$out/patches.txt"
for p in "${patches[@]}"; do
	it_log "  applying $(basename "$p")"
	patch -d "$out/src" -p1 --quiet --no-backup-if-mismatch <"$p" ||
		it_die "patch $(basename "$p") does not apply to $src_id"
	echo "$p" >>"$out/patches.txt"
	grep -E '^\+\+\+ b/' "$p" | sed 's|^+++ b/||' >>"$out/patched-files.txt"
done
touch "$out/patched-files.txt"
echo "$flavor" >"$out/flavor"
echo "$key" >"$out/key"
echo "$config_hash" >"$out/config.hash"

# --- object tree: start from the closest finished tree with the same config
# Closest = fewest differing patched files, a header counting as many (it
# rebuilds everything that includes it).
diff_score() {	# donor-dir: prints the cost of rebuilding from it
	local d=$1 f score=0
	while read -r f; do
		cmp -s "$out/src/$f" "$d/src/$f" && continue
		case $f in *.h) score=$((score + 1000)) ;; *) score=$((score + 1)) ;; esac
	done < <(sort -u "$out/patched-files.txt" "$d/patched-files.txt")
	echo "$score"
}
donor='' best=''
for d in "$cache"/kernels/*/; do
	d=${d%/}
	[ -f "$d/.done" ] && [ "$(cat "$d/config.hash" 2>/dev/null)" = "$config_hash" ] &&
		[ "$(cat "$d/src_id" 2>/dev/null)" = "$src_id" ] || continue
	score=$(diff_score "$d")
	if [ -z "$best" ] || [ "$score" -lt "$best" ]; then best=$score donor=$d; fi
done
echo "$src_id" >"$out/src_id"
if [ -n "$donor" ]; then
	it_log "  reusing objects of $(basename "$donor")"
	cp -a "$donor/src/_build" "$out/src/_build"
	# Host tools (objtool, resolve_btfids) record absolute paths in their
	# dependency files; left pointing at the donor, objtool is rebuilt and,
	# being newer than every object, makes make recompile the whole kernel.
	find "$out/src/_build/tools" \( -name '*.cmd' -o -name '*.d' \) -print0 |
		xargs -0 -r grep -lZ -- "$donor/" | xargs -0 -r sed -i "s|$donor/|$out/|g"
	# make compares mtimes, not contents.  patch gives every file it writes
	# a new mtime, and pristine files keep their old ones: a file equal to
	# the donor's gets the donor's mtime, a differing one is touched, so
	# make rebuilds exactly what changed.
	sort -u "$out/patched-files.txt" "$donor/patched-files.txt" | while read -r f; do
		[ -e "$out/src/$f" ] || continue
		# Unpatched files are hard links to the pristine tree: copy
		# before touching so other trees' mtimes stay as they were.
		cp -p "$out/src/$f" "$out/src/$f.own" && mv "$out/src/$f.own" "$out/src/$f"
		if cmp -s "$out/src/$f" "$donor/src/$f"; then
			touch -r "$donor/src/$f" "$out/src/$f"
		else
			it_log "  changed: $f"
			touch "$out/src/$f"
		fi
	done
else
	mkdir -p "$out/src/_build"
fi

# --- configure --------------------------------------------------------------
export KBUILD_BUILD_USER=ioasid-trace KBUILD_BUILD_HOST=testbed
export KBUILD_BUILD_TIMESTAMP="2020-03-25"
# Every flavor builds in its own directory: without NOHASHDIR ccache would
# hash that directory into every object compiled with -g and never hit.
export CCACHE_DIR="$cache/ccache" CCACHE_MAXSIZE=5G CCACHE_COMPILERCHECK=content
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR="$out/src"
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
kmake() { make -C "$out/src" O=_build CC="$cc" HOSTCC="$cc" -j"$jobs" "$@"; }

if [ ! -f "$out/src/_build/.config" ] || [ -z "$donor" ]; then
	kmake tinyconfig >"$out/build.log" 2>&1 || it_die "tinyconfig failed (see $out/build.log)"
fi
(cd "$out/src" && KCONFIG_CONFIG=_build/.config \
	scripts/kconfig/merge_config.sh -m -O _build _build/.config "${fragments[@]}") \
	>>"$out/build.log" 2>&1 || it_die "merge_config failed (see $out/build.log)"
kmake olddefconfig >>"$out/build.log" 2>&1 || it_die "olddefconfig failed (see $out/build.log)"

missing=()
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	grep -qx "$line" "$out/src/_build/.config" || missing+=("$line")
done < <(cat "${fragments[@]}")
[ ${#missing[@]} -eq 0 ] ||
	it_die "olddefconfig dropped required options: ${missing[*]} (a dependency is missing)"

# --- build ------------------------------------------------------------------
# Compile steps (kbuild's "  CC  file" lines) done so far, of a log.
steps_in() { grep -cE '^  (CC|AS|LD|AR|CPP|HOSTCC|HOSTLD|GEN|BTF|OBJCOPY)[ ]' "$1" 2>/dev/null; }
fmt_s() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# make in the background, and what it has done every 15 s (one updating
# line on a terminal): a full build is ten minutes of otherwise silence.
# A full build's step count (kept in the cache) gives its total and ETA;
# a build from a donor's objects shows its count only.
make_with_progress() {
	local total_file="$cache/kernels/full-build-steps" total='' pid t0 now done_n line rc
	[ -z "$donor" ] && [ -f "$total_file" ] && total=$(cat "$total_file")
	[ -z "$donor" ] && [ -z "$total" ] && total=1965	# 6.1 with base.config
	local before; before=$(steps_in "$out/build.log")
	kmake all >>"$out/build.log" 2>&1 &
	pid=$!
	t0=$(date +%s)
	while ! wait_for "$pid" 15; do
		now=$(($(date +%s) - t0))
		done_n=$(($(steps_in "$out/build.log") - before))
		line="kernel $flavor: $done_n${total:+/$total} steps, $(fmt_s $now)"
		if [ -n "$total" ] && [ "$done_n" -gt 0 ] && [ "$done_n" -lt "$total" ]; then
			line+=", ETA $(fmt_s $((now * (total - done_n) / done_n)))"
		fi
		if [ -t 2 ]; then printf '\rioasid-trace: %s   ' "$line" >&2
		else it_log "$line"; fi
	done
	wait "$pid"
	rc=$?
	[ -t 2 ] && printf '\n' >&2
	[ "$rc" = 0 ] && [ -z "$donor" ] && echo $(($(steps_in "$out/build.log") - before)) >"$total_file"
	return "$rc"
}
# wait_for PID SECS: 0 when PID has ended, 1 after SECS if it runs on.
wait_for() {
	local i
	for i in $(seq "$2"); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
	! kill -0 "$1" 2>/dev/null
}

it_log "  make -j$jobs (log: $out/build.log)"
if ! make_with_progress; then
	grep -E 'error|Error' "$out/build.log" | head -20 >&2
	it_die "kernel build failed (see $out/build.log)"
fi
# The tracer attaches to static functions of the series; if the compiler
# inlined one there is nothing to attach to.  They must be functions both in
# BTF (fentry) and in the symbol table (kprobe fallback).
if grep -qw ioasid_notify "$out/src/_build/System.map"; then
	btf_funcs=$(bpftool btf dump file "$out/src/_build/vmlinux" 2>/dev/null | grep -o "FUNC '[a-z_]*'" || true)
	for fn in ioasid_free_locked default_alloc default_free ioasid_notify blocking_notifier_call_chain; do
		grep -q " [tT] $fn\$" "$out/src/_build/System.map" ||
			it_die "$fn is not a function in System.map (inlined?): the tracer cannot attach"
		grep -qx "FUNC '$fn'" <<<"$btf_funcs" ||
			it_die "$fn has no BTF FUNC: fentry cannot attach (pahole too old?)"
	done
	it_log "  attach points present as functions in BTF and System.map"
fi
ln -sf src/_build/arch/x86/boot/bzImage "$out/bzImage"
ln -sf src/_build/vmlinux "$out/vmlinux"
ln -sf src/_build "$out/build"
echo "$(($(date +%s) - start))" >"$out/build-seconds"
touch "$out/.done"
it_log "kernel $flavor: built in $(cat "$out/build-seconds") s"
echo "$out"
