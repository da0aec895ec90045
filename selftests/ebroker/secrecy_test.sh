#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# keyvault's private key stays in the enclave: secrecy_test (see its header)
# on the host of broker_env.sh, with keyvault-debug configured for root so
# that the test can read the key out of the enclave and search for it
# everywhere else. Run as root in a guest with ebroker.ko loaded.
set -u
top=${EBROKER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1
st=$top/build/selftests

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -d /sys/module/ebroker ] || skip_all "ebroker is not loaded"
for f in "$st/secrecy_test" build/sdk/samples/keyvault-debug.ebimg; do
	[ -e "$f" ] || skip_all "build first (make userspace): $f is missing"
done

# shellcheck source=broker_env.sh
. "$top/selftests/ebroker/broker_env.sh"
trap broker_cleanup EXIT

broker_setup || exit 1
broker_enclave keyvault-debug "$top/build/sdk/samples/keyvault-debug.ebimg" "MaxInstances=1"
cat >"$BROKER_TMP/etc/policy.d/20-root-debug.conf" <<-EOF2
	[Allow]
	Enclaves=keyvault-debug
	Users=root
EOF2
broker_start || exit 1
for _ in $(seq 100); do
	qe=$(cat "$BROKER_WORKER_CG/attestation/cgroup.procs" 2>/dev/null) && [ -n "$qe" ] && break
	sleep 0.1
done

EB_ENCLAVE_SIZE=$(broker_image_field "$top/build/sdk/samples/keyvault-debug.ebimg" "enclave size") \
	EB_DAEMON_PID=$BROKER_PID EB_QE_PID=$qe EB_RELAY_DIR=$BROKER_TMP "$st/secrecy_test"
