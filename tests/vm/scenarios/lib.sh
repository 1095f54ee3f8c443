# Helpers for scenarios that run INSIDE the guest (sourced).
# H is the harness's debugfs directory; hctl runs one ctl command, echoes
# "cmd -> result" and fails the scenario unless the result starts with "ok".
H=/sys/kernel/debug/ioasid_harness

hload() {
	local ko=$1; shift
	insmod "$ko" "$@" || { echo "scenario: insmod $ko failed" >&2; exit 1; }
}

hctl() {
	local r
	echo "$*" >"$H/ctl"
	r=$(cat "$H/ctl")
	echo "ctl: $* -> $r" >&2
	case $r in ok*) printf '%s\n' "$r" ;; *) echo "scenario: '$*' failed: $r" >&2; exit 1 ;; esac
}

# Value of key K in a "ok k=v k=v" result line.
hval() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"; }
