#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The shipped units, under systemd as PID 1:
#
#   scripts/vm --systemd -- selftests/ebroker/systemd_test.sh
#
# `make install` into the guest's root (the overlay is writable; `-o all`
# installs what the host built, it builds nothing), then systemd-sysusers,
# systemd-tmpfiles, `ebrokerctl attestation init` and a policy in
# /etc/ebroker made from daemon/examples. Then: the socket listens and the
# service is not running; an unprivileged user in the group ebroker, in a
# scope of its own, calls the installed keyvault and so starts ebrokerd by
# socket activation; the enclave's EPC is charged to that scope's cgroup;
# the workers are in ebroker.slice, not in the service; STATUS= shows the
# counts and "attestation ok"; and `systemd-analyze security` scores the
# service. Then the parts named in $EBTEST_PARTS (default: restart), each
# a file sourced from here that uses ok(), wait_for() and the variables
# above:
#   systemd_restart.sh  kill -9, systemctl restart and a wedged daemon,
#                       with clients calling throughout
#   systemd_scale.sh    1,000 concurrent clients; 10,000 sessions held
#                       (scripts/check runs it smaller, and at full size
#                       for `make check-scale`)
# Last, `systemctl stop ebrokerd` and then `systemctl stop ebrokerd.socket
# ebrokerd`, each while two clients call: every session ends, its client
# told why; no ebrokerd and no worker is left when systemctl returns; all
# EPC is back in the pool. TAP output, the plan at the end.
set -u
top=${EBROKER_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PREFIX=/usr/local
SBIN=$PREFIX/sbin
ENCLAVES=$PREFIX/lib/ebroker/enclaves
ATT=/var/lib/ebroker/attestation
USER_NAME=ebtenant
SCOPE_SLICE=ebtest.slice
n=0
failed=0

ok() { # COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

diag() { sed 's/^/# /'; }

bail() {
	echo "Bail out! $*"
	journalctl --no-pager -o cat -u ebrokerd.service -u ebrokerd.socket 2>/dev/null |
		tail -n 30 | diag
	exit 1
}

# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

[ "$(cat /proc/1/comm)" = systemd ] || {
	echo "1..0 # SKIP needs systemd as PID 1 (scripts/vm --systemd)"
	exit 0
}
start=$SECONDS

# --- install, as an operator would
make -s -C "$top" -o all install DESTDIR= PREFIX=$PREFIX >/tmp/install.log 2>&1 ||
	{ diag </tmp/install.log; bail "make install failed"; }
ok 0 "make install into the guest's root"
systemctl daemon-reload
systemd-sysusers >/dev/null 2>&1 || bail "systemd-sysusers failed"
systemd-tmpfiles --create ebroker.conf || bail "systemd-tmpfiles failed"
udevadm control --reload >/dev/null 2>&1
modprobe ebroker epc_size=64M || bail "modprobe ebroker failed"
udevadm settle >/dev/null 2>&1
[ "$(stat -c '%U:%G %a' /dev/ebroker)" = "root:root 600" ]
ok $? "/dev/ebroker is root:root 0600"
getent group ebroker >/dev/null
ok $? "systemd-sysusers made the group ebroker"

"$SBIN/ebrokerctl" attestation init >/tmp/att.log 2>&1 ||
	{ diag </tmp/att.log; bail "ebrokerctl attestation init failed"; }

# The shipped example policy with the installed images and their signer,
# and a rule for our tenant.
rm -rf /etc/ebroker
mkdir -p /etc/ebroker
cp -r "$top/daemon/examples/." /etc/ebroker/
rm -f /etc/ebroker/policy.d/*.conf
signer=$("$top/build/bin/ebroker-sign" dump "$ENCLAVES/keyvault.ebimg" | sed -n 's/^mrsigner: *//p')
qsigner=$("$top/build/bin/ebroker-sign" dump "$PREFIX/libexec/ebroker-qe.ebimg" |
	sed -n 's/^mrsigner: *//p')
# A call timeout for a loaded TCG guest: the restart tests call for
# seconds while other guests may share the host's cores.
for e in echo keyvault; do
	sed -i -e "s|^Image=.*|Image=$ENCLAVES/$e.ebimg|" -e "s|^MRSIGNER=.*|MRSIGNER=$signer|" \
		-e "s|^CallTimeoutSec=.*|CallTimeoutSec=30|" /etc/ebroker/enclaves.d/$e.conf
done
sed -i -e "s|^Image=.*|Image=$PREFIX/libexec/ebroker-qe.ebimg|" \
	-e "s|^MRSIGNER=.*|MRSIGNER=$qsigner|" /etc/ebroker/enclaves.d/qe.conf
cat >/etc/ebroker/policy.d/10-tenants.conf <<EOF
[Allow]
Enclaves=echo keyvault
Groups=tenants
EOF

getent group tenants >/dev/null || groupadd tenants
getent passwd $USER_NAME >/dev/null ||
	useradd -M -N -g users -G ebroker,tenants -d / -s /usr/sbin/nologin $USER_NAME

# --- the socket, before anyone connects
systemctl start ebrokerd.socket || bail "cannot start ebrokerd.socket"
sock=/run/ebroker/ebroker.sock
[ -S $sock ] && [ "$(stat -c '%U:%G %a' $sock)" = "root:ebroker 660" ] &&
	systemctl is-active -q ebrokerd.socket && ! systemctl is-active -q ebrokerd.service
ok $? "ebrokerd.socket listens (root:ebroker 0660); ebrokerd.service is not running"

# --- a tenant's call, in a scope of its own, starts the daemon
out=$(systemd-run --quiet --scope --unit=ebtest-tenant --slice=$SCOPE_SLICE -- \
	setpriv --reuid=$USER_NAME --regid=users --init-groups -- /bin/sh -c '
	printf "\001\000\000\000\000\000\000\000" |
		'"$SBIN"'/ebrokerctl call --timeout=${EBTEST_CALL_TIMEOUT:-120} --hex --image '"$ENCLAVES"'/keyvault.ebimg \
		--allow-simulated --root '"$ATT"'/root.pem keyvault 0 - >/tmp/kv.out 2>/tmp/kv.err
	rc=$?
	cg=$(cut -d: -f3 /proc/self/cgroup)
	id=$(stat -c %i /sys/fs/cgroup$cg)
	echo "rc=$rc cg=$cg id=$id"
	' 2>&1)
echo "$out" | diag
rc=$(echo "$out" | sed -n 's/.*rc=\([0-9]*\) .*/\1/p')
[ "${rc:-1}" -eq 0 ] && [ "$(head -c 2 /tmp/kv.out)" = 04 ]
ok $? "an unprivileged user's keyvault call through socket activation succeeds"
[ -s /tmp/kv.err ] && diag </tmp/kv.err
[ "${rc:-1}" -eq 0 ] || journalctl --no-pager -o cat -u ebrokerd.service | tail -n 40 | diag
systemctl is-active -q ebrokerd.service
ok $? "the connection started ebrokerd.service"
[ "$(echo "$out" | sed -n 's/.*cg=\([^ ]*\) .*/\1/p')" = /$SCOPE_SLICE/ebtest-tenant.scope ]
ok $? "the call ran in its own scope"
# Read by root: per-cgroup sysfs files are root-only.
id=$(echo "$out" | sed -n 's/.*id=\([0-9]*\).*/\1/p')
cur=$(cat "/sys/kernel/ebroker/cgroups/${id:-none}/current" 2>/dev/null)
[ "${cur:-0}" -gt 0 ]
ok $? "the enclave's EPC is charged to the tenant's scope (${cur:-0} bytes)"

# --- where the processes are
main=$(systemctl show -P MainPID ebrokerd.service)
svc_procs=$(cat /sys/fs/cgroup/system.slice/ebrokerd.service/cgroup.procs 2>/dev/null | xargs)
workers=$(cat /sys/fs/cgroup/ebroker.slice/*/cgroup.procs 2>/dev/null | xargs)
echo "ebrokerd $main; service cgroup: $svc_procs; ebroker.slice: $workers" | diag
[ "$svc_procs" = "$main" ] && [ -n "$workers" ]
ok $? "the workers are in ebroker.slice, only ebrokerd is in the service's cgroup"
bnd=$(sed -n 's/^CapBnd:\t//p' /proc/"$main"/status)
echo "ebrokerd CapBnd $bnd, CapEff $(sed -n 's/^CapEff:\t//p' /proc/"$main"/status)" | diag
[ "$bnd" = 00000000002010e0 ]
ok $? "ebrokerd keeps exactly SYS_ADMIN SETUID SETGID KILL NET_ADMIN"

wait_for 60 sh -c 'systemctl show -P StatusText ebrokerd.service | grep -q "attestation ok"'
status=$(systemctl show -P StatusText ebrokerd.service)
echo "STATUS=$status" | diag
echo "$status" | grep -Eq '^[0-9]+ sessions, [0-9]+ instances; attestation ok'
ok $? "STATUS= shows sessions, instances and attestation ok"

# --- the security review of the installed unit
score=$(systemd-analyze security --no-pager ebrokerd.service 2>/dev/null |
	sed -n 's/.*Overall exposure level for ebrokerd.service: \([0-9.]*\).*/\1/p')
systemd-analyze security --no-pager ebrokerd.service 2>/dev/null | grep '✗' |
	sed 's/  */ /g' | diag
awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.5) }'
ok $? "systemd-analyze security ebrokerd.service: exposure ${score:-unknown} (target <= 2.5)"

# --- helpers for the parts and the stop
# The test clients, where the tenant can run them (the tree may be in a
# directory only root can enter); they find the installed libebroker.
RC_BIN=/tmp/ebtest-bin
mkdir -p $RC_BIN
cp "$top/build/selftests/restart_client" $RC_BIN/
chmod 755 $RC_BIN $RC_BIN/restart_client
rc_unit=0

# as_tenant CMD...: CMD as the tenant, in a scope of its own, trusting the
# installed echo's signer and this host's attestation root.
# In a background job it becomes CMD (exec), so that $! is CMD's pid.
as_tenant() {
	local run=
	[ "$BASHPID" != $$ ] && run=exec
	rc_unit=$((rc_unit + 1)) # in this shell; $BASHPID tells background ones apart
	$run systemd-run --quiet --scope --slice=$SCOPE_SLICE --unit="ebtest-rc-$BASHPID-$rc_unit" -- \
		setpriv --reuid=$USER_NAME --regid=users --init-groups -- \
		env EBROKER_MRSIGNER="$signer" EBROKER_ROOT=$ATT/root.pem \
		LD_LIBRARY_PATH=$PREFIX/lib "$@"
}

# A new session, end to end: an attested echo call.
new_session() {
	as_tenant "$SBIN/ebrokerctl" call --timeout=30 --image "$ENCLAVES/echo.ebimg" \
		--allow-simulated --root $ATT/root.pem echo 0 fresh >/dev/null 2>/tmp/rc.probe.err
}

ms() { date +%s%3N; }
main_pid() { systemctl show -P MainPID ebrokerd.service; }
worker_pids() { cat /sys/fs/cgroup/ebroker.slice/*/cgroup.procs 2>/dev/null | sort -n | xargs; }
pool() { cat /sys/kernel/ebroker/pool/"$1"_bytes; }

# --- the parts
for part in ${EBTEST_PARTS-restart}; do
	if [ -f "$top/selftests/ebroker/systemd_$part.sh" ]; then
		# shellcheck source=/dev/null
		. "$top/selftests/ebroker/systemd_$part.sh"
	else
		ok 1 "part $part: selftests/ebroker/systemd_$part.sh exists"
	fi
done

# --- stop: every session ends, told why; nothing is left running
stop_under_load() { # UNITS...: systemctl stop UNITS while two clients call
	local -a pids=()
	local told=0
	for i in 1 2; do
		as_tenant $RC_BIN/restart_client 120 >/tmp/rc.stop.$i 2>&1 &
		pids+=($!)
	done
	wait_for 60 sh -c "grep -l '^session' /tmp/rc.stop.[12] | wc -l | grep -qx 2"
	sleep 1
	systemctl stop "$@"
	local left
	left=$(worker_pids)
	[ -z "$left" ] && ! pidof ebrokerd >/dev/null
	ok $? "systemctl stop $*: no ebrokerd and no worker left when it returns (${left:-none})"
	local total
	total=$(pool total)
	[ -n "$total" ] && [ "$(pool free)" = "$total" ]
	ok $? "systemctl stop $*: every EPC page is back in the pool ($(pool free) of $total bytes free)"
	kill -TERM "${pids[@]}" 2>/dev/null # each failed its calls and is done already
	for p in "${pids[@]}"; do wait "$p"; done
	for i in 1 2; do
		grep -q "ended: ebrokerd is stopping (the service was stopped" /tmp/rc.stop.$i &&
			told=$((told + 1))
	done
	[ $told -eq 2 ] || cat /tmp/rc.stop.[12] | diag
	ok $((2 - told)) "systemctl stop $*: both clients' sessions ended with the reason"
}

stop_under_load ebrokerd.service
grep -A1 'session' /tmp/rc.stop.1 | head -n 3 | diag
journalctl --no-pager -o cat -u ebrokerd.service | grep -q 'stopping for good'
ok $? "ebrokerd logged that it stopped for good, not for a restart"
systemctl is-active -q ebrokerd.socket && new_session && systemctl is-active -q ebrokerd.service
ok $? "the socket stayed: the next session starts ebrokerd again"

stop_under_load ebrokerd.socket ebrokerd.service
! systemctl is-active -q ebrokerd.service && ! systemctl is-active -q ebrokerd.socket &&
	[ ! -S /run/ebroker/ebroker.sock ]
ok $? "systemctl stop ebrokerd.socket ebrokerd: both units inactive, the socket gone"

echo "1..$n"
echo "# $((SECONDS - start)) s"
[ $failed -eq 0 ]
