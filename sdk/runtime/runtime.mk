# SPDX-License-Identifier: GPL-2.0
#
# The enclave runtime (included by the top-level Makefile):
# build/lib/libebroker-enclave.a, built freestanding for enclaves, its host
# unit tests (sdk/runtime/*_test.c) in build/test/sdk/runtime, and the rules
# every enclave build uses: those of ebroker-enclave.mk (installed with the
# SDK for enclaves built outside this tree) with the tree's runtime, headers
# and linker script, and
#
#   $(B)/enclave-obj/%.o	an enclave object, from %.c or %.S, compiled
#				with ENCLAVE_CFLAGS (the fragment's and
#				-Werror's warnings)
#
# See sdk/samples/samples.mk for enclaves built with them.

LIBEBRT		:= $(B)/lib/libebroker-enclave.a
EBROKER_ENCLAVE_RUNTIME := $(LIBEBRT)
EBROKER_ENCLAVE_INCLUDES := -Iuapi -Isdk/include
EBROKER_ENCLAVE_LDS_DIR := sdk/runtime
# The tree's signer (sdk/ebroker-sign/ebroker-sign.mk) and the samples' key.
EBROKER_SIGN	:= $(B)/bin/ebroker-sign
EBROKER_KEY	:= $(B)/sdk/keys/sample-key.pem
include sdk/runtime/ebroker-enclave.mk
LIBBEARSSL	:= $(EBROKER_BEARSSL)
ENCLAVE_CFLAGS	:= $(EBROKER_ENCLAVE_CFLAGS) $(WARNINGS)

RT_SRCS		:= $(filter-out %_test.c %.lds.S,$(wildcard sdk/runtime/*.c sdk/runtime/*.S))
RT_OBJS		:= $(patsubst %,$(B)/enclave-obj/%.o,$(basename $(RT_SRCS)))
RT_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard sdk/runtime/*_test.c))

USERSPACE_TARGETS += $(LIBEBRT) $(RT_TESTS)

$(B)/enclave-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ENCLAVE_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/enclave-obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ENCLAVE_CFLAGS) -Isdk/runtime -MMD -MP -c -o $@ $<

$(LIBEBRT): $(RT_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# Host tests of the runtime's portable parts, against OpenSSL.
$(B)/test/sdk/runtime/cmac_test: sdk/runtime/cmac_test.c sdk/runtime/cmac.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $^ $(LIBBEARSSL) $(LDLIBS_CRYPTO)

$(B)/test/sdk/runtime/heap_test: sdk/runtime/heap_test.c sdk/runtime/heap.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -Isdk/runtime -MMD -MP -o $@ $(filter %.c,$^)

-include $(shell find $(B)/enclave-obj -name '*.d' 2>/dev/null)

# The session layer's test (libclient/channel_test.c) builds both ends for
# the host: this runtime's channel.c and session.c (BearSSL; the test
# stubs what they use of the rest of the runtime) against libebroker's
# channel.c (OpenSSL). Both re-key every 4 records, to cross re-keys fast.
CHANNEL_TEST_SRCS := libclient/channel_test.c libclient/channel.c sdk/runtime/channel.c \
		     sdk/runtime/session.c
$(B)/test/libclient/channel_test: $(CHANNEL_TEST_SRCS)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -DEB_RECORD_REKEY_INTERVAL=4 -pthread -MMD -MP -o $@ $^ \
		$(LIBBEARSSL) $(LDLIBS_CRYPTO)
