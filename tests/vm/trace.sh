#!/usr/bin/env bash
# VM test of `ioasid-trace doctor` and `ioasid-trace trace`:
#  - seed: doctor lists every attach point and the harness callbacks by name;
#    `trace -j -- SCENARIO` reports exactly the calls the harness made
#    (per kind, per subscriber and cmd, per ID), including callbacks of the
#    vdcm subscriber registered after the tracer started;
#  - vanilla: doctor exits non-zero naming the missing functions.
#
#   tests/vm/trace.sh            (host: boots the guests)
#   IOASID_TRACE=path/to/ioasid-trace  (default build/ioasid-trace)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness

# ---------------------------------------------------------------- in the guest
# The scenario the tracer watches; run as `trace -- trace.sh --scenario OUT`.
if [ "${1:-}" = --scenario ]; then
	out=$2
	c() { echo "$*" >$H/ctl; read -r r <$H/ctl; echo "scenario: $* -> $r" >&2; }
	c set_alloc 64
	sid=$(sed -n 's/.*sid=\([0-9]*\).*/\1/p' $H/ctl)
	c alloc "$sid" 4
	ids=$(sed -n 's/.*ids=\([0-9,]*\).*/\1/p' $H/ctl | tr , ' ')
	set -- $ids
	c bind "$1"; c bind "$2"
	# vdcm registers now, after the tracer attached: wait until the
	# tracer says it follows the new callback, then drive events.
	echo 1 >$H/sub/vdcm/registered
	for _ in $(seq 100); do
		grep -q '"cb_attached".*harness_vdcm_notify' "$out" && break
		sleep 0.1
	done
	c bind "$3"; c unbind "$1"; c unbind "$4"
	c attach "$2"
	c notify 4000000 BIND		# unknown ID: -EINVAL, no callback
	c notify "$3" 7			# a raw cmd value
	c free "$1"
	c free_set "$sid" destroy	# frees the rest through ioasid_free_locked
	echo 0 >$H/sub/vdcm/registered
	exit 0
fi

if [ "${1:-}" = --guest ]; then
	ko=$2
	insmod "$ko" || { vt_notok "insmod $ko"; vt_done trace; exit 1; }
	echo reset >$H/ctl

	"$BIN" doctor >/tmp/doctor.txt 2>&1
	rc=$?
	cat /tmp/doctor.txt
	vt_check "doctor exits 0 on seed" [ $rc = 0 ]
	missing=0
	for f in ioasid_alloc ioasid_free ioasid_free_locked default_alloc default_free ioasid_notify \
		ioasid_add_notifier ioasid_remove_notifier blocking_notifier_call_chain \
		ioasid_alloc_set ioasid_free_set ioasid_attach_data; do
		grep -Eq "^  $f +(fentry|kprobe) " /tmp/doctor.txt || { echo "# no mode for $f"; missing=1; }
	done
	vt_check "doctor lists every attach point with a mode" [ $missing = 0 ]
	vt_check "doctor lists harness_kvm_notify and harness_iommu_notify" \
		bash -c "grep -Eq '^  harness_kvm_notify +(fentry|kprobe) .*\[ioasid_harness\]' /tmp/doctor.txt &&
			 grep -Eq '^  harness_iommu_notify +(fentry|kprobe) .*\[ioasid_harness\]' /tmp/doctor.txt"

	# Streaming, the cold points share one kprobe.multi pair; hist
	# (nothing streamed) and doctor give each point its own programs.
	"$BIN" trace --dry-run >/tmp/dry.txt 2>&1
	"$BIN" hist --dry-run >/tmp/dry-hist.txt 2>&1
	cat /tmp/dry.txt
	cold=0 hot=0 histmulti=0
	for f in ioasid_add_notifier ioasid_remove_notifier ioasid_alloc_set ioasid_free_set \
		ioasid_attach_data; do
		grep -Eq "^  $f +kprobe\.multi " /tmp/dry.txt || { echo "# $f not kprobe.multi"; cold=1; }
	done
	for f in ioasid_alloc ioasid_free ioasid_free_locked default_alloc default_free ioasid_notify \
		blocking_notifier_call_chain; do
		grep -Eq "^  $f +fentry " /tmp/dry.txt || { echo "# $f not fentry"; hot=1; }
	done
	grep -q "kprobe\.multi" /tmp/dry-hist.txt /tmp/doctor.txt && histmulti=1
	# (and they did list the points: an empty file has no kprobe.multi either)
	grep -Eq "^  ioasid_add_notifier +fentry " /tmp/dry-hist.txt || histmulti=2
	vt_check "trace --dry-run: the 5 cold points by kprobe.multi, the 7 others by fentry" \
		[ $cold$hot = 00 ]
	vt_check "hist --dry-run and doctor: registrations by fentry, no kprobe.multi ($histmulti)" \
		[ $histmulti = 0 ]

	# A kernel that refuses kprobe.multi (the knob makes the attach fail
	# as without CONFIG_FPROBE): the session plans again, a pair per
	# point, and traces as before.
	IOASID_TRACE_NO_KPROBE_MULTI=1 "$BIN" trace -v -j -- bash -c \
		"echo 'load 1 5' >$H/ctl; cat $H/ctl; echo 1 >$H/sub/vdcm/registered; echo 0 >$H/sub/vdcm/registered" \
		>/tmp/fb.json 2>/tmp/fb.err
	rc=$?
	grep -E 'ioasid_(add|remove)_notifier|ioasid_attach_data|attached' /tmp/fb.err
	vt_check "without kprobe.multi: exit 0, the cold points by fentry, registrations traced" \
		bash -c "[ $rc = 0 ] && grep -Eq '^ioasid-trace: ioasid_attach_data +fentry' /tmp/fb.err &&
			 ! grep -q 'kprobe.multi' /tmp/fb.err &&
			 [ \$(grep -c '\"kind\":\"add_notifier\".*\"mode\":\"fentry\"' /tmp/fb.json) = 2 ] &&
			 [ \$(grep -c '\"kind\":\"free\",\"phase\":\"enter\"' /tmp/fb.json) = 5 ]"
	echo reset >$H/ctl

	out=/tmp/trace.ndjson
	"$BIN" trace -j -- "$0" --scenario "$out" >"$out" 2>/tmp/trace.err
	rc=$?
	cat /tmp/trace.err
	vt_check "trace -- SCENARIO exits 0" [ $rc = 0 ]
	cat $H/stats >/tmp/stats
	for s in kvm iommu vdcm; do
		echo "$s $(cat $H/sub/$s/counts)"
		sed "s/^/$s /" $H/sub/$s/events
	done >/tmp/subs
	python3 - "$out" /tmp/stats /tmp/subs <<'PY'
import collections, json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
stats = dict(kv.split("=") for kv in open(sys.argv[2]).read().split())
n = 0
def t(ok, what):
    global n
    n += 1
    print(("ok" if ok else "not ok"), "TAPN -", what)
summ = [e for e in ev if e["type"] == "summary"]
t(len(summ) == 1 and summ[0]["lost"] == 0 and summ[0].get("child_status") == 0,
  "summary: no lost events, scenario status 0 (%s)" % (summ[-1] if summ else None))
enters = [e for e in ev if e["type"] == "event" and e["phase"] == "enter"]
kinds = collections.Counter(e["kind"] for e in enters)
want = {"alloc": int(stats["alloc"]), "free": int(stats["free"]),
        "notify": int(stats["bind"]) + int(stats["unbind"]) + int(stats["notify"]),
        "attach_data": int(stats["attach"]), "alloc_set": int(stats["set_alloc"]),
        "free_set": int(stats["set_free"])}
got = {k: kinds.get(k, 0) for k in want}
t(got == want, "calls per kind match the harness stats: %s vs %s" % (got, want))
exits = {(e["tid"], e["depth"], e["kind"]) for e in ev if e["type"] == "event" and e["phase"] == "exit"}
t(all((e["tid"], e["depth"], e["kind"]) in exits for e in enters) and
  not any(e.get("unmatched") for e in ev), "every enter has its exit at the same depth")
# per subscriber, per cmd, per ID: the harness's own events vs the tracer's callbacks
names = {"ALLOC": "ALLOC", "FREE": "FREE", "BIND": "BIND", "UNBIND": "UNBIND"}
harness = collections.Counter()
counts = {}
for line in open(sys.argv[3]):
    w = line.split()
    if len(w) > 1 and w[1].startswith("alloc="):
        counts[w[0]] = dict(kv.split("=") for kv in w[1:])
        continue
    kv = dict(x.split("=", 1) for x in w[1:] if "=" in x)
    if "cmd" in kv:
        harness[(w[0], kv["cmd"], int(kv["id"]))] += 1
traced = collections.Counter()
for e in enters:
    if e["kind"] == "callback":
        sub = e["cb_sym"].replace("harness_", "").replace("_notify", "")
        traced[(sub, e.get("cmd_name") or str(e["cmd"]), e["ioasid"])] += 1
t(traced == harness, "callbacks per subscriber, cmd and ID match the harness's events (%d)"
  % sum(harness.values()))
for sub in ("kvm", "iommu", "vdcm"):
    c = counts.get(sub, {})
    tot = sum(int(v) for v in c.values())
    got = sum(v for (s, _, _), v in traced.items() if s == sub)
    t(tot == got and tot > 0, "%s: %d callbacks traced, harness counts %s" % (sub, got, c))
att = [e for e in ev if e.get("kind") == "cb_attached" and e.get("cb_sym") == "harness_vdcm_notify"]
det = [e for e in ev if e.get("kind") == "cb_detached" and e.get("cb_sym") == "harness_vdcm_notify"]
vd = [e for e in enters if e["kind"] == "callback" and e["cb_sym"] == "harness_vdcm_notify"]
t(len(att) == 1 and len(det) == 1 and len(vd) > 0 and att[0]["seq"] < vd[0]["seq"],
  "vdcm, registered after start, was attached, traced (%d calls) and detached" % len(vd))
# The cold points come through the kprobe.multi pair: kprobe records,
# told apart by the cookie alone, so check each kind's own arguments.
cold = ("add_notifier", "remove_notifier", "alloc_set", "free_set", "attach_data")
hot = ("alloc", "free", "free_locked", "allocator_free", "notify", "chain")
recs = [e for e in ev if e["type"] == "event" and e["phase"] in ("enter", "exit")]
t(all(e["mode"] == "kprobe" for e in recs if e["kind"] in cold) and
  all(e["mode"] == "fentry" for e in recs if e["kind"] in hot) and
  {e["kind"] for e in recs} >= set(cold),
  "cold points' records by kprobe (kprobe.multi), the per-ID path's by fentry")
af = [e for e in recs if e["kind"] == "allocator_free" and e["phase"] == "enter"]
t(af and all(e.get("cb_sym") == "default_free" for e in af),
  "allocator_free records name the function that ran: %s" % sorted({e.get("cb_sym") for e in af}))
ax = [e for e in recs if e["kind"] == "alloc_set" and e["phase"] == "exit"]
fs = [e for e in recs if e["kind"] == "free_set" and e["phase"] == "enter"]
ad = [e for e in recs if e["kind"] == "attach_data"]
adds = [e for e in recs if e["kind"] == "add_notifier" and e["phase"] == "enter"]
allocated = {e["ioasid"] for e in recs if e["kind"] == "alloc" and e["phase"] == "exit"}
t(len(ax) == 1 and ax[0]["quota"] == 64 and ax[0]["ret"] == 0 and len(fs) == 1 and
  fs[0]["sid"] == ax[0]["sid"] and len(ad) == 2 and all(e["ioasid"] in allocated for e in ad) and
  len(adds) == 1 and adds[0].get("cb_sym") == "harness_vdcm_notify" and adds[0]["prio"] == 5,
  "kprobe.multi records carry their kind's arguments (set %s, attach_data %s, add_notifier %s)"
  % ([(e["sid"], e["quota"]) for e in ax], [e.get("ioasid") for e in ad],
     [e.get("cb_sym") for e in adds]))
cbs = [e for e in ev if e["type"] == "event" and e["kind"] in ("callback", "chain")]
t(all(e["lock_held"] and e["may_sleep"] for e in cbs), "chain and callbacks run with the mutex held, may sleep")
bad = [e for e in enters if e["kind"] == "notify" and e["ioasid"] == 4000000]
bx = [e for e in ev if e["type"] == "event" and e.get("kind") == "notify" and e["phase"] == "exit" and e["ioasid"] == 4000000]
t(len(bad) == 1 and bx and bx[0]["ret"] == -22 and not any(e["kind"] == "callback" and e["ioasid"] == 4000000 for e in enters),
  "notify on an unknown ID returns -22 and reaches no callback")
PY
	rc=$?
	[ $rc = 0 ] || vt_notok "comparison script ran (rc=$rc)"
	vt_done trace
	exit
fi

# ---------------------------------------------------------------- on the host
vt_guest_run trace seed 240 "$vt_top/tests/vm/trace.sh"

vanilla=$("$vt_top/scripts/kernel-build.sh" vanilla 2>/dev/null)
if [ -n "$vanilla" ]; then
	out=$(mktemp)
	"$vt_top/scripts/vm-run.sh" --kernel "$vanilla" --timeout 120 -- \
		bash -c "$BIN doctor; echo doctor-rc=\$?" >"$out" 2>&1
	sed 's/^/# /' "$out"
	vt_check "vanilla: doctor exits non-zero" grep -q 'doctor-rc=[1-9]' "$out"
	vt_check "vanilla: doctor names the missing series functions" \
		grep -q 'missing: .*ioasid_notify.*ioasid_add_notifier.*ioasid_remove_notifier' "$out"
	rm -f "$out"
fi
vt_done trace
