# SPDX-License-Identifier: GPL-2.0
#
# The enclave runtime (included by the top-level Makefile): libebrt.a,
# built freestanding for enclaves, its host unit tests (sdk/runtime/*_test.c)
# in build/test/sdk/runtime, and what every enclave build uses:
#
#   $(B)/enclave-obj/%.o	an enclave object, from %.c or %.S
#   ENCLAVE_LDS_CMD		recipe: the linker script for one enclave, with
#				its layout knobs in ENCLAVE_LAYOUT (e.g.
#				-DEB_NR_TCS=8; see sdk/runtime/layout.h)
#   ENCLAVE_LINK		recipe: link the %.o and the %.lds among the
#				prerequisites with the runtime and BearSSL,
#				and refuse an image with an instruction that
#				faults inside an enclave (CPUID, RDTSC,
#				SYSCALL, INT: e.g. from BearSSL's CPU probes)
#
# See sdk/samples/samples.mk for an enclave built with them.

LIBBEARSSL	:= /usr/lib/x86_64-linux-gnu/libbearssl.a
ENCLAVE_CFLAGS	:= -std=gnu11 -O2 -g -ffreestanding -fPIE -fvisibility=hidden \
		   -fno-stack-protector -mno-red-zone -U_FORTIFY_SOURCE \
		   -fno-asynchronous-unwind-tables -fno-unwind-tables \
		   -ffunction-sections -fdata-sections $(WARNINGS) -Iuapi -Isdk/include
ENCLAVE_LDFLAGS	:= -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,text \
		   -Wl,-z,norelro -Wl,-z,noexecstack -Wl,--build-id=none \
		   -Wl,--gc-sections -Wl,-z,max-page-size=4096
ENCLAVE_LDS_SRC	:= sdk/runtime/enclave.lds.S

RT_SRCS		:= $(filter-out %_test.c %.lds.S,$(wildcard sdk/runtime/*.c sdk/runtime/*.S))
RT_OBJS		:= $(patsubst %,$(B)/enclave-obj/%.o,$(basename $(RT_SRCS)))
LIBEBRT		:= $(B)/lib/libebrt.a
RT_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard sdk/runtime/*_test.c))

USERSPACE_TARGETS += $(LIBEBRT) $(RT_TESTS)

ENCLAVE_LDS_CMD	= $(CPP) -P -undef -D__ASSEMBLY__ -Iuapi -Isdk/runtime $(ENCLAVE_LAYOUT) -o $@ $(ENCLAVE_LDS_SRC)
OBJDUMP		?= objdump
ENCLAVE_ILLEGAL	:= cpuid|rdtscp?|syscall|sysenter|int|int3|into
ENCLAVE_LINK	= $(CC) $(ENCLAVE_LDFLAGS) -Wl,-T,$(filter %.lds,$^) -o $@ $(filter %.o,$^) \
		  -Wl,--start-group $(LIBEBRT) $(LIBBEARSSL) -Wl,--end-group && \
		  if $(OBJDUMP) -d --no-show-raw-insn $@ | \
		     grep -E -m1 '^ *[0-9a-f]+:\s+($(ENCLAVE_ILLEGAL))(\s|$$)'; then \
			echo "$@: instruction illegal in an enclave" >&2; rm -f $@; exit 1; \
		  fi

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
