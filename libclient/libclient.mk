# SPDX-License-Identifier: GPL-2.0
#
# libebroker (included by the top-level Makefile after proto/proto.mk): the
# client library as build/lib/libebroker.so.1 (with the libebproto objects
# it needs taken in, and only the symbols of libebroker.map exported), the
# libebroker.so link, a static build/lib/libebroker.a of the same objects
# for ebrokerctl (link it with LIBEBPROTO and NL_LIBS), its pkg-config file,
# and its host unit tests (libclient/*_test.c) in build/test/libclient.

LIBCLIENT_VERSION	:= 1.0.0
LIBCLIENT_CFLAGS	:= -Ilibclient/include $(LIBEBVERIFY_CFLAGS)
LIBCLIENT_SRCS		:= $(filter-out %_test.c %_fuzz.c,$(wildcard libclient/*.c))
LIBCLIENT_OBJS		:= $(LIBCLIENT_SRCS:%.c=$(B)/obj/%.o)
LIBCLIENT_TESTS		:= $(patsubst %.c,$(B)/test/%,$(wildcard libclient/*_test.c))
LIBEBROKER_SO		:= $(B)/lib/libebroker.so.1
LIBEBROKER_A		:= $(B)/lib/libebroker.a
LIBEBROKER_PC		:= $(B)/lib/pkgconfig/ebroker.pc

USERSPACE_TARGETS += $(LIBEBROKER_SO) $(B)/lib/libebroker.so $(LIBEBROKER_A) \
	$(LIBEBROKER_PC) $(LIBCLIENT_TESTS)

$(B)/obj/libclient/%.o: libclient/%.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBCLIENT_CFLAGS) $(NL_CFLAGS) -fPIC -fvisibility=hidden -pthread \
		-MMD -MP -c -o $@ $<

# It verifies quotes with libebverify.so.1, found next to it ($$ORIGIN).
$(LIBEBROKER_SO): $(LIBCLIENT_OBJS) $(LIBEBPROTO) libclient/libebroker.map $(LIBEBVERIFY_SO) \
		$(B)/lib/libebverify.so
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -shared -Wl,-soname,libebroker.so.1 \
		-Wl,--version-script=libclient/libebroker.map -Wl,-z,defs -o $@ \
		$(LIBCLIENT_OBJS) $(LIBEBPROTO) -L$(B)/lib -lebverify -Wl,-rpath,'$$ORIGIN' \
		$(NL_LIBS) $(LDLIBS_CRYPTO) -pthread

$(B)/lib/libebroker.so: $(LIBEBROKER_SO)
	ln -sf libebroker.so.1 $@

$(LIBEBROKER_A): $(LIBCLIENT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# Made anew on every run: it holds PREFIX, which `make install PREFIX=...` may change.
$(LIBEBROKER_PC): libclient/ebroker.pc.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(LIBCLIENT_VERSION)|' $< > $@

# The tests link the static library, which also gives them the internal
# functions (ebc_*) that the shared one hides.
$(B)/test/libclient/%: libclient/%.c $(LIBEBROKER_A) $(LIBEBPROTO) $(LIBEBVERIFY_A)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBCLIENT_CFLAGS) $(NL_CFLAGS) -pthread -MMD -MP -o $@ $< \
		$(LIBEBROKER_A) $(LIBEBPROTO) $(LIBEBVERIFY_A) $(NL_LIBS) $(LDLIBS_CRYPTO)

# client_test's fake enclave seals and opens records with the runtime's end
# of the channel, built for the host with BearSSL (as channel_test is), and
# its fake daemon quotes with the test-only synthesizer (verify/testquote.h).
CLIENT_TEST_SRCS := libclient/client_test.c sdk/runtime/channel.c
$(B)/test/libclient/client_test: $(CLIENT_TEST_SRCS) $(LIBEBROKER_A) $(LIBEBPROTO) \
		$(TESTQUOTE_OBJ) $(LIBEBVERIFY_A)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBCLIENT_CFLAGS) $(NL_CFLAGS) -pthread -MMD -MP -o $@ \
		$(CLIENT_TEST_SRCS) $(LIBEBROKER_A) $(LIBEBPROTO) $(TESTQUOTE_OBJ) \
		$(LIBEBVERIFY_A) $(LIBBEARSSL) $(NL_LIBS) $(LDLIBS_CRYPTO)

# The libFuzzer target for session records (libclient/record_fuzz.c): the
# client's RESULT parser and, built for the host, the enclave runtime's
# CALL parser; seeds in libclient/fuzz-seeds (valid records, written by
# EB_FUZZ_WRITE_SEEDS=DIR build/fuzz/record_fuzz). channel_test's rule is
# in sdk/runtime/runtime.mk.
RECORD_FUZZ	:= $(B)/fuzz/record_fuzz
RECORD_FUZZ_SRCS := libclient/record_fuzz.c libclient/channel.c sdk/runtime/channel.c
USERSPACE_TARGETS += $(RECORD_FUZZ)

$(RECORD_FUZZ): $(RECORD_FUZZ_SRCS) libclient/channel.h sdk/runtime/channel.h \
		uapi/linux/ebroker_attest.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DEB_RECORD_REKEY_INTERVAL=2 -o $@ $(RECORD_FUZZ_SRCS) \
		$(LIBBEARSSL) $(LDLIBS_CRYPTO)

fuzz: $(RECORD_FUZZ)
