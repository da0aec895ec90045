# SPDX-License-Identifier: GPL-2.0
#
# libebimage (included by the top-level Makefile): the enclave image parser
# and writer in build/lib, free of OpenSSL so the daemon can link it; its
# host unit tests (sdk/image/*_test.c) in build/test/sdk/image, linked with
# it alone; and its libFuzzer target in build/fuzz, built with clang and
# run for a bounded time by scripts/fuzz-check.

IMAGE_SRCS	:= $(filter-out %_test.c %_fuzz.c,$(wildcard sdk/image/*.c))
IMAGE_OBJS	:= $(IMAGE_SRCS:%.c=$(B)/obj/%.o)
LIBEBIMAGE	:= $(B)/lib/libebimage.a
IMAGE_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard sdk/image/*_test.c))

FUZZ_CC		?= clang
FUZZ_CFLAGS	:= -std=gnu11 -D_GNU_SOURCE -g -O1 -I. -Iuapi -Isdk/include \
		   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
IMAGE_FUZZ	:= $(B)/fuzz/image_fuzz

USERSPACE_TARGETS += $(LIBEBIMAGE) $(IMAGE_TESTS) $(IMAGE_FUZZ)

$(LIBEBIMAGE): $(IMAGE_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(B)/test/sdk/image/%: sdk/image/%.c $(LIBEBIMAGE)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $< $(LIBEBIMAGE)

# The fuzzer compiles the library's sources itself, instrumented.
$(IMAGE_FUZZ): sdk/image/image_fuzz.c $(IMAGE_SRCS) $(wildcard sdk/image/*.h common/*.h) \
		sdk/include/ebroker/image.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ sdk/image/image_fuzz.c $(IMAGE_SRCS)

.PHONY: fuzz fuzz-check
# sdk/ebroker-sign/ebroker-sign.mk adds the seed corpus, signed images, to `fuzz`.
fuzz: $(IMAGE_FUZZ)

fuzz-check: fuzz
	@scripts/fuzz-check
