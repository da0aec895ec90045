# SPDX-License-Identifier: GPL-2.0
#
# ebrokerctl, included by the top-level Makefile: the tool in build/bin, its
# host unit tests (ctl/*_test.c) in build/test/ctl, each linked with every
# object but main's. The daemon's commands use libebroker, linked statically
# (LIBEBROKER_A, after libclient/libclient.mk) with libebproto and libnl-3;
# `attestation` loads the quoting enclave (libebloader, libebimage) and
# issues and verifies with libebverify (verify/verify.mk) and libcrypto;
# the policy options read a signed image's signer with libebsign. Its
# default quoting enclave is $(LIBEXECDIR)/ebroker-qe.ebimg (LIBEXECDIR from
# daemon/daemon.mk).
# libnl's flags are looked up when a recipe runs, so a first `make` that
# installs libnl (deps) still finds them.

CTL_SRCS	:= $(filter-out %_test.c %_fuzz.c,$(wildcard ctl/*.c))
CTL_OBJS	:= $(CTL_SRCS:%.c=$(B)/obj/%.o) $(COMMON_OBJS)
CTL_LIB_OBJS	:= $(filter-out $(B)/obj/ctl/ebrokerctl.o,$(CTL_OBJS))
CTL_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard ctl/*_test.c))
EBROKERCTL	:= $(B)/bin/ebrokerctl

CTL_NL_CFLAGS	= $(shell pkg-config --cflags libnl-genl-3.0)
CTL_NL_LIBS	= $(shell pkg-config --libs libnl-genl-3.0)
CTL_LIBS	= $(LIBEBROKER_A) $(LIBEBPROTO) $(LIBEBVERIFY_A) $(LIBEBLOADER) $(LIBEBSIGN) $(LIBEBIMAGE) \
		  $(CTL_NL_LIBS) $(NL_LIBS) $(LDLIBS_CRYPTO) -lm -pthread
CTL_LIB_DEPS	= $(LIBEBROKER_A) $(LIBEBPROTO) $(LIBEBVERIFY_A) $(LIBEBLOADER) $(LIBEBSIGN) \
		  $(LIBEBIMAGE)

USERSPACE_TARGETS += $(EBROKERCTL) $(CTL_TESTS)

$(B)/obj/ctl/%.o: ctl/%.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(CTL_NL_CFLAGS) $(LIBCLIENT_CFLAGS) $(LIBEBVERIFY_CFLAGS) \
		-DLIBEXECDIR='"$(LIBEXECDIR)"' -MMD -MP -c -o $@ $<

$(EBROKERCTL): $(CTL_OBJS) $(CTL_LIB_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -o $@ $(CTL_OBJS) $(CTL_LIBS)

$(B)/test/ctl/%: ctl/%.c $(CTL_LIB_OBJS) $(CTL_LIB_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(CTL_NL_CFLAGS) $(LIBCLIENT_CFLAGS) -MMD -MP -o $@ $< $(CTL_LIB_OBJS) \
		$(CTL_LIBS)

# The libFuzzer target for CGROUP arguments, mountinfo, sizes and output
# escaping: the sources it needs, compiled in, instrumented. Seeds are in
# ctl/fuzz-seeds. (FUZZ_CC and FUZZ_CFLAGS are shared with sdk/image.)
CTL_FUZZ	:= $(B)/fuzz/ctl_args_fuzz
CTL_FUZZ_SRCS	:= ctl/cgpath.c common/json.c ctl/size.c ctl/table.c
USERSPACE_TARGETS += $(CTL_FUZZ)

$(CTL_FUZZ): ctl/args_fuzz.c $(CTL_FUZZ_SRCS) $(wildcard ctl/*.h common/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ ctl/args_fuzz.c $(CTL_FUZZ_SRCS)

fuzz: $(CTL_FUZZ)
