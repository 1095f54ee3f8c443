#!/usr/bin/env bash
# `make demo`: build the tool, the seed kernel and the harness (cached after
# the first run), boot the guest and show doctor, trace, hist and check.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s tool
kdir=$(scripts/kernel-build.sh seed)
ko=$(scripts/harness-build.sh "$kdir")
echo "ioasid-trace demo: booting the seed kernel ($(basename "$kdir")) under QEMU..." >&2
exec scripts/vm-run.sh --kernel "$kdir" --single-thread --timeout 600 -- \
	bash scripts/demo-guest.sh "$ko"
