#!/usr/bin/env bash
# Guest side: the recorded corpus (scripts/make-corpus.sh).  The publisher
# life cycle of conformance.sh without its load phase, so each recording
# stays a few KB and still exercises invariants 1-7 and 9 (the checker's
# unit tests replay them: tests/unit/test_record.c).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

echo 1 >"$H/sub/vdcm/registered"	# priority between kvm and iommu (inv 3)
htraced harness_vdcm_notify
r=$(hctl set_alloc 64); sid=$(hval sid "$r")
r=$(hctl alloc "$sid" 2); ids=$(hval ids "$r" | tr , ' ')
first=${ids%% *}
for id in $ids; do hctl bind "$id" >/dev/null; done
hctl attach "$first" >/dev/null
for id in $ids; do hctl unbind "$id" >/dev/null; done
for id in $ids; do hctl free "$id" >/dev/null; done
hctl notify 999999 BIND >/dev/null	# unknown ID (inv 4)

# A slow FREE subscriber and a second task allocating meanwhile (inv 9).
hrace_free_alloc "$sid"
hctl free_set "$sid" destroy >/dev/null
echo 0 >"$H/sub/vdcm/registered"
echo "corpus scenario: done"
