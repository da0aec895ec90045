# SPDX-License-Identifier: GPL-2.0
#
# libebloader (included by the top-level Makefile): loads signed enclave
# images and calls into them; build/lib/libebloader.a, free of OpenSSL so
# that the daemon can link it. Programs using it link libebimage after it.
# Its host unit tests (sdk/loader/*_test.c: the vDSO parser) go to
# build/test/sdk/loader.

LOADER_SRCS	:= $(filter-out %_test.c,$(wildcard sdk/loader/*.c sdk/loader/*.S))
LOADER_OBJS	:= $(patsubst %,$(B)/obj/%.o,$(basename $(LOADER_SRCS)))
LIBEBLOADER	:= $(B)/lib/libebloader.a
LOADER_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard sdk/loader/*_test.c))

USERSPACE_TARGETS += $(LIBEBLOADER) $(LOADER_TESTS)

$(B)/obj/sdk/loader/%.o: sdk/loader/%.S
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(LIBEBLOADER): $(LOADER_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(B)/test/sdk/loader/%: sdk/loader/%.c $(LIBEBLOADER)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $< $(LIBEBLOADER)

# selftests/ebroker/sdk_test links both libraries and loads the samples.
selftests: $(LIBEBLOADER) $(LIBEBIMAGE)
