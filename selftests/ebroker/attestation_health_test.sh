#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# When protection fails, ebrokerd says so and fails closed: on the host of
# broker_env.sh, each way attestation breaks is provoked in turn, and each
# time `ebrokerctl attestation status` names the reason, the daemon logs an
# attestation-failing event, a new session is refused with that reason (a
# client never gets an unattested session), and the documented recovery
# brings it back:
#
#   not initialised         no state in StateDirectory     -> init, reload
#   key lost                another platform root secret   -> init, reload
#   quoting enclave killed  its worker gone                -> restarted alone
#   root rotated            init --force under a running daemon -> reload
#   certificate expired     the clock past the platform certificate -> rotate
#   platform SVN too low    MinPlatformSVN= above it       -> rotate with a higher SVN
#
# Run as root in a guest with ebroker.ko loaded (scripts/guest-check). It
# reloads the module once (for another root secret) and leaves it loaded
# with epc_size=64M. Prints TAP; exits non-zero when anything failed.
set -u
top=${EBROKER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1
n=0
failed=0

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -d /sys/module/ebroker ] || skip_all "ebroker is not loaded"
for f in build/bin/ebrokerd build/bin/ebroker-worker build/bin/ebrokerctl build/bin/demo-client \
	build/sdk/samples/qe.ebimg build/sdk/samples/keyvault.ebimg; do
	[ -e "$f" ] || skip_all "build first (make userspace): $f is missing"
done
command -v setpriv >/dev/null || skip_all "needs setpriv"

BROKER_CHECK_INTERVAL=1
# shellcheck source=broker_env.sh
. "$top/selftests/ebroker/broker_env.sh"

tap() { # STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
}

cleanup() {
	date -s "@$(($(date +%s) - skew))" >/dev/null 2>&1
	broker_cleanup
}
skew=0
trap cleanup EXIT

status() { "$EBROKERCTL" attestation status 2>&1; }

# wait_status PATTERN: until `attestation status` matches (10 s).
wait_status() {
	local out
	for _ in $(seq 100); do
		out=$(status)
		[[ $out == $1 ]] && return 0
		sleep 0.1
	done
	echo "# attestation status: $out" >&2
	return 1
}

# A session as alice (demo-client: keyvault, attested against EBROKER_ROOT);
# its output in $client_out.
session() {
	client_out=$(as_user alice "$BROKER_BIN/demo-client" alice </dev/null 2>&1)
}

# failing WHAT PATTERN: the status, the refusal and the event all name it.
failing() {
	local what=$1 pattern=$2
	wait_status "attestation: failing: *$pattern*"
	tap $? "$what: ebrokerctl attestation status says failing: $pattern"
	session
	[[ $client_out == *"opening a keyvault session failed: daemon: attestation is failing: "*"$pattern"* ]] &&
		[[ $client_out != *"signed a digest"* ]]
	tap $? "$what: a new session is refused with the reason"
	[ -n "$client_out" ] && echo "#   $client_out" | head -n 2
	grep -q "attestation: failing: .*$pattern" "$BROKER_LOG"
	tap $? "$what: the daemon logged the attestation-failing event"
}

recovered() {
	local what=$1
	wait_status "attestation: ok"
	tap $? "$what: attestation is ok again"
	session
	[[ $client_out == *"attested"*"signed a digest"* ]]
	tap $? "$what: a session opens, attested, and is served"
}

reload() { kill -HUP "$BROKER_PID"; }

echo "1..31"
broker_setup || exit 1
broker_start || exit 1

wait_status "attestation: ok"
tap $? "a configured host: attestation ok"
session
[[ $client_out == *"attested"*"simulated evidence"*"signed a digest"* ]]
tap $? "a session opens attested (simulated evidence, accepted on purpose)"

# Not initialised: an empty state directory.
mv "$BROKER_ATT" "$BROKER_ATT.saved"
mkdir -p "$BROKER_ATT" && cp "$BROKER_ATT.saved/root.pem" "$BROKER_ATT/"
reload
failing "not initialised" "qe.sealed"
rm -rf "$BROKER_ATT" && mv "$BROKER_ATT.saved" "$BROKER_ATT"
reload
recovered "not initialised"

# The quoting enclave's worker is killed: restarted by the daemon.
qe=$(cat "$BROKER_WORKER_CG/attestation/cgroup.procs")
kill -9 $qe
recovered "quoting enclave killed"
new_qe=$(cat "$BROKER_WORKER_CG/attestation/cgroup.procs")
[ -n "$qe" ] && [ -n "$new_qe" ] && [ "$new_qe" != "$qe" ]
tap $? "quoting enclave killed: another worker runs it (${qe:-none} -> ${new_qe:-none})"

# The root is replaced under the running daemon: its loaded chain no longer verifies.
broker_attestation_init --force
failing "root rotated" "chain"
reload
recovered "root rotated"

# The platform certificate expires (the guest's clock moves 400 days on).
skew=$((400 * 86400))
date -s "@$(($(date +%s) + skew))" >/dev/null
failing "certificate expired" "expired"
date -s "@$(($(date +%s) - skew))" >/dev/null
skew=0
broker_attestation_rotate() {
	"$EBROKERCTL" attestation rotate --dir "$BROKER_ATT" --qe "$top/build/sdk/samples/qe.ebimg" \
		"$@" >/dev/null 2>>"$BROKER_TMP/attestation.log"
}
broker_attestation_rotate && reload
recovered "certificate expired"

# A platform SVN floor above the certified SVN.
sed -i 's/^CheckIntervalSec=.*/&\nMinPlatformSVN=5/' "$BROKER_TMP/etc/policy.conf"
reload
failing "platform SVN below the floor" "platform-svn"
broker_attestation_rotate --platform-svn 5 && reload
recovered "platform SVN below the floor"

# The platform's root secret changes (the module is reloaded): the sealed key is lost.
broker_stop
for c in "$BROKER_WORKER_CG"/*/; do echo 1 >"$c/cgroup.kill"; done
for _ in $(seq 50); do pgrep -x ebroker-worker >/dev/null || break; sleep 0.1; done
rmmod ebroker && insmod kmod/ebroker.ko epc_size=64M
tap $? "the module is reloaded with a new random root secret"
broker_start || exit 1
failing "key lost" "cannot unseal"
broker_attestation_init && reload
recovered "key lost"

exit $failed
