#!/usr/bin/env bash
# Fuzz the record-file reader with libFuzzer for a bounded time.
#
#   fuzz/fuzz.sh [SECONDS]          (default 60; `make fuzz FUZZ_SECONDS=N`)
#
# The corpus lives in build/fuzz/corpus and grows from run to run; every run
# first adds the real recordings: tests/data/*.itr (scripts/make-corpus.sh
# records them in the guest) and the bench's recordings
# (build/bench/*/guest/rec-round1.itr).  A crash, a sanitizer report, a leak
# or an input that takes longer than 10 s (a hang) fails the run; libFuzzer
# leaves the input in build/fuzz/crash-* / leak-* / timeout-*.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${1:-60}
make -s tool >/dev/null
make -s -f fuzz/fuzz.mk build/fuzz/record_fuzz >/dev/null
corpus=build/fuzz/corpus
mkdir -p "$corpus"
shopt -s nullglob
for f in tests/data/*.itr build/bench/*/guest/rec-round1.itr; do
	cp "$f" "$corpus/real-$(sha1sum <"$f" | cut -c1-16).itr"
done
# Uncompressed copies ("raw-"): the target's third way compresses them.
for f in tests/data/*.itr build/bench/*/guest/rec-round1.itr; do
	python3 - "$f" "$corpus/raw-$(sha1sum <"$f" | cut -c1-16).itr" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
hsz = struct.unpack_from("<H", d, 10)[0]	# it_rec_header.header_size
out, off = bytearray(d[:hsz]), hsz
while off + 24 <= len(d):
    tag, raw_len, comp_len, nitems, crc, hcrc = struct.unpack_from("<4sIIIII", d, off)
    payload = zlib.decompress(d[off + 24:off + 24 + comp_len])
    out += struct.pack("<4sIIIII", tag, raw_len, len(payload), nitems, 0, 0) + payload
    off += 24 + comp_len
open(sys.argv[2], "wb").write(out)
PY
done
# Recordings are up to a few MB; let libFuzzer mutate inputs that large.
max_len=$(find "$corpus" -type f -printf '%s\n' | sort -n | tail -1)
max_len=$((${max_len:-4096} > 4096 ? ${max_len:-4096} : 4096))
echo "fuzz: $(find "$corpus" -type f | wc -l) corpus inputs, ${secs}s"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	build/fuzz/record_fuzz -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len="$max_len" -artifact_prefix=build/fuzz/ -print_final_stats=1 "$corpus" 2>&1 |
	grep -vE '^#[0-9]+.*(NEW|REDUCE|pulse)' | tail -40
