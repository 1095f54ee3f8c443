#!/usr/bin/env bash
# Guest side of tests/vm/notify-order.sh: drive the publisher through a full
# life cycle with three subscribers and save the harness's log to /results.
#   notify-order.sh HARNESS.ko
set -euo pipefail
. "$(dirname "$0")/lib.sh"
hload "$1"

echo 1 >"$H/sub/vdcm/registered"        # third subscriber, priority 5

r=$(hctl set_alloc 64); sid=$(hval sid "$r")
r=$(hctl alloc "$sid" 4); ids=$(hval ids "$r" | tr , ' ')
for id in $ids; do hctl bind "$id"; done
for id in $ids; do hctl unbind "$id"; done
hctl attach "${ids%% *}"
first=${ids%% *}
hctl bind "$first"                       # bound again, then freed while bound
hctl free "$first"
# The default allocator hands out the lowest free ID: $first comes back.
r=$(hctl alloc "$sid" 1); again=$(hval ids "$r")
echo "re-allocated $again (freed $first)" >&2
hctl bind "$again"
hctl unbind "$again"
hctl free "$again"
# The rest goes with the set: FREE for each remaining ID.
hctl free_set "$sid" destroy
# An ID nobody allocated: the API must say -EINVAL and notify nobody.
hctl notify 999999 BIND
cat "$H/log" >/results/harness.log
for s in kvm iommu vdcm; do echo "$s: $(cat "$H/sub/$s/counts") errors: $(cat "$H/sub/$s/errors")"; done
