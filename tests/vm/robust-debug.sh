#!/usr/bin/env bash
# Robustness (issue 6): the stress scenario on the `debug` flavor (seed +
# fixed patches, kernel/config/debug.config: lockdep/PROVE_LOCKING,
# DEBUG_ATOMIC_SLEEP, DEBUG_NOTIFIERS, KASAN inline, CONFIG_PREEMPT: so
# --mode auto runs kprobes, and a short run with fentry forced must come
# out inconclusive, the runs the kernel skipped named), then the seed's one
# hazard that a conforming kernel still has by design (the chain runs under
# ioasid_allocator_lock, so a subscriber that re-enters the API deadlocks):
# lockdep's "possible recursive locking" must be the only report in dmesg,
# and the tool must report it too (invariant 7).  See robust-stress.sh.
#
#   tests/vm/robust-debug.sh      (STRESS_SECONDS, default 60)
ROBUST_FLAVOR=debug exec "$(dirname "$0")/robust-stress.sh" "$@"
