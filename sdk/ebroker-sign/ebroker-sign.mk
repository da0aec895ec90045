# SPDX-License-Identifier: GPL-2.0
#
# ebroker-sign (included by the top-level Makefile): the tool in build/bin;
# its host unit tests (sdk/ebroker-sign/*_test.c) in build/test/sdk/ebroker-sign, each
# linked with every object but main's; the small enclave ELFs the tests sign,
# linked from sdk/ebroker-sign/testdata; the fuzzers' seeds, images signed from
# those and the ELFs themselves; and the ELF reader's libFuzzer target.

SIGN_SRCS	:= $(filter-out %_test.c %_fuzz.c,$(wildcard sdk/ebroker-sign/*.c))
SIGN_OBJS	:= $(SIGN_SRCS:%.c=$(B)/obj/%.o) $(COMMON_OBJS)
SIGN_LIB_OBJS	:= $(filter-out $(B)/obj/sdk/ebroker-sign/ebroker-sign.o,$(SIGN_OBJS))
SIGN_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard sdk/ebroker-sign/*_test.c))
EBROKER_SIGN	:= $(B)/bin/ebroker-sign

# Test enclaves: freestanding static PIEs laid out by a linker script.
TEST_ELF_DIR	:= $(B)/sdk/ebroker-sign/testdata
TEST_ELFS	:= $(patsubst sdk/ebroker-sign/testdata/%.S,$(TEST_ELF_DIR)/%.elf, \
		   $(wildcard sdk/ebroker-sign/testdata/*.S))
TEST_ELF_FLAGS	:= -nostdlib -fPIE -static-pie -Wl,--no-dynamic-linker \
		   -Wl,-z,noexecstack -Wl,--build-id=none -Wl,-z,norelro

FUZZ_SEEDS	:= $(B)/fuzz/corpus/tiny.ebimg $(B)/fuzz/corpus/tiny-debug.ebimg \
		   $(B)/fuzz/elf-corpus/tiny.elf $(B)/fuzz/elf-corpus/tcs-reloc.elf
ELF_FUZZ	:= $(B)/fuzz/elf_fuzz
# selftests/ebroker/image_test loads it beside the samples.
SELFTEST_IMAGE	:= $(B)/selftests/tiny.ebimg

USERSPACE_TARGETS += $(EBROKER_SIGN) $(SIGN_TESTS) $(TEST_ELFS) $(FUZZ_SEEDS) \
		     $(ELF_FUZZ) $(SELFTEST_IMAGE)

$(EBROKER_SIGN): $(SIGN_OBJS) $(LIBEBSIGN) $(LIBEBIMAGE)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -o $@ $^ $(LDLIBS_CRYPTO)

$(B)/test/sdk/ebroker-sign/%: sdk/ebroker-sign/%.c $(SIGN_LIB_OBJS) $(LIBEBSIGN) $(LIBEBIMAGE) \
		$(EBROKER_SIGN) $(TEST_ELFS)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $< $(SIGN_LIB_OBJS) $(LIBEBSIGN) $(LIBEBIMAGE) \
		$(LDLIBS_CRYPTO)

$(TEST_ELF_DIR)/%.elf: sdk/ebroker-sign/testdata/%.S sdk/ebroker-sign/testdata/enclave.lds
	@mkdir -p $(dir $@)
	$(CC) $(TEST_ELF_FLAGS) $(TEST_ELF_EXTRA) -Wl,-T,sdk/ebroker-sign/testdata/enclave.lds -o $@ $<

# Let the relocation in its TCS through, for ebroker-sign to refuse.
$(TEST_ELF_DIR)/tcs-reloc.elf: TEST_ELF_EXTRA := -Wl,-z,notext

$(B)/fuzz/corpus/tiny.ebimg $(SELFTEST_IMAGE): $(TEST_ELF_DIR)/tiny.elf $(EBROKER_SIGN) \
		$(B)/selftests/test-key.pem
	@mkdir -p $(dir $@)
	$(EBROKER_SIGN) sign --key $(B)/selftests/test-key.pem --date 20260101 $< -o $@

$(B)/fuzz/corpus/tiny-debug.ebimg: $(TEST_ELF_DIR)/tiny.elf $(EBROKER_SIGN) \
		$(B)/selftests/test-key.pem
	@mkdir -p $(dir $@)
	$(EBROKER_SIGN) sign --key $(B)/selftests/test-key.pem --date 20260101 --debug \
		--isv-prod-id 7 --isv-svn 3 $< -o $@

$(B)/fuzz/elf-corpus/%.elf: $(TEST_ELF_DIR)/%.elf
	@mkdir -p $(dir $@)
	cp $< $@

# The ELF reader, instrumented, with the image library it feeds.
$(ELF_FUZZ): sdk/ebroker-sign/elf_fuzz.c sdk/ebroker-sign/elf.c sdk/ebroker-sign/cli.h $(IMAGE_SRCS) \
		$(wildcard sdk/image/*.h common/*.h) sdk/signer/ossl.h sdk/include/ebroker/image.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ sdk/ebroker-sign/elf_fuzz.c sdk/ebroker-sign/elf.c $(IMAGE_SRCS)

fuzz: $(ELF_FUZZ) $(FUZZ_SEEDS)
