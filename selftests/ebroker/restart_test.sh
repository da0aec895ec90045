#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A restarted ebrokerd breaks no session: on the host of broker_env.sh,
# alice's client calls echo every 10 ms on one attested session while the
# daemon is killed (SIGKILL, then SIGTERM) and started again. Every call
# must succeed (the data plane does not pass through the daemon); the new
# daemon takes the worker back (its session listed again, with its id, and
# the quoting enclave's worker, so attestation is up at once), serves a new
# session soon after starting (the time is printed), and still stops the
# idle instance once the client is gone.
#
# Run as root in a guest with ebroker.ko loaded (scripts/guest-check).
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
for f in build/bin/ebrokerd build/selftests/restart_client build/bin/ebrokerctl; do
	[ -e "$f" ] || skip_all "build first (make userspace): $f is missing"
done

# shellcheck source=broker_env.sh
. "$top/selftests/ebroker/broker_env.sh"
trap broker_cleanup EXIT

tap() { # STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
}

# ms since the epoch
ms() { date +%s%3N; }

# restart SIGNAL: kill the daemon with SIGNAL while alice's client calls, start another.
restart() {
	local sig=$1 out sid t0 ts t1 listed
	out=$BROKER_TMP/client.$sig
	as_user alice "$BROKER_BIN/restart_client" 120 >"$out" 2>&1 &
	local client=$!
	for _ in $(seq 100); do grep -q '^session' "$out" && break; sleep 0.1; done
	sid=$(sed -n 's/^session //p' "$out")
	sleep 1
	kill "-$sig" "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null
	BROKER_PID=
	sleep 1
	t0=$(ms)
	broker_start || return 1
	ts=$(ms)
	# shellcheck disable=SC2086
	as_user alice "$BROKER_BIN/ebrokerctl" call $trust echo 0 fresh >/dev/null
	local r=$?
	t1=$(ms)
	# How soon is for the benchmark (bench/scale.c); the figure is printed.
	[ "$r" -eq 0 ]
	tap $? "$sig: a new session is served $((t1 - t0)) ms after the daemon starts again (its socket after $((ts - t0)) ms)"
	listed=$("$EBROKERCTL" --json sessions)
	if [[ $listed == *"\"id\":$sid,"* ]]; then
		tap 0 "$sig: the restarted daemon lists session $sid again"
	else
		tap 1 "$sig: the restarted daemon lists session $sid again"
		echo "$listed" | sed 's/^/# /'
	fi
	# The client's worker, while its session lives: the instance taken back.
	workers=$(cat "$BROKER_WORKER_CG"/tenant-*/cgroup.procs 2>/dev/null | xargs)

	kill -TERM "$client"
	wait "$client"
	tap $? "$sig: no call failed across the restart ($(tail -n 1 "$out"))"
}

echo "1..8"
broker_setup || exit 1
trust="--mrsigner $EBROKER_MRSIGNER --isv-prod-id 1 --allow-simulated"
broker_start || exit 1
for _ in $(seq 100); do "$EBROKERCTL" attestation status >/dev/null 2>&1 && break; sleep 0.1; done

restart KILL
restart TERM

# The adopted instance is still reaped when idle (echo: IdleTimeoutSec=1).
for _ in $(seq 100); do
	cat "$BROKER_WORKER_CG"/tenant-*/cgroup.procs 2>/dev/null | grep -q . || break
	sleep 0.1
done
[ -n "${workers:-}" ] && ! cat "$BROKER_WORKER_CG"/tenant-*/cgroup.procs 2>/dev/null | grep -q .
tap $? "the taken-back instance (worker ${workers:-none seen}) stops when idle"
grep -q "taken back with 1 session" "$BROKER_LOG"
tap $? "the daemon logged the worker taken back with its session"
[ "$failed" -eq 0 ] || grep -E "earlier|taken|worker|adopt|KILL|TERM|attestation" "$BROKER_LOG" | head -n 40 | sed 's/^/#   /'
exit $failed
