# SPDX-License-Identifier: GPL-2.0
#
# The sample enclaves (included by the top-level Makefile), each linked
# with the runtime and signed with a sample key made at build time
# (sdk/runtime/runtime.mk, ebroker-enclave.mk), into
# build/sdk/samples/NAME.ebimg:
#
#   echo	the smallest enclave, for the SDK's tests
#   echo-2tcs	the same code with two TCS: another MRENCLAVE, for tests
#		that need two identities
#
# A sample is one line: $(eval $(call enclave_sample,NAME,OBJECTS,KNOBS)),
# OBJECTS being $(B)/enclave-obj/... objects and KNOBS its layout
# (sdk/runtime/layout.h: -DEBROKER_NR_TCS=8 -DEBROKER_HEAP_PAGES=256 ...).

SAMPLES_OUT	:= $(B)/sdk/samples
SAMPLE_KEY	:= $(EBROKER_KEY)
SAMPLE_SIGNER	:= $(EBROKER_SIGN)
SAMPLE_SIGN_FLAGS := $(EBROKER_SIGN_FLAGS)
SAMPLE_IMAGES	:=

define enclave_sample
SAMPLE_IMAGES += $(SAMPLES_OUT)/$(1).ebimg
$(call ebroker_enclave,$(SAMPLES_OUT)/$(1),$(2),$(3))
endef

ECHO_OBJS	:= $(B)/enclave-obj/sdk/samples/echo/echo.o
$(eval $(call enclave_sample,echo,$(ECHO_OBJS),))
$(eval $(call enclave_sample,echo-2tcs,$(ECHO_OBJS),-DEBROKER_NR_TCS=2))
include sdk/samples/keyvault/keyvault.mk
include sdk/samples/qe/qe.mk

USERSPACE_TARGETS += $(SAMPLE_IMAGES)

# The key's rule is ebroker-enclave.mk's; both need the tree's signer built.
$(SAMPLE_KEY): | $(SAMPLE_SIGNER)
$(SAMPLE_IMAGES): $(SAMPLE_SIGNER)
$(SAMPLE_IMAGES:.ebimg=.lds): uapi/linux/ebroker_sgx.h

# selftests/ebroker/sdk_test loads them.
selftests: $(SAMPLE_IMAGES)
