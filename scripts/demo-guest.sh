#!/usr/bin/env bash
# The guest side of `make demo` (scripts/demo.sh boots the seed kernel and
# runs this): doctor, a live trace of one IOASID's life, latency histograms
# under load with a slow subscriber, and the conformance verdict.
#   demo-guest.sh HARNESS.ko
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
T=$top/build/ioasid-trace
S=$top/tests/vm/scenarios
H=/sys/kernel/debug/ioasid_harness
banner() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

insmod "$1" || exit 1

banner "ioasid-trace doctor: what this kernel offers"
$T doctor

banner "ioasid-trace trace: one IOASID's life (set, alloc, bind, unbind, free)"
cat >/tmp/life.sh <<'EOS'
H=/sys/kernel/debug/ioasid_harness
c() { echo "$*" >$H/ctl; cat $H/ctl >/dev/null; }
c set_alloc 8; c alloc 1 1; c bind 1; c unbind 1; c free 1; c free_set 1 destroy
EOS
$T trace -u -- bash /tmp/life.sh

banner "ioasid-trace hist: 1 thread x 300 cycles, iommu subscriber busy 200 us"
echo busy >$H/sub/iommu/delay_mode
echo 200 >$H/sub/iommu/delay_us
$T hist -u -- sh -c "echo 'load 1 300' >$H/ctl; cat $H/ctl"
echo 0 >$H/sub/iommu/delay_us

banner "ioasid-trace check: the seed kernel against the notifier API's invariants"
$T check -- bash "$S/conformance.sh" >/tmp/check.txt 2>/tmp/check.err
rc=$?
cat /tmp/check.txt
echo
echo "check exited $rc (0 conforming, 1 violations, 2 inconclusive, 3 error)"
echo "The seed's ioasid_notify() never sets args.set_token: every BIND/UNBIND"
echo "callback reads stack garbage (invariant 5); kernel/patches/fixed/0001 fixes it."
echo "It also sends any cmd it is given: the scenario's ioasid_notify(id, FREE) tears the"
echo "subscribers down for a live ID (invariants 11 and 2); fixed/0005 refuses it."
[ "$rc" -eq 1 ] && grep -q "args-match" /tmp/check.txt
