# SPDX-License-Identifier: GPL-2.0
#
# The sample enclaves (included by the top-level Makefile), each linked
# with the runtime (sdk/runtime/runtime.mk) and signed with a sample key
# made at build time, into build/sdk/samples/NAME.ebimg:
#
#   echo	the smallest enclave, for the SDK's tests
#   echo-2tcs	the same code with two TCS: another MRENCLAVE, for tests
#		that need two identities
#
# A sample is one line: $(eval $(call enclave_sample,NAME,OBJECTS,KNOBS)),
# OBJECTS being $(B)/enclave-obj/... objects and KNOBS its layout
# (sdk/runtime/layout.h: -DEB_NR_TCS=8 -DEB_HEAP_PAGES=256 ...).

SAMPLES_OUT	:= $(B)/sdk/samples
SAMPLE_KEY	:= $(B)/sdk/keys/sample-key.pem
# sdk/ebroker-sign/ebroker-sign.mk is included after this file: name the tool directly.
SAMPLE_SIGNER	:= $(B)/bin/ebroker-sign
SAMPLE_SIGN_FLAGS := --isv-prod-id 1 --isv-svn 1
SAMPLE_IMAGES	:=

define enclave_sample
SAMPLE_IMAGES += $(SAMPLES_OUT)/$(1).ebimg
$(SAMPLES_OUT)/$(1).lds: ENCLAVE_LAYOUT := $(3)
$(SAMPLES_OUT)/$(1).elf: $(2) $(LIBEBRT) $(SAMPLES_OUT)/$(1).lds
	$$(ENCLAVE_LINK)
endef

ECHO_OBJS	:= $(B)/enclave-obj/sdk/samples/echo/echo.o
$(eval $(call enclave_sample,echo,$(ECHO_OBJS),))
$(eval $(call enclave_sample,echo-2tcs,$(ECHO_OBJS),-DEB_NR_TCS=2))
include sdk/samples/keyvault/keyvault.mk
include sdk/samples/qe/qe.mk

USERSPACE_TARGETS += $(SAMPLE_IMAGES)

$(SAMPLES_OUT)/%.lds: $(ENCLAVE_LDS_SRC) sdk/runtime/layout.h uapi/linux/ebroker_sgx.h
	@mkdir -p $(dir $@)
	$(ENCLAVE_LDS_CMD)

# Made once; keygen never replaces a key.
$(SAMPLE_KEY): | $(SAMPLE_SIGNER)
	@mkdir -p $(dir $@)
	$(SAMPLE_SIGNER) keygen $@

$(SAMPLES_OUT)/%.ebimg: $(SAMPLES_OUT)/%.elf $(SAMPLE_SIGNER) $(SAMPLE_KEY)
	$(SAMPLE_SIGNER) sign --key $(SAMPLE_KEY) $(SAMPLE_SIGN_FLAGS) $< -o $@

# selftests/ebroker/sdk_test loads them.
selftests: $(SAMPLE_IMAGES)
