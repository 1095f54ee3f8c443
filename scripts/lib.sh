# Shared helpers for the test-bed scripts (sourced, not run).

it_log() { printf '%s\n' "ioasid-trace: $*" >&2; }
it_die() { printf '%s\n' "ioasid-trace: error: $*" >&2; exit 1; }

# Where kernel builds, ccache and probe results live: outside the checkout so
# a fresh clone on the same machine finds them.
it_cache_dir() {
	local d=${IOASID_TRACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ioasid-trace}
	mkdir -p "$d/kernels" "$d/src"
	echo "$d"
}
