#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `ebrokerctl attest`, `verify`, `call` and `attestation status` against a
# live ebrokerd (broker_env.sh), as the tenant alice: the evidence printed,
# every refusal naming its check (simulated, mrsigner, mrenclave, isvsvn,
# debug, quote-signature, chain), the relaxations that lift them, a quote
# kept with --out and verified elsewhere, --image, and the JSON outputs.
#
# Run as root in a guest with ebroker.ko loaded (insmod kmod/ebroker.ko
# epc_size=64M). Prints TAP; exits non-zero when anything failed.
set -u
top=${EBROKER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1
samples=$top/build/sdk/samples

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -d /sys/module/ebroker ] || skip_all "ebroker is not loaded"
for f in build/bin/ebrokerd build/bin/ebroker-worker build/bin/ebrokerctl \
	"$samples/echo.ebimg" "$samples/keyvault.ebimg" "$samples/keyvault-debug.ebimg" \
	"$samples/keyvault-other.ebimg" "$samples/qe.ebimg"; do
	[ -e "$f" ] || skip_all "build first (make userspace): $f is missing"
done
for c in setpriv openssl python3; do
	command -v $c >/dev/null || skip_all "needs $c"
done

# shellcheck source=broker_env.sh
. "$top/selftests/ebroker/broker_env.sh"

n=0
failed=0
trap broker_cleanup EXIT

diag() { printf '#   %s\n' "$@"; }

# t NAME FUNCTION: one TAP line for FUNCTION's status.
t() {
	n=$((n + 1))
	if "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=1
	fi
}

# expect STATUS CMD...: run CMD; $out and $err hold what it printed. Fails
# (with a diagnostic) unless it exited with STATUS.
expect() {
	local want=$1 rc
	shift
	"$@" >"$BROKER_TMP/out" 2>"$BROKER_TMP/err"
	rc=$?
	out=$(cat "$BROKER_TMP/out")
	err=$(cat "$BROKER_TMP/err")
	if [ "$rc" -ne "$want" ]; then
		diag "'$*' exited with $rc, expected $want"
		[ -n "$out" ] && diag "stdout: $out"
		[ -n "$err" ] && diag "stderr: $err"
		return 1
	fi
}

has() { # has WHAT TEXT SUBSTRING
	[[ $2 == *"$3"* ]] && return 0
	diag "$1 '$2' does not say '$3'"
	return 1
}

field() { # field NAME: the value of "NAME: value" in $out
	sed -n "s/^$1: *//p" <<<"$out"
}

same() { # same WHAT EXPECTED SEEN
	[ "$2" = "$3" ] && return 0
	diag "$1: expected '$2', got '$3'"
	return 1
}

json_ok() { # json_ok TEXT: it parses as JSON
	python3 -m json.tool <<<"$1" >/dev/null && return 0
	diag "not JSON: $1"
	return 1
}

json_get() { # json_get EXPR: a Python expression over d, the JSON in $out
	python3 -c "import json, sys; d = json.load(sys.stdin); print($1)" <<<"$out"
}

# ebrokerctl as alice, a tenant: from $BROKER_BIN, with the environment
# (EBROKER_SOCKET, EBROKER_ROOT) broker_env.sh exports.
ctl() { as_user alice "$BROKER_BIN/ebrokerctl" "$@"; }

broker_setup || exit 1
# The policy every tenant of this host may use: the samples' signer (which
# broker_setup exports) and product, and `sim` evidence, which is all this
# host makes.
signer=(--mrsigner "$EBROKER_MRSIGNER" --isv-prod-id 1)
sim=(--allow-simulated)
# A DEBUG build of keyvault: the same measurement and signer, the DEBUG attribute.
broker_enclave keyvault-debug "$samples/keyvault-debug.ebimg" "MaxInstances=1" \
	"IdleTimeoutSec=1"
cat >"$BROKER_TMP/etc/policy.d/20-debug.conf" <<-EOF
	[Allow]
	Enclaves=keyvault-debug
	Groups=tenants
EOF
# What alice reads and writes: copies of the images, and a directory of hers.
work=$BROKER_TMP/alice
mkdir -p "$work" && chown alice "$work"
for i in keyvault keyvault-other; do cp "$samples/$i.ebimg" "$BROKER_TMP/$i.ebimg"; done
chmod 644 "$BROKER_TMP"/*.ebimg
mrenclave_echo=$(broker_image_field "$samples/echo.ebimg" mrenclave)
mrenclave_kv=$(broker_image_field "$samples/keyvault.ebimg" mrenclave)
mrsigner_other=$(broker_mrsigner "$samples/keyvault-other.ebimg")
if ! broker_start; then
	echo "not ok 1 - ebrokerd starts"
	exit 1
fi

# ---------------------------------------------------------------- status

t_status_ok() {
	# The quoting enclave starts with the daemon: sessions wait until it is up.
	for _ in $(seq 100); do
		expect 0 ctl attestation status 2>/dev/null && break
		sleep 0.1
	done
	expect 0 ctl attestation status || return 1
	same "attestation status" "attestation: ok" "$out"
}
t "attestation status says ok (as alice)" t_status_ok

t_status_json() {
	expect 0 ctl attestation status --json || return 1
	json_ok "$out" || return 1
	same "attestation" ok "$(json_get 'd["attestation"]')" || return 1
	same "reason" None "$(json_get 'd["reason"]')" || return 1
	same "keys" "['attestation', 'instances', 'reason', 'sessions', 'tenants']" \
		"$(json_get 'sorted(d)')"
}
t "attestation status --json" t_status_json

t_ctl_status() {
	expect 0 "$EBROKERCTL" status || return 1
	has "status" "$out" "attestation: ok" || return 1
	expect 0 "$EBROKERCTL" --json status || return 1
	json_ok "$out" || return 1
	same "status attestation" "ok None" \
		"$(json_get 'd["attestation"]["state"], d["attestation"]["reason"]' | tr -d "(),'")"
}
t "ebrokerctl status shows attestation: ok" t_ctl_status

t_ctl_status_no_daemon() {
	expect 0 env EBROKER_SOCKET="$BROKER_TMP/none.sock" "$EBROKERCTL" status || return 1
	has "status" "$out" "attestation: unknown (ebrokerd not reachable: " || return 1
	expect 0 env EBROKER_SOCKET="$BROKER_TMP/none.sock" "$EBROKERCTL" --json status || return 1
	json_ok "$out" || return 1
	same "state" unknown "$(json_get 'd["attestation"]["state"]')"
}
t "ebrokerctl status without a daemon: attestation unknown" t_ctl_status_no_daemon

# ---------------------------------------------------------------- attest

t_attest() {
	expect 0 ctl attest keyvault "${signer[@]}" "${sim[@]}" || return 1
	same identity "checked (MRSIGNER and ISVPRODID)" "$(field identity)" || return 1
	same enclave keyvault "$(field enclave)" || return 1
	same mrsigner "$EBROKER_MRSIGNER" "$(field mrsigner)" || return 1
	same mrenclave "$mrenclave_kv" "$(field mrenclave)" || return 1
	same isvprodid 1 "$(field isvprodid)" || return 1
	same isvsvn 1 "$(field isvsvn)" || return 1
	has simulated "$(field simulated)" "yes" || return 1
	same debug no "$(field debug)" || return 1
	has attributes "$(field attributes)" "MODE64BIT" || return 1
	same "platform svn" 1 "$(field "platform svn")" || return 1
	has root "$(field root)" "ebroker attestation root" || return 1
	has platform "$(field platform)" "ebroker sim platform" || return 1
	[[ $(field "platform not after") =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T ]] ||
		{ diag "platform not after: '$(field "platform not after")'"; return 1; }
	[[ $(field "quote size") =~ ^[1-9][0-9]*\ bytes$ ]] ||
		{ diag "quote size: '$(field "quote size")'"; return 1; }
	[[ $(field session) =~ ^[1-9][0-9]*$ ]] || { diag "session: '$(field session)'"; return 1; }
	has "relaxed by" "$(field "relaxed by")" "--allow-simulated"
}
t "attest keyvault as alice: the verified identity, simulated: yes" t_attest

t_attest_json() {
	expect 0 ctl attest keyvault "${signer[@]}" "${sim[@]}" --json || return 1
	json_ok "$out" || return 1
	same "verified simulated debug" "True True False" \
		"$(json_get 'd["verified"], d["simulated"], d["debug"]' | tr -d "(),")" || return 1
	same mrsigner "$EBROKER_MRSIGNER" "$(json_get 'd["mrsigner"]')" || return 1
	same enclave keyvault "$(json_get 'd["enclave"]')"
}
t "attest --json" t_attest_json

t_refuses_simulated() {
	expect 7 ctl attest keyvault "${signer[@]}" || return 1
	has stderr "$err" "ebrokerctl: attestation refused: simulated: "
}
t "attest without --allow-simulated: refused, naming simulated (exit 7)" t_refuses_simulated

t_refuses_mrsigner() {
	expect 7 ctl attest keyvault --mrsigner "$mrsigner_other" --isv-prod-id 1 "${sim[@]}" ||
		return 1
	has stderr "$err" "attestation refused: mrsigner: "
}
t "attest with another --mrsigner: refused, naming mrsigner" t_refuses_mrsigner

t_refuses_mrenclave() {
	expect 7 ctl attest keyvault --mrenclave "$mrenclave_echo" "${sim[@]}" || return 1
	has stderr "$err" "attestation refused: mrenclave: " || return 1
	expect 0 ctl attest keyvault --mrenclave "$mrenclave_kv" "${sim[@]}" || return 1
	same identity "checked (MRENCLAVE)" "$(field identity)"
}
t "attest with echo's --mrenclave: refused, naming mrenclave; keyvault's passes" \
	t_refuses_mrenclave

t_refuses_isvsvn() {
	expect 7 ctl attest keyvault "${signer[@]}" "${sim[@]}" --min-isv-svn 2 || return 1
	has stderr "$err" "attestation refused: isvsvn: " || return 1
	expect 0 ctl attest keyvault "${signer[@]}" "${sim[@]}" --min-isv-svn 1
}
t "attest --min-isv-svn 2: refused, naming isvsvn; 1 passes" t_refuses_isvsvn

t_refuses_platform_svn() {
	expect 7 ctl attest keyvault "${signer[@]}" "${sim[@]}" --min-platform-svn 2 || return 1
	has stderr "$err" "attestation refused: platform-svn: "
}
t "attest --min-platform-svn 2: refused, naming platform-svn" t_refuses_platform_svn

t_debug() {
	expect 7 ctl attest keyvault-debug "${signer[@]}" "${sim[@]}" || return 1
	has stderr "$err" "attestation refused: debug: " || return 1
	expect 0 ctl attest keyvault-debug "${signer[@]}" "${sim[@]}" --allow-debug || return 1
	has debug "$(field debug)" "yes" || return 1
	has attributes "$(field attributes)" "DEBUG" || return 1
	has "relaxed by" "$(field "relaxed by")" "--allow-debug"
}
t "a DEBUG enclave: refused naming debug, accepted with --allow-debug" t_debug

t_image() {
	expect 0 ctl attest keyvault --image "$BROKER_TMP/keyvault.ebimg" "${sim[@]}" || return 1
	same mrsigner "$EBROKER_MRSIGNER" "$(field mrsigner)" || return 1
	expect 7 ctl attest keyvault --image "$BROKER_TMP/keyvault-other.ebimg" "${sim[@]}" ||
		return 1
	has stderr "$err" "attestation refused: mrsigner: "
}
t "attest --image: the image's signer passes, another signer's image refuses" t_image

t_any_identity() {
	expect 0 ctl attest echo --any-identity-insecure "${sim[@]}" || return 1
	has identity "$(sed -n 1p <<<"$out")" "identity:" || return 1
	has identity "$(field identity)" "NOT CHECKED" || return 1
	has stderr "$err" "identity NOT CHECKED" || return 1
	expect 0 ctl attest echo --any-identity-insecure "${sim[@]}" --json || return 1
	same "identity_checked" False "$(json_get 'd["identity_checked"]')"
}
t "attest --any-identity-insecure: identity: NOT CHECKED, first" t_any_identity

t_no_identity() {
	expect 2 ctl attest keyvault "${sim[@]}" || return 1
	has stderr "$err" "give --mrenclave HEX, --mrsigner HEX with --isv-prod-id N, or --image" ||
		return 1
	expect 2 ctl attest keyvault --mrsigner "$EBROKER_MRSIGNER" "${sim[@]}" || return 1
	has stderr "$err" "--mrsigner needs --isv-prod-id"
}
t "attest without an identity, or --mrsigner without --isv-prod-id: usage error" t_no_identity

# ---------------------------------------------------------------- verify

q=$work/q.bin

t_out_verify() {
	expect 0 ctl attest keyvault "${signer[@]}" "${sim[@]}" --out "$q" || return 1
	same "quote size" "$(stat -c %s "$q") bytes" "$(field "quote size")" || return 1
	expect 0 "$EBROKERCTL" verify "$q" --root "$EBROKER_ROOT" "${signer[@]}" "${sim[@]}" ||
		return 1
	same mrsigner "$EBROKER_MRSIGNER" "$(field mrsigner)" || return 1
	has simulated "$(field simulated)" "yes" || return 1
	[[ $(field reportdata) =~ ^[0-9a-f]{128}\  ]] ||
		{ diag "reportdata: '$(field reportdata)'"; return 1; }
	expect 0 "$EBROKERCTL" --json verify "$q" --root "$EBROKER_ROOT" "${signer[@]}" "${sim[@]}" ||
		return 1
	json_ok "$out" || return 1
	same "report_data length" 128 "$(json_get 'len(d["report_data"])')"
}
t "attest --out, then verify the quote with the root: verifies, REPORTDATA in hex" t_out_verify

t_verify_refusals() {
	expect 7 "$EBROKERCTL" verify "$q" --root "$EBROKER_ROOT" "${signer[@]}" || return 1
	has stderr "$err" "attestation refused: simulated: " || return 1
	expect 7 "$EBROKERCTL" verify "$q" --root "$EBROKER_ROOT" --mrenclave "$mrenclave_echo" \
		"${sim[@]}" || return 1
	has stderr "$err" "attestation refused: mrenclave: " || return 1
	expect 7 "$EBROKERCTL" --json verify "$q" --root "$EBROKER_ROOT" --min-isv-svn 5 \
		"${signer[@]}" "${sim[@]}" || return 1
	has stderr "$err" "attestation refused: isvsvn: " || return 1
	json_ok "$out" || return 1
	same "verified check" "False isvsvn" "$(json_get 'd["verified"], d["check"]' | tr -d "(),'")"
}
t "verify refuses what the policy does not accept, naming the check" t_verify_refusals

t_verify_tampered() {
	local bad=$BROKER_TMP/q-flipped.bin
	# A byte of MRENCLAVE in the report body (the 48-byte header, then the
	# body, MRENCLAVE at 64 in it): only the quote's signature tells.
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[48 + 64] ^= 1
open(sys.argv[2], "wb").write(b)' "$q" "$bad" || return 1
	expect 7 "$EBROKERCTL" verify "$bad" --root "$EBROKER_ROOT" "${signer[@]}" "${sim[@]}" ||
		return 1
	has stderr "$err" "attestation refused: quote-signature: "
}
t "verify a quote with a flipped byte in its body: refused, naming quote-signature" \
	t_verify_tampered

t_verify_other_root() {
	local other=$BROKER_TMP/other-root.pem
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$BROKER_TMP/other-key.pem" -out "$other" -subj "/CN=another root" \
		-days 2 2>/dev/null || return 1
	expect 7 "$EBROKERCTL" verify "$q" --root "$other" "${signer[@]}" "${sim[@]}" || return 1
	has stderr "$err" "attestation refused: chain: " || return 1
	# The root's default: $EBROKER_ROOT.
	expect 7 env EBROKER_ROOT="$other" "$EBROKERCTL" verify "$q" "${signer[@]}" "${sim[@]}" ||
		return 1
	has stderr "$err" "attestation refused: chain: "
}
t "verify against another root: refused, naming chain (--root and \$EBROKER_ROOT)" \
	t_verify_other_root

t_verify_bad_input() {
	expect 1 "$EBROKERCTL" verify "$BROKER_TMP/none.bin" --root "$EBROKER_ROOT" \
		"${signer[@]}" "${sim[@]}" || return 1
	has stderr "$err" "cannot read the quote" || return 1
	expect 1 "$EBROKERCTL" verify "$q" --root "$BROKER_TMP/none.pem" "${signer[@]}" "${sim[@]}" ||
		return 1
	has stderr "$err" "cannot verify: policy: " || return 1
	head -c 100 "$q" >"$BROKER_TMP/short.bin"
	expect 7 "$EBROKERCTL" verify "$BROKER_TMP/short.bin" --root "$EBROKER_ROOT" \
		"${signer[@]}" "${sim[@]}" || return 1
	has stderr "$err" "attestation refused: malformed: "
}
t "verify: a missing quote or root fails (exit 1), a truncated quote is malformed" \
	t_verify_bad_input

# ------------------------------------------------------------------ call

t_call() {
	expect 0 ctl call "${signer[@]}" "${sim[@]}" echo 0 hi || return 1
	same output hi "$out" || return 1
	expect 0 ctl --json call echo 0 hi --image "$BROKER_TMP/keyvault.ebimg" "${sim[@]}" ||
		return 1
	json_ok "$out" || return 1
	same output_hex 6869 "$(json_get 'd["output_hex"]')"
}
t "call with policy options (--mrsigner, --image) works" t_call

t_call_refuses() {
	expect 2 ctl call echo 0 hi || return 1
	has stderr "$err" "no enclave identity to verify: give --mrenclave HEX, --mrsigner HEX with --isv-prod-id N, or --image FILE.ebimg (or, to accept any enclave, --any-identity-insecure)" ||
		return 1
	expect 7 ctl call "${signer[@]}" echo 0 hi || return 1
	has stderr "$err" "ebrokerctl: attestation refused: simulated: " || return 1
	expect 7 ctl call --mrenclave "$mrenclave_kv" "${sim[@]}" echo 0 hi || return 1
	has stderr "$err" "ebrokerctl: attestation refused: mrenclave: "
}
t "call without identity options refuses (2); a refused quote exits 7 naming the check" \
	t_call_refuses

t_no_sessions_left() {
	expect 0 ctl --json sessions || return 1
	same "alice's sessions" '{"sessions":[]}' "$out"
}
t "no session of alice's left open" t_no_sessions_left

# ------------------------------------------------------------- failing

# attestation status until it says $1 (10 s at most); $out has the last answer.
status_until() {
	for _ in $(seq 100); do
		"$EBROKERCTL" attestation status >"$BROKER_TMP/out" 2>&1
		out=$(cat "$BROKER_TMP/out")
		[[ $out == "attestation: $1"* ]] && return 0
		sleep 0.1
	done
	diag "attestation status still says '$out', not '$1'"
	return 1
}

t_failing() {
	cp "$BROKER_ATT/qe.sealed" "$BROKER_TMP/qe.sealed.good" || return 1
	printf 'not a sealed key' >"$BROKER_ATT/qe.sealed"
	# A reload starts a new quoting enclave from the files as they are now.
	expect 0 "$EBROKERCTL" reload || return 1
	status_until failing || return 1
	expect 8 ctl attestation status || return 1
	has "attestation status" "$out" "attestation: failing: " || return 1
	expect 8 ctl --json attestation status || return 1
	json_ok "$out" || return 1
	same "attestation" failing "$(json_get 'd["attestation"]')" || return 1
	[ -n "$(json_get 'd["reason"]')" ] || { diag "no reason: $out"; return 1; }
	expect 0 "$EBROKERCTL" status || return 1
	has "status" "$out" "attestation: failing: " || return 1
	# Fails closed: no unattested session, and a distinct exit status.
	expect 8 ctl call "${signer[@]}" "${sim[@]}" echo 0 hi || return 1
	has stderr "$err" "daemon: " || return 1
	expect 8 ctl attest keyvault "${signer[@]}" "${sim[@]}"
}
t "a broken attestation key: status failing (exit 8), call and attest exit 8" t_failing

t_recovers() {
	cp "$BROKER_TMP/qe.sealed.good" "$BROKER_ATT/qe.sealed" || return 1
	expect 0 "$EBROKERCTL" reload || return 1
	status_until ok || return 1
	expect 0 ctl attest keyvault "${signer[@]}" "${sim[@]}"
}
t "the key restored and reloaded: status ok, attest works again" t_recovers

echo "1..$n"
if [ "$failed" -ne 0 ]; then
	echo "# ebrokerd's warnings and errors, the last 30:"
	grep -E '^<[0-4]>' "$BROKER_LOG" | tail -n 30 | sed 's/^/#   /'
fi
exit $failed
