# ioasid-trace: eBPF tracing and conformance toolkit for the IOASID notifier API.
#
#   make demo            build everything, boot the seed kernel, trace the harness,
#                        show trace, histograms and the conformance verdict
#   make check           every test: unit, kernel flavors, VM tests (prints stage times)
#   make                 the tool only (build/ioasid-trace)
#   make kernel FLAVOR=seed|fixed|vanilla|mutant-NAME   [KERNEL_SRC=..] [EXTRA_PATCHES=..]
#   make harness FLAVOR=...   the harness module for that kernel
#   make vm-shell FLAVOR=...  boot a flavor and run CMD='...' in it (default: a shell)
#   make bench | fuzz | install [PREFIX=/usr/local DESTDIR=]
#
# The tool's own build rules live in tool.mk; the test bed in scripts/.

FLAVOR	?= seed
PREFIX	?= /usr/local
SHELL	:= /bin/bash

.DEFAULT_GOAL := tool
.PHONY: all deps kernel harness vm-shell vm-check check demo bench fuzz install clean

-include tool.mk

all: tool

deps:
	@scripts/deps.sh

kernel: deps
	@scripts/kernel-build.sh $(FLAVOR)

harness: deps
	@scripts/harness-build.sh "$$(scripts/kernel-build.sh $(FLAVOR))"

vm-shell: deps
	@kdir=$$(scripts/kernel-build.sh $(FLAVOR)) && \
	scripts/vm-run.sh --kernel "$$kdir" --timeout 3600 $(if $(CMD),-- bash -c '$(CMD)',-i -- bash -i)

vm-check: deps tool
	@scripts/check.sh --only-vm

check: deps
	@scripts/check.sh

demo: deps
	@scripts/demo.sh

bench: deps tool
	@scripts/bench.sh

# libFuzzer on the record-file reader (fuzz/fuzz.sh); make check runs 25 s.
FUZZ_SECONDS ?= 300
fuzz: deps tool
	@fuzz/fuzz.sh $(FUZZ_SECONDS)

install: tool
	install -D -m 0755 $(IT_BUILD)/ioasid-trace $(DESTDIR)$(PREFIX)/sbin/ioasid-trace
	install -D -m 0644 docs/ioasid-trace.8 $(DESTDIR)$(PREFIX)/share/man/man8/ioasid-trace.8

clean: tool-clean
	rm -rf build
