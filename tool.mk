# ioasid-trace: the tool's build, included by the top-level Makefile.
#
#   make tool          build/ioasid-trace (static: libbpf, libelf, zlib, libc)
#   make tool STATIC=0 dynamic binary (Debian's libbpf, libelf, zlib); the
#                      default is fully static (see "Link mode" below)
#   make unit-tests    build and run the cmocka unit tests
#   make vmlinux-h KDIR=...   regenerate vmlinux/vmlinux.h from a kernel build
#   V=1                show the commands
#
# libbpf-bootstrap habits: BPF objects are built with clang -target bpf,
# turned into skeletons by bpftool, and the user-space objects include the
# skeletons.  Every output lands under $(IT_BUILD).

IT_BUILD	?= build
IT_CLANG	?= clang
IT_BPFTOOL	?= bpftool
IT_LLVM_STRIP	?= llvm-strip
IT_CC		?= $(CC)
IT_ARCH		:= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

ifeq ($(V),1)
IT_Q :=
IT_MSG = @true
else
IT_Q := @
IT_MSG = @printf '  %-8s %s\n'
endif

# clang -target bpf does not see the host's system include paths; hand
# them over with -idirafter so <bpf/...> and asm headers resolve.
IT_CLANG_SYS_INCLUDES := $(shell $(IT_CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

IT_BPF_CFLAGS := -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(IT_ARCH) \
	-Ivmlinux -Iinclude $(IT_CLANG_SYS_INCLUDES)

IT_CFLAGS := -g -O2 -Wall -Wextra -Wno-unused-parameter -std=gnu11 \
	-D_GNU_SOURCE -Iinclude -Isrc -I$(IT_BUILD)/bpf $(EXTRA_CFLAGS)
# Link mode: static unless STATIC=0.  Measured in the TCG guest
# (docs/performance.md, "Attach time"): the dynamic binary took ~70 ms
# longer from launch to "attached" (the loader mapping and relocating
# libbpf, libelf, zlib and libc, and libbpf's internal calls going through
# the PLT), and a static binary also runs in a guest or on a target that
# lacks those libraries.  Debian ships the .a files with the -dev packages.
STATIC ?= 1
IT_LDFLAGS := $(if $(filter 1,$(STATIC)),-static) $(EXTRA_LDFLAGS)
IT_LDLIBS := -lbpf -lelf -lz

IT_BPF_SRCS := $(wildcard bpf/*.bpf.c)
IT_BPF_HDRS := $(wildcard bpf/*.bpf.h) include/ioasid_trace.h vmlinux/vmlinux.h
IT_BPF_OBJS := $(patsubst bpf/%.bpf.c,$(IT_BUILD)/bpf/%.bpf.o,$(IT_BPF_SRCS))
IT_SKELS := $(patsubst bpf/%.bpf.c,$(IT_BUILD)/bpf/%.skel.h,$(IT_BPF_SRCS))

# Every subdirectory (out/, check/, ...) is part of the tool: a new consumer
# or writer is one more file, no Makefile change.
IT_SRCS := $(wildcard src/*.c src/*/*.c)
IT_HDRS := $(wildcard src/*.h src/*/*.h) include/ioasid_trace.h
IT_OBJS := $(patsubst src/%.c,$(IT_BUILD)/obj/%.o,$(IT_SRCS))
# Everything but main: what the unit tests link against.
IT_LIB_OBJS := $(filter-out $(IT_BUILD)/obj/main.o,$(IT_OBJS))

IT_TEST_SRCS := $(wildcard tests/unit/test_*.c)
IT_TESTS := $(patsubst tests/unit/%.c,$(IT_BUILD)/tests/%,$(IT_TEST_SRCS))

.PHONY: tool unit-tests vmlinux-h tool-clean FORCE
.DELETE_ON_ERROR:
# The skeletons are intermediate to make; keep them: fuzz/fuzz.mk and a
# rebuild of one user-space object need them after the link.
.SECONDARY: $(IT_BPF_OBJS) $(IT_SKELS)

tool: $(IT_BUILD)/ioasid-trace

# tool.mk too: its flags and strip step decide what the object holds.
$(IT_BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(IT_BPF_HDRS) tool.mk
	$(IT_MSG) BPF $@
	@mkdir -p $(@D)
	$(IT_Q)$(IT_CLANG) $(IT_BPF_CFLAGS) -c $< -o $@
	@# The skeleton embeds the object whole: keep BTF (CO-RE needs it),
	@# drop the DWARF (half the size of events.bpf.o; libbpf never reads it).
	$(IT_Q)$(IT_LLVM_STRIP) -g $@

$(IT_BUILD)/bpf/%.skel.h: $(IT_BUILD)/bpf/%.bpf.o
	$(IT_MSG) GEN-SKEL $@
	$(IT_Q)$(IT_BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<))_bpf > $@

# User-space objects include the skeletons: build those first.
$(IT_BUILD)/obj/%.o: src/%.c $(IT_HDRS) $(IT_SKELS)
	$(IT_MSG) CC $@
	@mkdir -p $(@D)
	$(IT_Q)$(IT_CC) $(IT_CFLAGS) -c $< -o $@

# Relink when the link mode changes (STATIC=0 <-> 1).
$(IT_BUILD)/link-mode: FORCE
	@mkdir -p $(@D)
	@echo '$(IT_LDFLAGS) $(IT_LDLIBS)' | cmp -s - $@ || echo '$(IT_LDFLAGS) $(IT_LDLIBS)' > $@

$(IT_BUILD)/ioasid-trace: $(IT_OBJS) $(IT_BUILD)/link-mode
	$(IT_MSG) LINK $@
	$(IT_Q)$(IT_CC) $(IT_LDFLAGS) $(IT_OBJS) $(IT_LDLIBS) -o $@

$(IT_BUILD)/tests/%: tests/unit/%.c $(IT_LIB_OBJS) $(wildcard tests/unit/*.h)
	$(IT_MSG) CC $@
	@mkdir -p $(@D)
	$(IT_Q)$(IT_CC) $(IT_CFLAGS) -Itests/unit $< $(IT_LIB_OBJS) -lcmocka $(IT_LDLIBS) -o $@

# Each test binary prints cmocka's own summary ("[  PASSED  ] N test(s).").
unit-tests: $(IT_TESTS)
	@rc=0; for t in $(IT_TESTS); do \
		echo "== $$t"; \
		IT_TESTDATA=tests/unit/data $$t || rc=1; \
	done; exit $$rc

vmlinux-h:
	@test -n "$(KDIR)" || { echo "usage: make vmlinux-h KDIR=<kernel build dir>" >&2; exit 2; }
	scripts/gen-vmlinux-h.sh $(KDIR)

tool-clean:
	rm -rf $(IT_BUILD)/bpf $(IT_BUILD)/obj $(IT_BUILD)/tests $(IT_BUILD)/ioasid-trace
