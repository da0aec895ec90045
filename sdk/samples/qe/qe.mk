# SPDX-License-Identifier: GPL-2.0
#
# The `sim` quoting enclave (included by sdk/samples/samples.mk, after its
# enclave_sample rule): build/sdk/samples/qe.ebimg, signed with the sample
# key as ISVPRODID 0xeb01, ISVSVN 1. `ebrokerctl attestation` provisions
# it; its ECALLs are <linux/ebroker_attest.h>'s EB_QE_*.

QE_OBJS		:= $(B)/enclave-obj/sdk/samples/qe/qe.o

$(eval $(call enclave_sample,qe,$(QE_OBJS),))

$(SAMPLES_OUT)/qe.ebimg: EBROKER_SIGN_FLAGS := --isv-prod-id 0xeb01 --isv-svn 1
