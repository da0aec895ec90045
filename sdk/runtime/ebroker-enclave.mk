# SPDX-License-Identifier: GPL-2.0
#
# ebroker-enclave.mk: how to build an enclave, for GNU make. Installed with
# the SDK, where a Makefile outside this tree includes it with
#
#   include $(shell pkg-config --variable=makefile ebroker-enclave)
#
# and finds the runtime, its headers and the linker script through
# pkg-config ebroker-enclave; in this tree sdk/runtime/runtime.mk sets
# EBROKER_ENCLAVE_{INCLUDES,RUNTIME,LDS_DIR} to the tree's and includes it.
# It gives:
#
#   $(eval $(call ebroker_enclave,NAME,OBJECTS[,KNOBS]))
#		NAME.ebimg, signed with EBROKER_KEY, from NAME.elf, linked
#		from OBJECTS (compiled from .c or .S with
#		EBROKER_ENCLAVE_CFLAGS by make's built-in rules) with the
#		runtime and BearSSL through NAME.lds, the linker script with
#		the layout KNOBS (-DEBROKER_NR_TCS=8 -DEBROKER_HEAP_PAGES=256 ...; see
#		layout.h beside it). NAME may have a directory.
#   EBROKER_KEY	the signing key, made with `ebroker-sign keygen` if it is
#		missing (default enclave-key.pem); EBROKER_SIGN_FLAGS the
#		other `ebroker-sign sign` options (default --isv-prod-id 1
#		--isv-svn 1); EBROKER_SIGN the command
#   EBROKER_ENCLAVE_CFLAGS, EBROKER_ENCLAVE_LDFLAGS
#		the compiler's and the linker's flags for enclave code
#   EBROKER_ENCLAVE_LDS_CMD, EBROKER_ENCLAVE_LINK
#		recipes: the linker script (with EBROKER_ENCLAVE_LAYOUT),
#		and the link of the %.o and the %.lds among the
#		prerequisites, which refuses an image holding an instruction
#		that faults inside an enclave (CPUID, RDTSC, SYSCALL, INT:
#		e.g. from BearSSL's CPU probes)

# Its rules leave the including Makefile's default goal alone.
ebroker_enclave_goal := $(.DEFAULT_GOAL)

PKG_CONFIG	?= pkg-config
ifndef EBROKER_ENCLAVE_RUNTIME
EBROKER_ENCLAVE_RUNTIME := $(shell $(PKG_CONFIG) --variable=runtime ebroker-enclave)
ifeq ($(EBROKER_ENCLAVE_RUNTIME),)
$(error pkg-config finds no ebroker-enclave: add the SDK's lib/pkgconfig to PKG_CONFIG_PATH)
endif
EBROKER_ENCLAVE_INCLUDES := $(shell $(PKG_CONFIG) --cflags ebroker-enclave)
EBROKER_ENCLAVE_LDS_DIR := $(shell $(PKG_CONFIG) --variable=sdkdir ebroker-enclave)
endif

EBROKER_BEARSSL	?= /usr/lib/x86_64-linux-gnu/libbearssl.a
EBROKER_SIGN	?= ebroker-sign
EBROKER_KEY	?= enclave-key.pem
EBROKER_SIGN_FLAGS ?= --isv-prod-id 1 --isv-svn 1

EBROKER_ENCLAVE_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fPIE -fvisibility=hidden \
		   -fno-stack-protector -mno-red-zone -U_FORTIFY_SOURCE \
		   -fno-asynchronous-unwind-tables -fno-unwind-tables \
		   -ffunction-sections -fdata-sections $(EBROKER_ENCLAVE_INCLUDES)
EBROKER_ENCLAVE_LDFLAGS := -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,text \
		   -Wl,-z,norelro -Wl,-z,noexecstack -Wl,--build-id=none \
		   -Wl,--gc-sections -Wl,-z,max-page-size=4096

# The script takes the TCS layout from <linux/ebroker_sgx.h>, which gives
# assembler and linker scripts its constants only.
EBROKER_ENCLAVE_LDS_CMD = $(CPP) -P -undef -D__ASSEMBLY__ -I$(EBROKER_ENCLAVE_LDS_DIR) \
		   $(EBROKER_ENCLAVE_INCLUDES) $(EBROKER_ENCLAVE_LAYOUT) \
		   -o $@ $(EBROKER_ENCLAVE_LDS_DIR)/enclave.lds.S
OBJDUMP		?= objdump
EBROKER_ENCLAVE_ILLEGAL := cpuid|rdtscp?|syscall|sysenter|int|int3|into
EBROKER_ENCLAVE_LINK = $(CC) $(EBROKER_ENCLAVE_LDFLAGS) -Wl,-T,$(filter %.lds,$^) -o $@ \
		   $(filter %.o,$^) -Wl,--start-group $(EBROKER_ENCLAVE_RUNTIME) \
		   $(EBROKER_BEARSSL) -Wl,--end-group && \
		   if $(OBJDUMP) -d --no-show-raw-insn $@ | \
		      grep -E -m1 '^ *[0-9a-f]+:\s+($(EBROKER_ENCLAVE_ILLEGAL))(\s|$$)'; then \
			echo "$@: instruction illegal in an enclave" >&2; rm -f $@; exit 1; \
		   fi

define ebroker_enclave
$(2): CFLAGS = $$(EBROKER_ENCLAVE_CFLAGS)
$(2): ASFLAGS = $$(EBROKER_ENCLAVE_CFLAGS)
$(1).lds: EBROKER_ENCLAVE_LAYOUT := $(3)
$(1).lds: $(EBROKER_ENCLAVE_LDS_DIR)/enclave.lds.S $(EBROKER_ENCLAVE_LDS_DIR)/layout.h
	@mkdir -p $$(dir $$@)
	$$(EBROKER_ENCLAVE_LDS_CMD)
$(1).elf: $(2) $(EBROKER_ENCLAVE_RUNTIME) $(1).lds
	$$(EBROKER_ENCLAVE_LINK)
$(1).ebimg: $(1).elf $(EBROKER_KEY)
	$$(EBROKER_SIGN) sign --key $$(EBROKER_KEY) $$(EBROKER_SIGN_FLAGS) $$< -o $$@
endef

# Made once; keygen never replaces a key.
$(EBROKER_KEY):
	@mkdir -p $(dir $@)
	$(EBROKER_SIGN) keygen $@

.DEFAULT_GOAL := $(ebroker_enclave_goal)
