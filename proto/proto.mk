# SPDX-License-Identifier: GPL-2.0
#
# libebproto (included by the top-level Makefile): framing and strict
# parsing of the session protocol, in build/lib/libebproto.a (PIC, so that
# libebroker.so can take it in), for ebrokerd, the worker, libebroker and
# ebrokerctl; its host unit tests (proto/*_test.c) in build/test/proto and
# its libFuzzer target in build/fuzz. libnl's flags are looked up when a
# recipe runs, after scripts/deps has installed libnl.

PROTO_SRCS	:= $(filter-out %_test.c %_fuzz.c,$(wildcard proto/*.c))
PROTO_OBJS	:= $(PROTO_SRCS:%.c=$(B)/obj/%.o)
LIBEBPROTO	:= $(B)/lib/libebproto.a
PROTO_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard proto/*_test.c))
PROTO_FUZZ	:= $(B)/fuzz/proto_fuzz

NL_CFLAGS	= $(shell pkg-config --cflags libnl-3.0)
NL_LIBS		= $(shell pkg-config --libs libnl-3.0)

USERSPACE_TARGETS += $(LIBEBPROTO) $(PROTO_TESTS) $(PROTO_FUZZ)

$(B)/obj/proto/%.o: proto/%.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(NL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(LIBEBPROTO): $(PROTO_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(B)/test/proto/%: proto/%.c $(LIBEBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(NL_CFLAGS) -MMD -MP -o $@ $< $(LIBEBPROTO) $(NL_LIBS)

$(PROTO_FUZZ): proto/proto_fuzz.c $(PROTO_SRCS) proto/proto.h uapi/linux/ebroker_proto.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(NL_CFLAGS) -o $@ proto/proto_fuzz.c $(PROTO_SRCS) $(NL_LIBS)

fuzz: $(PROTO_FUZZ)
