#!/usr/bin/env bash
# Install the Debian 12 packages the project needs, and only when missing:
# `make demo` and `make check` call this first, so a second run costs one
# dpkg-query.  Why each package is needed is in README.md ("Dependencies").
set -euo pipefail

pkgs=(
	# building the tool
	gcc make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
	# unit tests and fuzzing
	libcmocka-dev libclang-rt-14-dev
	# building the test-bed kernel and the harness module
	linux-source-6.1 flex bison bc libssl-dev dwarves cpio ccache kmod xz-utils patch
	# running the test bed and the comparison tools inside it
	qemu-system-x86 busybox-static bpftrace python3
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root or install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
