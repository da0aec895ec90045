#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The SDK as an installed kit, guest part: runs the host program that
# scripts/sdk-install-check built outside the tree against the installed
# SDK (build/sdk-install/dir names its directory), which loads the enclave
# it built and signed there, and checks the ECALLs' answers.
#
# Run as root in a guest with ebroker.ko loaded (insmod kmod/ebroker.ko
# epc_size=64M). Prints TAP; exits non-zero when anything failed.
set -u
top=${EBROKER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ -d /sys/module/ebroker ] || skip_all "ebroker is not loaded"
[ -r build/sdk-install/dir ] || skip_all "scripts/sdk-install-check has not run on the host"
app=$(cat build/sdk-install/dir)/app
[ -x "$app/hello-host" ] || skip_all "scripts/sdk-install-check built no $app/hello-host"

echo "1..2"
out=$("$app/hello-host" "$app/hello.ebimg" "guest" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
if [ $rc -eq 0 ] && [ "$(echo "$out" | head -1)" = "hello from inside the enclave, guest" ]; then
	echo "ok 1 - the out-of-tree enclave answers ECALL 0"
else
	echo "not ok 1 - the out-of-tree enclave answers ECALL 0 (status $rc)"
	rc=1
fi
if [ "$(echo "$out" | sed -n 2p)" = "count ECALL called 3 times" ]; then
	echo "ok 2 - and counts its ECALL 1 calls"
else
	echo "not ok 2 - and counts its ECALL 1 calls"
	rc=1
fi
exit $rc
