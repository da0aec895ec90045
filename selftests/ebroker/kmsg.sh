# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The kernel log since a point, without clearing it: a test that cleared
# it (dmesg -C) would erase what scripts/vm checks the log for afterwards
# (lockdep, KASAN, warnings). Sourced by the tests that read the log.
#
#   kmsg_mark           a point in the log, written to it
#   kmsg_since          the log from the last point on
kmsg_mark() {
	kmsg_tag="ebtest-mark-$$-$SECONDS-$RANDOM"
	echo "$kmsg_tag" >/dev/kmsg
}
kmsg_since() { dmesg | sed -n "/$kmsg_tag/,\$p"; }
