# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Restarts that break no session, under systemd as PID 1. Sourced by
# systemd_test.sh after its set-up, with ebrokerd.service running: uses its
# ok(), diag(), wait_for(), as_tenant(), new_session(), $RC_BIN, $SBIN
# and $ATT.
#
# Three ways ebrokerd goes away while four clients of the tenant, each in a
# scope of its own, call echo every 10 ms on attested sessions: kill -9
# (systemd restarts it: Restart=on-failure), `systemctl restart`, and a
# wedged daemon (SIGSTOP) that the watchdog kills. Each time: a new
# ebrokerd runs, a new session is served (the time from the event is
# printed), every client session is listed again by the new daemon, the
# workers are the same processes (taken back, not restarted), and not one
# call failed.

# under_load NAME CMD...: CMD makes ebrokerd go away while the clients call.
under_load() {
	local name=$1 old new t0 t1 listed sid missing=0 calls=0 lost=0 bad=0
	local -a pids=()
	local out=/tmp/rc.${1//[^a-z0-9]/}
	shift
	old=$(main_pid)
	for i in 1 2 3 4; do
		as_tenant $RC_BIN/restart_client 120 >$out.$i 2>&1 &
		pids+=($!)
	done
	wait_for 60 sh -c "grep -l '^session' $out.[1-4] | wc -l | grep -qx 4" ||
		{ cat $out.* | diag; }
	local before qe
	before=$(session_workers $out)
	qe=$(cat /sys/fs/cgroup/ebroker.slice/attestation/cgroup.procs)
	sleep 1
	t0=$(ms)
	"$@"
	wait_for 60 sh -c "p=\$(systemctl show -P MainPID ebrokerd.service); [ \"\$p\" != 0 ] && [ \"\$p\" != $old ]"
	new=$(main_pid)
	new_session
	local r=$?
	t1=$(ms)
	[ $r -eq 0 ] || diag </tmp/rc.probe.err
	[ -n "$new" ] && [ "$new" != "$old" ] && [ "$new" != 0 ] && [ $r -eq 0 ]
	ok $? "$name: systemd runs a new ebrokerd ($old -> $new), which served a new session $((t1 - t0)) ms after"
	listed=$("$SBIN/ebrokerctl" --json sessions 2>&1)
	for i in 1 2 3 4; do
		sid=$(sed -n 's/^session //p' $out.$i)
		[[ $listed == *"\"id\":${sid:-none},"* ]] || missing=$((missing + 1))
	done
	[ $missing -eq 0 ] || echo "$listed" | diag
	ok $missing "$name: the new ebrokerd lists the 4 clients' sessions again"
	# The tenants' workers and the quoting enclave's: the same processes.
	[ -n "$before" ] && [ "$(session_workers $out)" = "$before" ] && [ -n "$qe" ] &&
		[ "$(cat /sys/fs/cgroup/ebroker.slice/attestation/cgroup.procs)" = "$qe" ]
	ok $? "$name: the workers were taken back, not started again (sessions:workers $before; quoting enclave $qe)"
	sleep 1 # calls on the new daemon's watch, too
	kill -TERM "${pids[@]}" 2>/dev/null
	for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
	for i in 1 2 3 4; do
		read -r _ c _ f < <(grep '^calls' $out.$i) || { bad=$((bad + 1)); continue; }
		calls=$((calls + c)) lost=$((lost + f))
	done
	[ $bad -eq 0 ] && [ $lost -eq 0 ] || cat $out.* | diag
	[ $bad -eq 0 ] && [ $lost -eq 0 ] && [ $calls -gt 0 ]
	ok $? "$name: $calls calls by 4 clients throughout, $lost failed"
}

kill_main() { kill "-$1" "$(main_pid)"; }

# session_workers OUT: "SESSION:WORKER_PID ..." for the clients whose output is OUT.N
session_workers() {
	local json sid
	json=$("$SBIN/ebrokerctl" --json sessions)
	for i in 1 2 3 4; do
		sid=$(sed -n 's/^session //p' "$1.$i")
		echo "$json" | grep -o "\"id\":$sid,[^}]*\"worker_pid\":[0-9]*" |
			sed 's/"id":\([0-9]*\),.*"worker_pid":\([0-9]*\)/\1:\2/'
	done | xargs
}

under_load "kill -9" kill_main KILL
under_load "systemctl restart" systemctl restart ebrokerd.service

# The watchdog, made shorter for the test (not so short that a loaded TCG
# guest misses a ping); a stopped process ignores the watchdog's SIGABRT,
# so TimeoutAbortSec= decides when it is killed.
mkdir -p /run/systemd/system/ebrokerd.service.d
printf '[Service]\nWatchdogSec=5s\nTimeoutAbortSec=2s\n' \
	>/run/systemd/system/ebrokerd.service.d/watchdog.conf
systemctl daemon-reload
systemctl restart ebrokerd.service
under_load "SIGSTOP (watchdog)" kill_main STOP
journalctl --no-pager -o cat -u ebrokerd.service | grep -m1 -i watchdog | diag
rm -r /run/systemd/system/ebrokerd.service.d
systemctl daemon-reload
systemctl restart ebrokerd.service
systemctl reset-failed ebrokerd.service 2>/dev/null
