#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ebrokerd end to end, on the throwaway multi-tenant host of broker_env.sh:
# broker_test (as root; its agents act as alice, bob and mallory) for the
# tenants' sessions and EPC, quotas, policy, other users' sessions, killed
# workers, reloads, faulting enclaves and a hostile client; broker_load as
# alice for 100 concurrent clients and threads sharing a session. Last:
# nothing left behind (sessions, workers, daemon descriptors, EPC).
#
# Run as root in a guest with ebroker.ko loaded (scripts/guest-check runs it
# after the kselftests). Prints TAP; exits non-zero when anything failed.
set -u
top=${EBROKER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1
st=$top/build/selftests
eb=/sys/kernel/ebroker
daemon_cg=/sys/fs/cgroup/ebroker-test-daemon
failed=0

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -d /sys/module/ebroker ] || skip_all "ebroker is not loaded"
for f in "$st/broker_test" "$st/broker_load" build/bin/ebrokerd build/bin/ebroker-worker \
	build/bin/ebrokerctl build/sdk/samples/echo.ebimg build/sdk/samples/keyvault.ebimg; do
	[ -e "$f" ] || skip_all "build first (make userspace): $f is missing"
done
command -v setpriv >/dev/null || skip_all "needs setpriv"

# shellcheck source=broker_env.sh
. "$top/selftests/ebroker/broker_env.sh"

result() { # STATUS NAME
	if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "not ok - $2"; failed=1; fi
}

cleanup() {
	# broker_test stops the daemon for a moment (open_while_worker_dies).
	[ -n "$BROKER_PID" ] && kill -CONT "$BROKER_PID" 2>/dev/null
	broker_cleanup
	rmdir "$daemon_cg" 2>/dev/null
}
trap cleanup EXIT

daemon_fds() { ls "/proc/$BROKER_PID/fd" | wc -l; }

# Until no tenant's worker runs (echo's and keyvault's IdleTimeoutSec= is 1 s); 1 if
# some still do. The quoting enclave's (in the attestation cgroup) stays.
no_workers() {
	local qe
	for _ in $(seq 100); do
		qe=$(cat "$BROKER_WORKER_CG/attestation/cgroup.procs" 2>/dev/null)
		if ! cat "$BROKER_WORKER_CG"/tenant-*/cgroup.procs 2>/dev/null | grep -q . &&
			[ "$(pgrep -x ebroker-worker | grep -v -x -F "${qe:-none}")" = "" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# The EPC the quoting enclave holds, charged to the workers' root cgroup.
qe_bytes() {
	local id
	id=$(stat -c %i "$BROKER_WORKER_CG")
	cat "$eb/cgroups/$id/current" 2>/dev/null || echo 0
}

# The daemon's descriptors once they stop changing (closed connections take a moment).
settled_fds() {
	local a b
	a=$(daemon_fds)
	for _ in $(seq 20); do
		sleep 0.3
		b=$(daemon_fds)
		[ "$a" -eq "$b" ] && break
		a=$b
	done
	echo "$b"
}

t0=$(date +%s)
broker_setup
if ! broker_start; then
	echo "not ok - ebrokerd starts"
	exit 1
fi
# A cgroup of its own, so that broker_test can show it is charged nothing.
mkdir -p "$daemon_cg" && echo "$BROKER_PID" >"$daemon_cg/cgroup.procs"
result $? "ebrokerd moved into a cgroup of its own"
export BROKER_PID BROKER_TMP BROKER_CG BROKER_WORKER_CG BROKER_SOCKET BROKER_LOG

"$st/broker_test"
result $? "broker_test"

no_workers
fds=$(settled_fds)
as_user alice "$BROKER_BIN/broker_load"
result $? "broker_load (as alice)"

# Nothing left behind.
[ "$("$EBROKERCTL" --json sessions)" = '{"sessions":[]}' ]
result $? "no session open (ebrokerctl --json sessions, as root)"
no_workers
result $? "no worker process left after the idle timeout"
qe=$(qe_bytes)
[ "$qe" -gt 0 ] && [ $(($(cat $eb/pool/free_bytes) + qe)) = "$(cat $eb/pool/total_bytes)" ]
result $? "the EPC pool is whole but the quoting enclave's $qe bytes: free_bytes $(cat $eb/pool/free_bytes) of $(cat $eb/pool/total_bytes)"
after=$(settled_fds)
[ "$after" -eq "$fds" ]
result $? "ebrokerd holds $after descriptors, as before the load ($fds)"
kill -0 "$BROKER_PID" 2>/dev/null
result $? "ebrokerd is still running"

if [ "$failed" -ne 0 ]; then
	echo "# ebrokerd's warnings and errors (its workers' too), the last 40:"
	grep -E '^<[0-4]>' "$BROKER_LOG" | tail -n 40 | sed 's/^/#   /'
fi
echo "# broker_test.sh: $(($(date +%s) - t0)) s"
exit $failed
