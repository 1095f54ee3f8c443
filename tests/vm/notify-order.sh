#!/usr/bin/env bash
# VM test (issue: patched kernel and test bed): boot each flavor with the
# harness and assert, from the guest's own harness log, that every subscriber
# got BIND, UNBIND and FREE for every ID in publisher order, in priority
# order, FREE before reuse, never ALLOC, and -EINVAL for an unknown ID.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

rc=0
for flavor in ${FLAVORS:-seed fixed}; do
	kdir=$(scripts/kernel-build.sh "$flavor")
	ko=$(scripts/harness-build.sh "$kdir")
	res=$(mktemp -d)
	echo "# flavor $flavor: booting"
	if ! scripts/vm-run.sh --kernel "$kdir" --results "$res" --timeout 180 -- \
		bash tests/vm/scenarios/notify-order.sh "$ko"; then
		echo "not ok - $flavor: scenario failed in the guest (log: $res)"
		rc=1
		continue
	fi
	echo "# flavor $flavor: checking the guest's harness log"
	python3 tests/vm/lib/harness_log.py "$res/harness.log" --subs kvm,iommu,vdcm \
		--prio kvm=0,iommu=10,vdcm=5 --expect-einval 999999 |
		sed "s/^\(not \)\{0,1\}ok [0-9]* - /&$flavor: /" || rc=1
	[ $rc -ne 0 ] || rm -rf "$res"
done
exit $rc
