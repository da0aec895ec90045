# SPDX-License-Identifier: GPL-2.0
#
# ebroker top-level build. `make` builds the module and the userspace parts;
# `make check` runs every test (host unit tests, bounded fuzzing, the kernel
# tests in a guest, the systemd units in a guest that boots systemd);
# `make check-scale` the systemd guest's scale part at full size; `make
# demo` shows the system working in a guest. They install the Debian
# packages they need first (scripts/deps).

GUEST_KVER	= $(shell scripts/guest-kver 2>/dev/null)
GUEST_KDIR	= /lib/modules/$(GUEST_KVER)/build
RUNNING_KDIR	:= /lib/modules/$(shell uname -r)/build
KDIR		?= $(if $(wildcard $(RUNNING_KDIR)),$(RUNNING_KDIR),$(GUEST_KDIR))

PREFIX		?= /usr/local
DESTDIR		?=
B		:= build
KSRC		:= $(B)/linux-source-6.1
KSFT_DIR	:= $(KSRC)/tools/testing/selftests

CC		?= cc
CFLAGS		?= -O2 -g
WARNINGS	:= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
		   -Wmissing-prototypes -Wpointer-arith -Wvla -Wundef \
		   -Wno-unused-parameter
EB_CFLAGS	:= -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing $(WARNINGS) \
		   -I. -Iuapi -Isdk/include -I$(KSFT_DIR) $(CFLAGS)
LDLIBS_CRYPTO	:= -lcrypto

.PHONY: all module userspace check check-scale check-debug demo install uninstall \
	install-sdk uninstall-sdk \
	clean style deps ksrc selftests bench FORCE

all: module userspace

deps:
	@scripts/deps

ksrc: deps
	@scripts/ksrc

# The module. `check` and `demo` always build it for the guest's kernel;
# switching KDIR removes the previous build's kbuild outputs first. Only
# kmod/'s: kbuild's own `clean` of an external module deletes every object
# and archive below the tree, userspace's in build/ too.
KBUILD_OUTPUTS	= kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/modules.order \
		  Module.symvers modules.order .*.cmd

module: deps
	@if [ "$$(cat $(B)/module.kdir 2>/dev/null)" != "$(KDIR)" ]; then \
		rm -f $(KBUILD_OUTPUTS); \
		mkdir -p $(B); echo "$(KDIR)" > $(B)/module.kdir; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 CONFIG_WERROR=y \
		KCFLAGS="-Werror" modules

# ---------------------------------------------------------------- userspace
SIGNER_SRCS	:= $(filter-out %_test.c,$(wildcard sdk/signer/*.c))
SIGNER_OBJS	:= $(SIGNER_SRCS:%.c=$(B)/obj/%.o)
LIBEBSIGN	:= $(B)/lib/libebsign.a

# The signer's tests; every other part builds its own in its fragment.
HOST_TEST_SRCS	:= $(wildcard sdk/signer/*_test.c)
HOST_TESTS	:= $(HOST_TEST_SRCS:%.c=$(B)/test/%)

DEMO_TENANT	:= $(B)/bin/demo-tenant
DEMO_CLIENT	:= $(B)/bin/demo-client

# Each userspace part has its own fragment (common/common.mk, proto/proto.mk,
# sdk/*/*.mk, verify/, libclient/, worker/, daemon/ and ctl/) that appends
# what it builds to USERSPACE_TARGETS. common/'s come first, then proto/'s,
# then the SDK's libraries before the samples and ebroker-sign: the others
# name their objects in their prerequisites (sdk/lib/, the shared ones, last).
# sdk/runtime/ebroker-enclave.mk is the enclave rules' own file, which
# sdk/runtime/runtime.mk includes.
USERSPACE_TARGETS :=
include $(sort $(wildcard common/*.mk)) $(sort $(wildcard proto/*.mk)) \
	$(filter-out sdk/runtime/ebroker-enclave.mk, \
		$(foreach d,image loader runtime samples ebroker-sign lib,$(wildcard sdk/$(d)/*.mk))) \
	$(wildcard verify/*.mk) \
	$(wildcard libclient/*.mk worker/*.mk daemon/*.mk) \
	$(sort $(wildcard ctl/*.mk))

userspace: deps ksrc $(LIBEBSIGN) $(HOST_TESTS) selftests $(DEMO_TENANT) $(DEMO_CLIENT) \
	$(USERSPACE_TARGETS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(LIBEBSIGN): $(SIGNER_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(B)/test/sdk/signer/%: sdk/signer/%.c $(LIBEBSIGN)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $< $(LIBEBSIGN) $(LDLIBS_CRYPTO)

# The selftests' signing keys (keys_test needs a second signer): made on the
# host, where RSA key generation is fast, and read by the tests in the guest.
$(B)/selftests/test-key.pem $(B)/selftests/test-key2.pem:
	@mkdir -p $(dir $@)
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 \
		-pkeyopt rsa_keygen_pubexp:3 -out $@ 2>/dev/null

$(DEMO_TENANT): scripts/demo.d/tenant.c selftests/ebroker/tencl.h $(LIBEBSIGN)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -Wno-sign-compare -o $@ $< $(LIBEBSIGN) $(LDLIBS_CRYPTO)

# It links the shared libebroker, as a tenant's program would.
$(DEMO_CLIENT): scripts/demo.d/client.c $(LIBEBROKER_SO) libclient/include/ebroker/client.h
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(LIBCLIENT_CFLAGS) -o $@ $< $(LIBEBROKER_SO) -Wl,-rpath,'$$ORIGIN/../lib'

selftests: ksrc $(LIBEBSIGN) $(LIBEBIMAGE) $(LIBEBROKER_SO) $(LIBEBPROTO) $(B)/selftests/test-key.pem \
		$(B)/selftests/test-key2.pem
	$(MAKE) -C selftests/ebroker OUTPUT=$(CURDIR)/$(B)/selftests \
		TOP=$(CURDIR) KSFT_DIR=$(CURDIR)/$(KSFT_DIR) CC="$(CC)" \
		LIBEBSIGN=$(CURDIR)/$(LIBEBSIGN) LIBEBIMAGE=$(CURDIR)/$(LIBEBIMAGE)

-include $(shell find $(B)/obj $(B)/test -name '*.d' 2>/dev/null)

# -------------------------------------------------------------------- tests
check: deps
	@$(MAKE) --no-print-directory module KDIR=$(GUEST_KDIR)
	@$(MAKE) --no-print-directory userspace
	@scripts/check

# The kernel tests under the debug kernel (scripts/debug-kernel builds it
# once per machine, outside the checkout), the module built against it.
check-debug: deps
	@$(MAKE) --no-print-directory module KDIR=$$(scripts/debug-kernel)
	@$(MAKE) --no-print-directory userspace
	@scripts/check debug

# The systemd guest's scale part at the issue's full size (scripts/check).
check-scale: deps
	@$(MAKE) --no-print-directory module KDIR=$(GUEST_KDIR)
	@$(MAKE) --no-print-directory userspace
	@scripts/check scale

demo: deps
	@$(MAKE) --no-print-directory module KDIR=$(GUEST_KDIR)
	@$(MAKE) --no-print-directory userspace
	@scripts/vm -- scripts/demo

bench: deps
	@$(MAKE) --no-print-directory module KDIR=$(GUEST_KDIR)
	@$(MAKE) --no-print-directory userspace
	@$(MAKE) --no-print-directory -C bench TOP=$(CURDIR) KDIR=$(GUEST_KDIR) \
		CC="$(CC)" LIBEBSIGN=$(CURDIR)/$(LIBEBSIGN)
	@scripts/vm --timeout 2400 -- bench/run

# ------------------------------------------------------------------ install
MODDIR	?= /lib/modules/$(notdir $(patsubst %/build,%,$(KDIR)))/extra
# systemd, udev and kmod read all of these under /usr/local/lib as well as
# /usr/lib; with PREFIX=/usr they are the distribution's directories.
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
UDEVRULESDIR	?= $(PREFIX)/lib/udev/rules.d
MODULESLOADDIR	?= $(PREFIX)/lib/modules-load.d
MODPROBEDIR	?= $(PREFIX)/lib/modprobe.d
ENCLAVEDIR	?= $(PREFIX)/lib/ebroker/enclaves

# The service names the installed binaries: made anew on every install, as
# PREFIX may differ from the build's.
EBROKERD_SERVICE := $(B)/systemd/ebrokerd.service
$(EBROKERD_SERVICE): systemd/ebrokerd.service.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' $< > $@

# The SDK, which `install` includes: what building, signing and loading
# enclaves outside this tree needs (docs/tutorial.md), and nothing that runs
# ebroker, so `make install-sdk` alone equips a build machine. The enclave
# side's files (linker script, its layout.h, the make fragment) go to
# SDKDIR, which pkg-config ebroker-enclave names.
SDKDIR		?= $(PREFIX)/share/ebroker/sdk
SDK_HEADERS	:= $(wildcard sdk/include/ebroker/*.h)
SDK_INSTALLED	= $(PREFIX)/bin/ebroker-sign $(PREFIX)/share/man/man1/ebroker-sign.1 \
	$(PREFIX)/lib/libebroker-sdk.so.1 $(PREFIX)/lib/libebroker-sdk.so \
	$(PREFIX)/lib/libebroker-sign.so.1 $(PREFIX)/lib/libebroker-sign.so \
	$(PREFIX)/lib/libebroker-enclave.a \
	$(patsubst $(B)/lib/%,$(PREFIX)/lib/%,$(SDK_PCS)) \
	$(patsubst sdk/include/%,$(PREFIX)/include/%,$(SDK_HEADERS)) \
	$(patsubst uapi/%,$(PREFIX)/include/%,$(wildcard uapi/linux/*.h)) \
	$(SDKDIR)/ebroker-enclave.mk $(SDKDIR)/enclave.lds.S $(SDKDIR)/layout.h \
	$(PREFIX)/share/man/man7/ebroker-sdk.7

install-sdk: $(EBROKER_SIGN) $(LIBEBROKER_SDK_SO) $(LIBEBROKER_SIGN_SO) $(LIBEBRT) $(SDK_PCS)
	install -D -m 0755 $(EBROKER_SIGN) $(DESTDIR)$(PREFIX)/bin/ebroker-sign
	install -D -m 0644 docs/man/ebroker-sign.1 $(DESTDIR)$(PREFIX)/share/man/man1/ebroker-sign.1
	install -D -m 0755 $(LIBEBROKER_SDK_SO) $(DESTDIR)$(PREFIX)/lib/libebroker-sdk.so.1
	ln -sf libebroker-sdk.so.1 $(DESTDIR)$(PREFIX)/lib/libebroker-sdk.so
	install -D -m 0755 $(LIBEBROKER_SIGN_SO) $(DESTDIR)$(PREFIX)/lib/libebroker-sign.so.1
	ln -sf libebroker-sign.so.1 $(DESTDIR)$(PREFIX)/lib/libebroker-sign.so
	install -D -m 0644 $(LIBEBRT) $(DESTDIR)$(PREFIX)/lib/libebroker-enclave.a
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/ebroker \
		$(DESTDIR)$(PREFIX)/include/linux $(DESTDIR)$(SDKDIR)
	install -m 0644 $(SDK_PCS) $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 0644 $(SDK_HEADERS) $(DESTDIR)$(PREFIX)/include/ebroker/
	install -m 0644 uapi/linux/*.h $(DESTDIR)$(PREFIX)/include/linux/
	install -m 0644 sdk/runtime/ebroker-enclave.mk sdk/runtime/enclave.lds.S \
		sdk/runtime/layout.h $(DESTDIR)$(SDKDIR)/
	install -D -m 0644 docs/man/ebroker-sdk.7 $(DESTDIR)$(PREFIX)/share/man/man7/ebroker-sdk.7

uninstall-sdk:
	rm -f $(addprefix $(DESTDIR),$(SDK_INSTALLED))
	-rmdir $(DESTDIR)$(SDKDIR) $(DESTDIR)$(PREFIX)/share/ebroker \
		$(DESTDIR)$(PREFIX)/include/ebroker 2>/dev/null

# Everything `install` puts in place, for `uninstall` to remove again.
INSTALLED = $(MODDIR)/ebroker.ko \
	$(PREFIX)/sbin/ebrokerctl $(PREFIX)/sbin/ebrokerd \
	$(LIBEXECDIR)/ebroker-worker $(LIBEXECDIR)/ebroker-qe.ebimg \
	$(PREFIX)/lib/libebroker.so.1 $(PREFIX)/lib/libebroker.so \
	$(PREFIX)/lib/libebverify.so.1 $(PREFIX)/lib/libebverify.so \
	$(PREFIX)/lib/pkgconfig/ebroker.pc $(PREFIX)/lib/pkgconfig/ebverify.pc \
	$(PREFIX)/include/ebroker/client.h $(PREFIX)/include/ebroker/verify.h \
	$(PREFIX)/share/man/man8/ebrokerctl.8 $(PREFIX)/share/man/man8/ebrokerd.8 \
	$(PREFIX)/share/man/man3/libebroker.3 \
	$(PREFIX)/share/man/man3/libebverify.3 \
	$(PREFIX)/share/man/man5/ebroker-policy.5 \
	$(ENCLAVEDIR)/echo.ebimg $(ENCLAVEDIR)/keyvault.ebimg \
	$(SYSTEMDUNITDIR)/ebrokerd.socket $(SYSTEMDUNITDIR)/ebrokerd.service \
	$(SYSTEMDUNITDIR)/ebroker.slice \
	$(TMPFILESDIR)/ebroker.conf $(SYSUSERSDIR)/ebroker.conf \
	$(UDEVRULESDIR)/60-ebroker.rules $(MODULESLOADDIR)/ebroker.conf \
	$(MODPROBEDIR)/ebroker.conf.example

install: all $(EBROKERD_SERVICE) install-sdk
	install -D -m 0644 kmod/ebroker.ko $(DESTDIR)$(MODDIR)/ebroker.ko
	install -D -m 0755 $(B)/bin/ebrokerctl $(DESTDIR)$(PREFIX)/sbin/ebrokerctl
	install -D -m 0755 $(B)/bin/ebrokerd $(DESTDIR)$(PREFIX)/sbin/ebrokerd
	install -D -m 0755 $(B)/bin/ebroker-worker $(DESTDIR)$(LIBEXECDIR)/ebroker-worker
	install -D -m 0644 $(SAMPLES_OUT)/qe.ebimg $(DESTDIR)$(LIBEXECDIR)/ebroker-qe.ebimg
	install -D -m 0755 $(LIBEBROKER_SO) $(DESTDIR)$(PREFIX)/lib/libebroker.so.1
	ln -sf libebroker.so.1 $(DESTDIR)$(PREFIX)/lib/libebroker.so
	install -D -m 0755 $(LIBEBVERIFY_SO) $(DESTDIR)$(PREFIX)/lib/libebverify.so.1
	ln -sf libebverify.so.1 $(DESTDIR)$(PREFIX)/lib/libebverify.so
	install -D -m 0644 $(LIBEBROKER_PC) $(DESTDIR)$(PREFIX)/lib/pkgconfig/ebroker.pc
	install -D -m 0644 $(LIBEBVERIFY_PC) $(DESTDIR)$(PREFIX)/lib/pkgconfig/ebverify.pc
	install -D -m 0644 libclient/include/ebroker/client.h \
		$(DESTDIR)$(PREFIX)/include/ebroker/client.h
	install -D -m 0644 verify/include/ebroker/verify.h \
		$(DESTDIR)$(PREFIX)/include/ebroker/verify.h
	install -D -m 0644 docs/man/ebrokerctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/ebrokerctl.8
	install -D -m 0644 docs/man/ebrokerd.8 $(DESTDIR)$(PREFIX)/share/man/man8/ebrokerd.8
	install -D -m 0644 docs/man/libebroker.3 $(DESTDIR)$(PREFIX)/share/man/man3/libebroker.3
	install -D -m 0644 docs/man/libebverify.3 $(DESTDIR)$(PREFIX)/share/man/man3/libebverify.3
	install -D -m 0644 docs/man/ebroker-policy.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/ebroker-policy.5
	install -D -m 0644 $(SAMPLES_OUT)/echo.ebimg $(DESTDIR)$(ENCLAVEDIR)/echo.ebimg
	install -D -m 0644 $(SAMPLES_OUT)/keyvault.ebimg $(DESTDIR)$(ENCLAVEDIR)/keyvault.ebimg
	install -D -m 0644 systemd/ebrokerd.socket $(DESTDIR)$(SYSTEMDUNITDIR)/ebrokerd.socket
	install -D -m 0644 $(EBROKERD_SERVICE) $(DESTDIR)$(SYSTEMDUNITDIR)/ebrokerd.service
	install -D -m 0644 systemd/ebroker.slice $(DESTDIR)$(SYSTEMDUNITDIR)/ebroker.slice
	install -D -m 0644 systemd/tmpfiles.d/ebroker.conf $(DESTDIR)$(TMPFILESDIR)/ebroker.conf
	install -D -m 0644 systemd/sysusers.d/ebroker.conf $(DESTDIR)$(SYSUSERSDIR)/ebroker.conf
	install -D -m 0644 systemd/udev/60-ebroker.rules $(DESTDIR)$(UDEVRULESDIR)/60-ebroker.rules
	install -D -m 0644 systemd/modules-load.d/ebroker.conf \
		$(DESTDIR)$(MODULESLOADDIR)/ebroker.conf
	install -D -m 0644 systemd/modprobe.d/ebroker.conf.example \
		$(DESTDIR)$(MODPROBEDIR)/ebroker.conf.example
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(notdir $(patsubst %/build,%,$(KDIR))); ldconfig; fi

uninstall: uninstall-sdk
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(PREFIX)/include/ebroker $(DESTDIR)$(ENCLAVEDIR) \
		$(DESTDIR)$(PREFIX)/lib/ebroker 2>/dev/null
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(notdir $(patsubst %/build,%,$(KDIR))); ldconfig; fi

# -------------------------------------------------------------------- style
USER_C	= $(shell git ls-files '*.c' '*.h' | grep -v -E '^(kmod|uapi|bench/kmod)/')

style: ksrc
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse \
		--ignore FILE_PATH_CHANGES \
		-f $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h bench/kmod/*.c))
	@# UAPI headers cannot use the kernel-internal __packed.
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse \
		--ignore FILE_PATH_CHANGES,PREFER_DEFINED_ATTRIBUTE_MACRO -f uapi/linux/*.h
	clang-format --dry-run -Werror $(USER_C)

clean:
	-$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf $(B)/obj $(B)/lib $(B)/test $(B)/selftests $(B)/bin \
		$(B)/enclave-obj $(B)/sdk $(B)/sdk-install $(B)/fuzz $(B)/bench \
		$(B)/module.kdir $(B)/vm/run.*
