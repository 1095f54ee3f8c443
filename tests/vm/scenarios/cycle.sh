#!/usr/bin/env bash
# Guest side: one short life cycle per ID, the smallest run that every
# per-life rule judges: a set, two IDs allocated, data attached, bound,
# unbound and freed, the set destroyed.  Ends with "cycle: done".
#   cycle.sh [IDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
n=${1:-2}

r=$(hctl set_alloc 8); sid=$(hval sid "$r")
r=$(hctl alloc "$sid" "$n"); ids=$(hval ids "$r")
for id in ${ids//,/ }; do
	hctl attach "$id" >/dev/null
	hctl bind "$id" >/dev/null
	hctl unbind "$id" >/dev/null
	hctl free "$id" >/dev/null
done
hctl free_set "$sid" destroy >/dev/null
echo "cycle: done"
