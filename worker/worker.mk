# SPDX-License-Identifier: GPL-2.0
#
# ebroker-worker (included by the top-level Makefile): the sandboxed
# process that runs one enclave instance for ebrokerd, in build/bin; its
# host unit tests (worker/*_test.c) in build/test/worker, each linked with
# every worker object but main's. libnl's and libseccomp's flags are looked
# up when a recipe runs, after scripts/deps has installed them.

WORKER_SRCS	:= $(filter-out %_test.c,$(wildcard worker/*.c))
WORKER_OBJS	:= $(WORKER_SRCS:%.c=$(B)/obj/%.o)
WORKER_LIB_OBJS	:= $(filter-out $(B)/obj/worker/main.o,$(WORKER_OBJS))
WORKER_TESTS	:= $(patsubst %.c,$(B)/test/%,$(wildcard worker/*_test.c))
EBROKER_WORKER	:= $(B)/bin/ebroker-worker

WORKER_CFLAGS	= $(NL_CFLAGS) $(shell pkg-config --cflags libseccomp)
# libnl and libseccomp are linked statically: a worker is exec'd for every
# cold open, and resolving two more shared libraries is a good part of its
# start-up time.
WORKER_LIBS	= $(LIBEBLOADER) $(LIBEBIMAGE) $(LIBEBPROTO) \
		  -Wl,-Bstatic $(shell pkg-config --static --libs libnl-3.0 libseccomp) -Wl,-Bdynamic

USERSPACE_TARGETS += $(EBROKER_WORKER) $(WORKER_TESTS)

$(B)/obj/worker/%.o: worker/%.c
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(WORKER_CFLAGS) -MMD -MP -c -o $@ $<

$(EBROKER_WORKER): $(WORKER_OBJS) $(LIBEBLOADER) $(LIBEBIMAGE) $(LIBEBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) -o $@ $(WORKER_OBJS) $(WORKER_LIBS)

$(B)/test/worker/%: worker/%.c $(WORKER_LIB_OBJS) $(LIBEBLOADER) $(LIBEBIMAGE) $(LIBEBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(EB_CFLAGS) $(WORKER_CFLAGS) -MMD -MP -o $@ $< $(WORKER_LIB_OBJS) $(WORKER_LIBS)
