# SPDX-License-Identifier: GPL-2.0
#
# libebverify (included by the top-level Makefile before libclient/): the
# evidence verifier as build/lib/libebverify.so.1 (only the symbols of
# libebverify.map exported) with its libebverify.so link and pkg-config
# file; a static build/lib/libebverify.a of the same PIC objects, which
# also holds the internal issuer API (verify/issue.h, ebv_*), for
# libebroker and ebrokerctl (link it with LDLIBS_CRYPTO); its host unit
# tests (verify/*_test.c) in build/test/verify, linked with the static
# library and the test-only quote synthesizer (verify/testquote.h,
# TESTQUOTE_OBJ for other parts' tests); and its libFuzzer target
# build/fuzz/quote_fuzz with seeds in verify/fuzz-seeds, which
# build/fuzz/quote_seeds writes anew: `build/fuzz/quote_seeds verify/fuzz-seeds`.

LIBEBVERIFY_VERSION	:= 1.0.0
LIBEBVERIFY_CFLAGS	:= -Iverify/include
VERIFY_SRCS		:= verify/quote.c verify/verify.c verify/issue.c verify/cache.c
VERIFY_OBJS		:= $(VERIFY_SRCS:%.c=$(B)/obj/%.o)
VERIFY_TESTS		:= $(patsubst %.c,$(B)/test/%,$(wildcard verify/*_test.c))
TESTQUOTE_OBJ		:= $(B)/obj/verify/testquote.o
LIBEBVERIFY_SO		:= $(B)/lib/libebverify.so.1
LIBEBVERIFY_A		:= $(B)/lib/libebverify.a
LIBEBVERIFY_PC		:= $(B)/lib/pkgconfig/ebverify.pc
QUOTE_FUZZ		:= $(B)/fuzz/quote_fuzz
QUOTE_SEEDS		:= $(B)/fuzz/quote_seeds

USERSPACE_TARGETS += $(LIBEBVERIFY_SO) $(B)/lib/libebverify.so $(LIBEBVERIFY_A) \
	$(LIBEBVERIFY_PC) $(VERIFY_TESTS) $(QUOTE_FUZZ) $(QUOTE_SEEDS)

$(B)/obj/verify/%.o: verify/%.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBEBVERIFY_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(LIBEBVERIFY_SO): $(VERIFY_OBJS) verify/libebverify.map
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -shared -Wl,-soname,libebverify.so.1 \
		-Wl,--version-script=verify/libebverify.map -Wl,-z,defs -o $@ \
		$(VERIFY_OBJS) $(LDLIBS_CRYPTO)

$(B)/lib/libebverify.so: $(LIBEBVERIFY_SO)
	ln -sf libebverify.so.1 $@

$(LIBEBVERIFY_A): $(VERIFY_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# Made anew on every run: it holds PREFIX, which `make install PREFIX=...` may change.
$(LIBEBVERIFY_PC): verify/ebverify.pc.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(LIBEBVERIFY_VERSION)|' $< > $@

$(B)/test/verify/%: verify/%.c $(TESTQUOTE_OBJ) $(LIBEBVERIFY_A)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBEBVERIFY_CFLAGS) -MMD -MP -o $@ $< $(TESTQUOTE_OBJ) \
		$(LIBEBVERIFY_A) $(LDLIBS_CRYPTO)

$(QUOTE_SEEDS): verify/quote_seeds.c $(TESTQUOTE_OBJ) $(LIBEBVERIFY_A)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBEBVERIFY_CFLAGS) -MMD -MP -o $@ $< $(TESTQUOTE_OBJ) \
		$(LIBEBVERIFY_A) $(LDLIBS_CRYPTO)

# The fuzzer compiles the library's sources itself, instrumented. (FUZZ_CC
# and FUZZ_CFLAGS are sdk/image's.)
$(QUOTE_FUZZ): verify/quote_fuzz.c $(VERIFY_SRCS) verify/testquote.c $(wildcard verify/*.h) \
		verify/include/ebroker/verify.h uapi/linux/ebroker_attest.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LIBEBVERIFY_CFLAGS) -o $@ verify/quote_fuzz.c \
		$(VERIFY_SRCS) verify/testquote.c $(LDLIBS_CRYPTO)

fuzz: $(QUOTE_FUZZ)
