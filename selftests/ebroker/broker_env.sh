# SPDX-License-Identifier: GPL-2.0
# Sourced by the ebrokerd tests and the demo: a throwaway multi-tenant host
# inside the guest. Three users (alice and bob in the group "tenants",
# mallory not), each with a cgroup of their own under $BROKER_CG, a policy
# that lets "tenants" open the echo and keyvault samples, the attestation
# root and quoting-enclave key made by `ebrokerctl attestation init` in
# $BROKER_TMP/attestation, and ebrokerd running in the foreground on a
# socket of its own. Clients verify sessions against what it exports:
# EBROKER_MRSIGNER (the samples' signer) and EBROKER_ROOT (the root).
#
#   broker_setup          users, cgroups, attestation, policy in
#                         $BROKER_TMP/etc, and copies of the programs users
#                         and workers run in $BROKER_BIN (the tree itself may
#                         not be open to other users)
#   broker_start [ARGS]   start ebrokerd (pid in $BROKER_PID), wait for its socket
#   broker_stop           stop it (workers keep running until their sessions end)
#   as_user NAME CMD...   run CMD as NAME inside NAME's cgroup
#   broker_cleanup        stop everything, remove the cgroups
#
# Needs root, ebroker.ko loaded, and a build (make userspace).

top=${EBROKER_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BROKER_TMP=${BROKER_TMP:-/tmp/ebroker-broker.$$}
BROKER_CG=${BROKER_CG:-/sys/fs/cgroup/ebroker-tenants}
BROKER_WORKER_CG=/sys/fs/cgroup/ebroker-test.slice
BROKER_SOCKET=$BROKER_TMP/ebroker.sock
BROKER_LOG=$BROKER_TMP/ebrokerd.log
BROKER_BIN=$BROKER_TMP/bin
BROKER_PID=
BROKER_ATT=$BROKER_TMP/attestation
EBROKERD=$top/build/bin/ebrokerd
EBROKERCTL=$top/build/bin/ebrokerctl
export EBROKER_SOCKET=$BROKER_SOCKET
export EBROKER_ROOT=$BROKER_ATT/root.pem

broker_image_field() { # IMAGE FIELD
	"$top/build/bin/ebroker-sign" dump "$1" | sed -n "s/^$2: *//p"
}

broker_mrsigner() { # IMAGE
	broker_image_field "$1" mrsigner
}

# broker_enclave NAME IMAGE [EXTRA LINES...]: an enclaves.d file
broker_enclave() {
	local name=$1 image=$2
	shift 2
	{
		echo "[Enclave]"
		echo "Image=$image"
		echo "MRSIGNER=$(broker_mrsigner "$image")"
		echo "ISVPRODID=$(broker_image_field "$image" isv_prod_id)"
		for l in "$@"; do echo "$l"; done
	} >"$BROKER_TMP/etc/enclaves.d/$name.conf"
}

# The host's attestation: a root, the quoting enclave's sealed key and
# platform certificate, in $BROKER_ATT (ebrokerctl attestation init).
broker_attestation_init() {
	"$EBROKERCTL" attestation init --dir "$BROKER_ATT" --qe "$top/build/sdk/samples/qe.ebimg" \
		"$@" >/dev/null 2>>"$BROKER_TMP/attestation.log"
}

broker_setup() {
	mkdir -p "$BROKER_TMP/etc/enclaves.d" "$BROKER_TMP/etc/policy.d" "$BROKER_TMP/run" \
		"$BROKER_BIN" "$BROKER_TMP/lib"
	chmod 755 "$BROKER_TMP"
	local f
	for f in ebroker-worker ebrokerctl demo-client ../selftests/broker_load ../selftests/restart_client; do
		[ -x "$top/build/bin/$f" ] && cp "$top/build/bin/$f" "$BROKER_BIN/"
	done
	cp "$top/build/lib/libebroker.so.1" "$top/build/lib/libebverify.so.1" "$BROKER_TMP/lib/"
	getent group ebroker >/dev/null || groupadd -r ebroker
	getent group tenants >/dev/null || groupadd tenants
	local u uid=2101
	for u in alice bob mallory; do
		getent passwd $u >/dev/null ||
			useradd -M -N -g users -u $uid -d / -s /usr/sbin/nologin $u
		usermod -a -G ebroker $u
		uid=$((uid + 1))
	done
	usermod -a -G tenants alice
	usermod -a -G tenants bob
	mkdir -p "$BROKER_CG"
	for u in alice bob mallory; do mkdir -p "$BROKER_CG/$u"; done

	broker_enclave echo "$top/build/sdk/samples/echo.ebimg" \
		"SessionsPerInstance=4" "MaxInstances=2" "IdleTimeoutSec=1" "CallTimeoutSec=5"
	broker_enclave keyvault "$top/build/sdk/samples/keyvault.ebimg" \
		"SessionsPerInstance=64" "MaxInstances=2" "IdleTimeoutSec=1"
	broker_enclave qe "$top/build/sdk/samples/qe.ebimg" "MinWarmInstances=1" "MaxInstances=1"
	EBROKER_MRSIGNER=$(broker_mrsigner "$top/build/sdk/samples/keyvault.ebimg")
	export EBROKER_MRSIGNER
	broker_attestation_init || {
		echo "# ebrokerctl attestation init failed:" >&2
		sed 's/^/#   /' "$BROKER_TMP/attestation.log" >&2
		return 1
	}
	chmod 755 "$BROKER_ATT"
	cat >"$BROKER_TMP/etc/policy.conf" <<-EOF
		[Daemon]
		SocketGroup=ebroker
		SocketMode=0660
		WorkerUIDs=2000000000-2000000999
		[Limits]
		SessionsPerUser=256
		SessionsPerCgroup=512
		MaxMessageSize=65536
		[Attestation]
		QuotingEnclave=qe
		StateDirectory=$BROKER_ATT
		CheckIntervalSec=${BROKER_CHECK_INTERVAL:-60}
	EOF
	cat >"$BROKER_TMP/etc/policy.d/10-tenants.conf" <<-EOF
		[Allow]
		Enclaves=echo keyvault
		Groups=tenants
	EOF
}

broker_start() {
	rm -f "$BROKER_SOCKET"
	"$EBROKERD" --foreground --config-dir "$BROKER_TMP/etc" --socket "$BROKER_SOCKET" \
		--runtime-dir "$BROKER_TMP/run" --worker "$BROKER_BIN/ebroker-worker" \
		--worker-cgroup "$BROKER_WORKER_CG" "$@" 2>>"$BROKER_LOG" &
	BROKER_PID=$!
	for _ in $(seq 100); do
		[ -S "$BROKER_SOCKET" ] && return 0
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# ebrokerd did not start:" >&2
	sed 's/^/#   /' "$BROKER_LOG" >&2
	return 1
}

broker_stop() {
	[ -n "$BROKER_PID" ] || return 0
	kill "$BROKER_PID" 2>/dev/null || true
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=
}

# In a subshell (a background job) it becomes CMD (exec), so that $! is CMD's pid.
as_user() { # NAME CMD...: CMD from $BROKER_BIN, which other users can reach
	local name=$1 run=
	shift
	[ "$BASHPID" != $$ ] && run=exec
	LD_LIBRARY_PATH=$BROKER_TMP/lib $run sh -c 'n=$1; shift; echo $$ >"$0/cgroup.procs" &&
		exec setpriv --reuid="$n" --regid=users --init-groups -- "$@"' \
		"$BROKER_CG/$name" "$name" "$@"
}

broker_cleanup() {
	broker_stop
	# Workers outlive the daemon by design: end them here.
	local c
	for c in "$BROKER_WORKER_CG"/*/; do
		[ -f "$c/cgroup.kill" ] && echo 1 >"$c/cgroup.kill"
	done
	sleep 0.2
	rmdir "$BROKER_WORKER_CG"/*/ "$BROKER_WORKER_CG" 2>/dev/null || true
	rmdir "$BROKER_CG"/*/ "$BROKER_CG" 2>/dev/null || true
	rm -rf "$BROKER_TMP"
}
