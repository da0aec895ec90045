# SPDX-License-Identifier: GPL-2.0
#
# ebrokerd's policy (included by the top-level Makefile): daemon/policy.c,
# built by the top-level object rule and linked into ebrokerd (POLICY_OBJS);
# its host unit tests in build/test/daemon/policy_test and its libFuzzer
# target in build/fuzz/policy_fuzz (seeds in daemon/fuzz-seeds). The test
# has an explicit rule, so that it does not compete with a pattern rule for
# the daemon's other tests. (FUZZ_CC and FUZZ_CFLAGS come from sdk/image.)

POLICY_SRCS	:= daemon/policy.c
POLICY_OBJS	:= $(POLICY_SRCS:%.c=$(B)/obj/%.o)
POLICY_TEST	:= $(B)/test/daemon/policy_test
POLICY_FUZZ	:= $(B)/fuzz/policy_fuzz

USERSPACE_TARGETS += $(POLICY_TEST) $(POLICY_FUZZ)

$(POLICY_TEST): daemon/policy_test.c $(POLICY_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $< $(POLICY_OBJS)

$(POLICY_FUZZ): daemon/policy_fuzz.c $(POLICY_SRCS) daemon/policy.h common/util.h \
		uapi/linux/ebroker_proto.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ daemon/policy_fuzz.c $(POLICY_SRCS)

fuzz: $(POLICY_FUZZ)
