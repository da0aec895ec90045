# SPDX-License-Identifier: GPL-2.0
#
# libebroker (included by the top-level Makefile after proto/proto.mk): the
# client library as build/lib/libebroker.so.1 (with the libebproto objects
# it needs taken in, and only the symbols of libebroker.map exported), the
# libebroker.so link, a static build/lib/libebroker.a of the same objects
# for ebrokerctl (link it with LIBEBPROTO and NL_LIBS), its pkg-config file,
# and its host unit tests (libclient/*_test.c) in build/test/libclient.

LIBCLIENT_VERSION	:= 1.0.0
LIBCLIENT_CFLAGS	:= -Ilibclient/include
LIBCLIENT_SRCS		:= $(filter-out %_test.c,$(wildcard libclient/*.c))
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

$(LIBEBROKER_SO): $(LIBCLIENT_OBJS) $(LIBEBPROTO) libclient/libebroker.map
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -shared -Wl,-soname,libebroker.so.1 \
		-Wl,--version-script=libclient/libebroker.map -Wl,-z,defs -o $@ \
		$(LIBCLIENT_OBJS) $(LIBEBPROTO) $(NL_LIBS) -pthread

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
$(B)/test/libclient/%: libclient/%.c $(LIBEBROKER_A) $(LIBEBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBCLIENT_CFLAGS) $(NL_CFLAGS) -pthread -MMD -MP -o $@ $< \
		$(LIBEBROKER_A) $(LIBEBPROTO) $(NL_LIBS)
