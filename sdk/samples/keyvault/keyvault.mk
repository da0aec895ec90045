# SPDX-License-Identifier: GPL-2.0
#
# The keyvault sample (included by sdk/samples/samples.mk, after its
# enclave_sample rule), and the variants its tests need, each another
# identity of the same code:
#
#   keyvault		sample key, ISVSVN 1, 4 TCS
#   keyvault-2tcs	two TCS: another MRENCLAVE, the same MRSIGNER
#   keyvault-other	keyvault.elf signed with another key (other-key.pem):
#			the same MRENCLAVE, another MRSIGNER
#   keyvault-debug	keyvault.elf signed with --debug: the same MRENCLAVE
#			and MRSIGNER, the DEBUG attribute
#   keyvault-svn2	keyvault.elf signed with ISVSVN 2: the next security
#			version of the same product
#   keyvault-big	a 16 MiB heap, for bench/ecall's load-time figure

KEYVAULT_OBJS	:= $(B)/enclave-obj/sdk/samples/keyvault/keyvault.o
KEYVAULT_OTHER_KEY := $(B)/sdk/keys/other-key.pem

$(eval $(call enclave_sample,keyvault,$(KEYVAULT_OBJS),))
$(eval $(call enclave_sample,keyvault-2tcs,$(KEYVAULT_OBJS),-DEBROKER_NR_TCS=2))
$(eval $(call enclave_sample,keyvault-big,$(KEYVAULT_OBJS),-DEBROKER_HEAP_PAGES=4096))

SAMPLE_IMAGES	+= $(SAMPLES_OUT)/keyvault-other.ebimg $(SAMPLES_OUT)/keyvault-debug.ebimg \
		   $(SAMPLES_OUT)/keyvault-svn2.ebimg

$(KEYVAULT_OTHER_KEY): | $(SAMPLE_SIGNER)
	@mkdir -p $(dir $@)
	$(SAMPLE_SIGNER) keygen $@

$(SAMPLES_OUT)/keyvault-other.ebimg: $(SAMPLES_OUT)/keyvault.elf $(SAMPLE_SIGNER) \
		$(KEYVAULT_OTHER_KEY)
	$(SAMPLE_SIGNER) sign --key $(KEYVAULT_OTHER_KEY) $(SAMPLE_SIGN_FLAGS) $< -o $@

$(SAMPLES_OUT)/keyvault-debug.ebimg: $(SAMPLES_OUT)/keyvault.elf $(SAMPLE_SIGNER) $(SAMPLE_KEY)
	$(SAMPLE_SIGNER) sign --key $(SAMPLE_KEY) $(SAMPLE_SIGN_FLAGS) --debug $< -o $@

$(SAMPLES_OUT)/keyvault-svn2.ebimg: $(SAMPLES_OUT)/keyvault.elf $(SAMPLE_SIGNER) $(SAMPLE_KEY)
	$(SAMPLE_SIGNER) sign --key $(SAMPLE_KEY) --isv-prod-id 1 --isv-svn 2 $< -o $@
