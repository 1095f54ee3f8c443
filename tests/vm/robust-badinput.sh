#!/usr/bin/env bash
# Robustness (issue 6): bad input and a hostile environment each give ONE
# clear line on stderr ("ioasid-trace: ...") and the documented exit code:
#   command line:  check 3, every other subcommand 2
#   setup (not root, no BTF, no notifier series): check 3, the others 1
# Cases: every option given nonsense; an unprivileged user (setpriv
# --reuid 65534); no BTF (an empty file bind-mounted over
# /sys/kernel/btf/vmlinux); tracefs and debugfs unmounted (the tool needs
# neither: it must just work); a kernel without the series (vanilla).
#
#   tests/vm/robust-badinput.sh         (host: boots fixed, then vanilla)
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/robust.sh
. "$(dirname "$0")/lib/robust.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}

# expect RC WHAT -- CMD...: CMD exits RC with exactly one stderr line
# starting "ioasid-trace: " and nothing on stdout.
expect() {
	local want=$1 what=$2 rc out err
	shift 3
	out=$("$@" 2>/tmp/err.txt </dev/null)
	rc=$?
	err=$(cat /tmp/err.txt)
	if [ "$rc" = "$want" ] && [ -z "$out" ] && [ "$(wc -l </tmp/err.txt)" = 1 ] &&
		[[ $err == "ioasid-trace: "* ]]; then
		vt_ok "$what: exit $rc, '$err'"
	else
		vt_notok "$what: exit $rc (want $want), stderr: $(head -c 300 /tmp/err.txt | tr '\n' '|') stdout: ${out:0:100}"
	fi
}

guest_fixed() {
	local s u
	# --- every option given nonsense (parsed before anything is loaded)
	for s in trace hist record; do
		u=2
		expect $u "$s -d nonsense" -- "$BIN" $s -d nonsense
		expect $u "$s -d -5" -- "$BIN" $s -d -5
		expect $u "$s -d 0" -- "$BIN" $s -d 0
		expect $u "$s -p 0" -- "$BIN" $s -p 0
		expect $u "$s -p 99999999999" -- "$BIN" $s -p 99999999999
		expect $u "$s -p abc" -- "$BIN" $s -p abc
		expect $u "$s --ioasid -1" -- "$BIN" $s --ioasid -1
		expect $u "$s --ioasid 0xffffffff" -- "$BIN" $s --ioasid 0xffffffff
		expect $u "$s --sid x" -- "$BIN" $s --sid x
		expect $u "$s --sid -3" -- "$BIN" $s --sid -3
		expect $u "$s --cmd explode" -- "$BIN" $s --cmd explode
		expect $u "$s --mode warp" -- "$BIN" $s --mode warp
		expect $u "$s --no-such-option" -- "$BIN" $s --no-such-option
		expect $u "$s -Z" -- "$BIN" $s -Z
	done
	for s in trace hist; do
		expect 2 "$s -i nonsense" -- "$BIN" $s -i nonsense
		expect 2 "$s -u -m" -- "$BIN" $s -u -m
		expect 2 "$s -i 5 -d 1" -- "$BIN" $s -i 5 -d 1
	done
	expect 2 "trace --linear" -- "$BIN" trace --linear
	expect 2 "hist --linear=9" -- "$BIN" hist --linear=9
	expect 2 "hist --linear=x" -- "$BIN" hist --linear=x
	expect 2 "record without -o" -- "$BIN" record -d 1
	expect 1 "record -o into a missing directory" -- "$BIN" record -o /nonexistent/dir/r.itr -d 1
	expect 3 "check --format yaml" -- "$BIN" check --format yaml
	expect 3 "check -j --format ktap" -- "$BIN" check -j --format ktap
	expect 3 "check --only 99" -- "$BIN" check --only 99
	expect 3 "check --only ," -- "$BIN" check --only ,
	expect 3 "check --only bogus-key" -- "$BIN" check --only bogus-key
	expect 3 "check -d soon" -- "$BIN" check -d soon
	expect 3 "check -o ''" -- "$BIN" check -o ''
	expect 3 "check --mode warp" -- "$BIN" check --mode warp
	expect 3 "check --bogus" -- "$BIN" check --bogus
	expect 3 "check --input FILE -d 1" -- "$BIN" check --input /tmp/x.itr -d 1
	expect 3 "check --input a missing file" -- "$BIN" check --input /tmp/missing.itr
	printf 'not a recording\n' >/tmp/junk.itr
	expect 3 "check --input a file that is not a recording" -- "$BIN" check --input /tmp/junk.itr
	: >/tmp/empty.itr
	expect 3 "check --input an empty file" -- "$BIN" check --input /tmp/empty.itr
	# -i is the interval only: an existing file after it is no input (one line each)
	expect 2 "hist -i an existing file" -- "$BIN" hist -i /tmp/junk.itr
	expect 3 "check -i FILE (the old spelling)" -- "$BIN" check -i /tmp/junk.itr
	expect 2 "report -i FILE (the old spelling)" -- "$BIN" report -i /tmp/junk.itr
	expect 3 "check -o into a missing directory" -- "$BIN" check -o /nonexistent/r.txt -d 1
	expect 2 "doctor with an argument" -- "$BIN" doctor extra
	expect 2 "doctor --mode warp" -- "$BIN" doctor --mode warp
	expect 2 "an unknown subcommand" -- "$BIN" explode
	"$BIN" >/dev/null 2>/tmp/err.txt
	rc=$?
	vt_check "no subcommand: exit 2 with the usage (rc=$rc)" \
		bash -c "[ $rc = 2 ] && grep -q '^Usage: ioasid-trace SUBCOMMAND' /tmp/err.txt"

	# --- not root: no capabilities at all
	for s in trace hist record; do
		local extra=()
		[ $s = record ] && extra=(-o /tmp/u.itr)
		expect 1 "$s as uid 65534" -- setpriv --reuid 65534 --regid 65534 --clear-groups \
			"$BIN" $s -d 1 "${extra[@]}"
	done
	expect 3 "check as uid 65534" -- setpriv --reuid 65534 --regid 65534 --clear-groups "$BIN" check -d 1

	# --- no BTF: an empty file over /sys/kernel/btf/vmlinux
	: >/tmp/nobtf
	if mount --bind /tmp/nobtf /sys/kernel/btf/vmlinux; then
		expect 1 "trace without BTF" -- "$BIN" trace -d 1
		expect 1 "hist without BTF" -- "$BIN" hist -d 1
		expect 3 "check without BTF" -- "$BIN" check -d 1
		"$BIN" doctor >/tmp/doc.txt 2>&1
		rc=$?
		vt_check "doctor without BTF exits 1 and names it (rc=$rc)" \
			bash -c "[ $rc = 1 ] && grep -qi 'btf' /tmp/doc.txt"
		umount /sys/kernel/btf/vmlinux
	else
		vt_notok "bind-mount over /sys/kernel/btf/vmlinux"
	fi

	# --- tracefs and debugfs unmounted: not needed, everything still works
	umount /sys/kernel/debug/tracing 2>/dev/null
	umount /sys/kernel/tracing
	umount /sys/kernel/debug
	vt_check "tracefs and debugfs are gone" bash -c "! grep -qE 'tracefs|debugfs' /proc/mounts"
	"$BIN" trace -d 1 >/dev/null 2>/tmp/e.txt
	rc=$?
	vt_check "trace without tracefs/debugfs: exit 0 (rc=$rc $(head -1 /tmp/e.txt))" [ $rc = 0 ]
	"$BIN" trace --mode kprobe -d 1 >/dev/null 2>/tmp/e.txt
	rc=$?
	vt_check "trace --mode kprobe without tracefs/debugfs: exit 0 (rc=$rc $(head -1 /tmp/e.txt))" [ $rc = 0 ]
	"$BIN" check -d 1 >/dev/null 2>/tmp/e.txt
	rc=$?
	vt_check "check without tracefs/debugfs: nothing observed, exit 2 (rc=$rc $(head -1 /tmp/e.txt))" [ $rc = 2 ]
}

guest_vanilla() {
	expect 1 "trace on a kernel without the series" -- "$BIN" trace -d 1
	expect 1 "hist on a kernel without the series" -- "$BIN" hist -d 1
	expect 1 "record on a kernel without the series" -- "$BIN" record -o /tmp/v.itr -d 1
	expect 3 "check on a kernel without the series" -- "$BIN" check -d 1
	"$BIN" doctor >/tmp/doc.txt 2>&1
	rc=$?
	vt_check "doctor on vanilla exits 1 naming what is missing (rc=$rc: $(grep -m1 -i missing /tmp/doc.txt))" \
		bash -c "[ $rc = 1 ] && grep -qi 'missing.*ioasid' /tmp/doc.txt"
}

if [ "${1:-}" = --guest ]; then
	"guest_$2"
	vt_done robust-badinput
	exit
fi

out=''
rc=0
for flavor in fixed vanilla; do
	kdir=$(vt_kernel $flavor)
	o=$("$vt_top/scripts/vm-run.sh" --kernel "$kdir" --timeout 600 -- "$0" --guest $flavor) || rc=1
	out+="# $flavor"$'\n'"$o"$'\n'
done
rb_report robust-badinput $rc <<<"$out"
