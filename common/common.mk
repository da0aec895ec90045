# SPDX-License-Identifier: GPL-2.0
#
# What the userspace parts share (included by the top-level Makefile before
# every other fragment, whose prerequisites name COMMON_OBJS): the objects,
# built by the top-level rule and linked into ebrokerctl and ebroker-sign,
# and their host unit tests (common/*_test.c) in build/test/common.
# common/util.h is header-only.

COMMON_SRCS	:= $(filter-out %_test.c,$(wildcard common/*.c))
COMMON_OBJS	:= $(COMMON_SRCS:%.c=$(B)/obj/%.o)
COMMON_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard common/*_test.c))

USERSPACE_TARGETS += $(COMMON_TESTS)

$(B)/test/common/%: common/%.c $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -MMD -MP -o $@ $< $(COMMON_OBJS)
