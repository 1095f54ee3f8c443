# Build the libFuzzer target for the record-file reader (see fuzz/fuzz.sh).
#   make -f fuzz/fuzz.mk            -> build/fuzz/record_fuzz
# Every tool source but main.c, compiled with clang and ASan + UBSan +
# libFuzzer's coverage; the BPF skeletons come from `make tool`.
FZ_BUILD	:= build/fuzz
FZ_CC		:= clang
FZ_SAN		:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FZ_CFLAGS	:= -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -Ibuild/bpf $(FZ_SAN)
FZ_SRCS		:= $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
FZ_OBJS		:= $(patsubst src/%.c,$(FZ_BUILD)/obj/%.o,$(FZ_SRCS))
FZ_HDRS		:= $(wildcard src/*.h src/*/*.h include/*.h build/bpf/*.skel.h)

$(FZ_BUILD)/record_fuzz: fuzz/record_fuzz.c $(FZ_OBJS)
	$(FZ_CC) $(FZ_CFLAGS) -fsanitize=fuzzer $^ -lbpf -lelf -lz -o $@

$(FZ_BUILD)/obj/%.o: src/%.c $(FZ_HDRS)
	@mkdir -p $(@D)
	$(FZ_CC) $(FZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

.DELETE_ON_ERROR:
