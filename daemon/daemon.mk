# SPDX-License-Identifier: GPL-2.0
#
# ebrokerd (included by the top-level Makefile): build/bin/ebrokerd from
# every daemon/*.c but tests and fuzz targets, with libebimage (to verify
# images), libebsign (MRSIGNER) with libcrypto, libebverify (the
# quoting enclave's self-check), libebproto, the size
# formatter of ctl/, libsystemd (sd-event, sd-daemon, sd-journal) and
# libnl-3. The worker it starts is worker/'s ebroker-worker, installed to
# $(LIBEXECDIR).

LIBEXECDIR	?= $(PREFIX)/libexec
DAEMON_SRCS	:= $(filter-out %_test.c %_fuzz.c,$(wildcard daemon/*.c))
DAEMON_OBJS	:= $(DAEMON_SRCS:%.c=$(B)/obj/%.o)
EBROKERD	:= $(B)/bin/ebrokerd

SYSTEMD_CFLAGS	= $(shell pkg-config --cflags libsystemd)
SYSTEMD_LIBS	= $(shell pkg-config --libs libsystemd)

USERSPACE_TARGETS += $(EBROKERD)

$(B)/obj/daemon/%.o: daemon/%.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(NL_CFLAGS) $(SYSTEMD_CFLAGS) $(LIBEBVERIFY_CFLAGS) \
		-DLIBEXECDIR='"$(LIBEXECDIR)"' \
		-MMD -MP -c -o $@ $<

$(EBROKERD): $(DAEMON_OBJS) $(B)/obj/ctl/size.o $(LIBEBIMAGE) $(LIBEBPROTO) $(LIBEBSIGN) \
		$(LIBEBVERIFY_A)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -o $@ $(DAEMON_OBJS) $(B)/obj/ctl/size.o $(LIBEBIMAGE) $(LIBEBPROTO) \
		$(LIBEBSIGN) $(LIBEBVERIFY_A) \
		$(NL_LIBS) $(SYSTEMD_LIBS) $(LDLIBS_CRYPTO)

# Host unit tests, each linked with just the objects it tests.
DAEMON_TESTS	:= $(B)/test/daemon/peer_test $(B)/test/daemon/quota_test \
		   $(B)/test/daemon/image_test $(B)/test/daemon/conn_test
USERSPACE_TARGETS += $(DAEMON_TESTS)

$(B)/test/daemon/peer_test: daemon/peer_test.c $(B)/obj/daemon/peer.o
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $(filter %.c %.o,$^)

$(B)/test/daemon/quota_test: daemon/quota_test.c $(B)/obj/daemon/quota.o $(B)/obj/ctl/size.o
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $(filter %.c %.o,$^)

# It reads the signed sample images, so they come first.
$(B)/test/daemon/image_test: daemon/image_test.c $(B)/obj/daemon/image.o $(LIBEBIMAGE) \
		$(LIBEBSIGN) $(SAMPLES_OUT)/echo.ebimg $(SAMPLES_OUT)/keyvault.ebimg
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ daemon/image_test.c $(B)/obj/daemon/image.o \
		$(LIBEBIMAGE) $(LIBEBSIGN) $(LDLIBS_CRYPTO)

# It runs build/bin/ebrokerd itself (as root; it skips otherwise), and its
# clients use the static libebroker.
$(B)/test/daemon/conn_test: daemon/conn_test.c $(LIBEBROKER_A) $(LIBEBPROTO) $(LIBEBVERIFY_A) \
		| $(EBROKERD)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBCLIENT_CFLAGS) $(NL_CFLAGS) -MMD -MP -o $@ $< \
		$(LIBEBROKER_A) $(LIBEBPROTO) $(LIBEBVERIFY_A) $(NL_LIBS) $(LDLIBS_CRYPTO) -pthread
