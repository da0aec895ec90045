# SPDX-License-Identifier: GPL-2.0
#
# The SDK as an installed kit (included by the top-level Makefile after the
# SDK's other fragments): what `make install` puts under PREFIX for
# programs and enclaves built outside this tree. Two shared libraries, one
# per role, split where OpenSSL comes in:
#
#   libebroker-sdk.so.1	libebimage and libebloader: read images, load
#			enclaves, call them. No OpenSSL, like the daemon
#			that links the same code: a program that runs
#			enclaves does not carry a signer. pkg-config
#			ebroker-sdk.
#   libebroker-sign.so.1	libebsign: MRENCLAVE, signing keys, SIGSTRUCTs
#			(OpenSSL, whose EVP_PKEY its API takes), linked
#			against libebroker-sdk for the image it measures.
#			pkg-config ebroker-sign.
#
# Each exports the ebroker_ functions of its headers only (the .map files);
# programs in this tree keep linking the static archives. The enclave side
# stays static: an enclave is a static PIE with no dynamic loader, so the
# runtime is installed as libebroker-enclave.a with the linker script and
# sdk/runtime/ebroker-enclave.mk, which pkg-config ebroker-enclave names.

SDK_VERSION	:= 1.0.0
LIBEBROKER_SDK_SO := $(B)/lib/libebroker-sdk.so.1
LIBEBROKER_SIGN_SO := $(B)/lib/libebroker-sign.so.1
SDK_PCS		:= $(B)/lib/pkgconfig/ebroker-sdk.pc $(B)/lib/pkgconfig/ebroker-sign.pc \
		   $(B)/lib/pkgconfig/ebroker-enclave.pc

USERSPACE_TARGETS += $(LIBEBROKER_SDK_SO) $(LIBEBROKER_SIGN_SO) $(SDK_PCS)

$(LIBEBROKER_SDK_SO): $(IMAGE_OBJS) $(LOADER_OBJS) sdk/lib/ebroker-sdk.map
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -shared -Wl,-soname,libebroker-sdk.so.1 \
		-Wl,--version-script=sdk/lib/ebroker-sdk.map -Wl,-z,defs -o $@ \
		$(IMAGE_OBJS) $(LOADER_OBJS) -pthread

$(LIBEBROKER_SIGN_SO): $(SIGNER_OBJS) sdk/lib/ebroker-sign.map $(LIBEBROKER_SDK_SO)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -shared -Wl,-soname,libebroker-sign.so.1 \
		-Wl,--version-script=sdk/lib/ebroker-sign.map -Wl,-z,defs -o $@ \
		$(SIGNER_OBJS) $(LIBEBROKER_SDK_SO) $(LDLIBS_CRYPTO)

# Made anew on every run: they hold PREFIX, which `make install PREFIX=...` may change.
$(B)/lib/pkgconfig/%.pc: sdk/lib/%.pc.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(SDK_VERSION)|' $< > $@
