#!/usr/bin/env bash
# `make demo`: build the tool, the seed kernel and the harness (cached after
# the first run), boot the guest and show doctor, trace, hist and check.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s tool
kdir=$(scripts/kernel-build.sh seed)
ko=$(scripts/harness-build.sh "$kdir")
echo "ioasid-trace demo: booting the seed kernel ($(basename "$kdir")) under QEMU..." >&2
# Multi-threaded TCG: with --single-thread the guest's TSC is unstable and
# udelay() runs ~60x short, so the busy subscriber of the hist step would not
# be slow (tests/vm/hist.sh measured it).  Nothing attaches while the load
# runs, which is what single-threaded TCG protects against.
exec scripts/vm-run.sh --kernel "$kdir" --timeout 600 -- \
	bash scripts/demo-guest.sh "$ko"
