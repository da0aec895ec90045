#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `ebrokerctl attestation init|rotate|check` against the live module and
# the quoting enclave (build/sdk/samples/qe.ebimg): the files and their
# modes, the self-check, what rotate and init (with and without --force)
# replace and keep, a root key kept offline, and refusals: a corrupted
# sealed key, a symbolic link, a wrong enclave (nothing written).
#
# Run as root in a guest with ebroker.ko loaded (insmod kmod/ebroker.ko
# epc_size=64M). Prints TAP.
set -u
top=${EBROKER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1

ctl=${EBROKERCTL:-$top/build/bin/ebrokerctl} # another build of it may be tested
qe=$top/build/sdk/samples/qe.ebimg
other=$top/build/sdk/samples/echo.ebimg

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -d /sys/module/ebroker ] || skip_all "ebroker is not loaded"
{ [ -x "$ctl" ] && [ -r "$qe" ] && [ -r "$other" ]; } || skip_all "build first (make userspace)"

tmp=$(mktemp -d)
d=$tmp/att
trap 'rm -rf "$tmp"' EXIT

diag() { printf '#   %s\n' "$@"; }

# expect STATUS CMD...: run CMD; $out and $err hold what it printed. Fails
# (with a diagnostic) unless it exited with STATUS.
expect() {
	local want=$1 rc
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
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

same() { # same WHAT EXPECTED SEEN
	[ "$2" = "$3" ] && return 0
	diag "$1: expected '$2', got '$3'"
	return 1
}

differ() { # differ WHAT OLD NEW
	[ "$2" != "$3" ] && return 0
	diag "$1: unchanged ($2)"
	return 1
}

mode() { stat -c %a "$1"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
sums() { echo "$(sum "$d/root.pem") $(sum "$d/platform.pem") $(sum "$d/qe.sealed")"; }

att() { # att SUBCOMMAND ARGS...: ebrokerctl attestation on $d and the test QE
	"$ctl" attestation "$1" --dir "$d" --qe "$qe" "${@:2}"
}

t_init() {
	expect 0 att init || return 1
	has stderr "$err" "self-check passed" || return 1
	has stderr "$err" "move the root key $d/root-key.pem offline" || return 1
	same "stdout" "$(cat "$d/root.pem")" "$out" || return 1
	same "dir mode" 755 "$(mode "$d")" &&
		same "root-key.pem mode" 600 "$(mode "$d/root-key.pem")" &&
		same "root.pem mode" 644 "$(mode "$d/root.pem")" &&
		same "platform.pem mode" 644 "$(mode "$d/platform.pem")" &&
		same "qe.sealed mode" 600 "$(mode "$d/qe.sealed")" || return 1
	same "certificates in platform.pem" 2 "$(grep -c 'BEGIN CERTIFICATE' "$d/platform.pem")" ||
		return 1
	# No temporary file is left behind.
	same "files" "platform.pem qe.sealed root-key.pem root.pem" "$(ls -A "$d" | xargs)" ||
		return 1
	if command -v openssl >/dev/null; then
		openssl verify -CAfile "$d/root.pem" "$d/platform.pem" >/dev/null 2>&1 || {
			diag "openssl does not verify platform.pem under root.pem"
			return 1
		}
	fi
}

t_check() {
	expect 0 att check && same "check" "attestation: ok" "$out"
}

t_rotate() {
	local before after
	read -r -a before <<<"$(sums)"
	expect 0 att rotate --platform-svn 7 || return 1
	has stderr "$err" "self-check passed" || return 1
	same "stdout" "" "$out" || return 1
	read -r -a after <<<"$(sums)"
	same "root.pem" "${before[0]}" "${after[0]}" &&
		differ "platform.pem" "${before[1]}" "${after[1]}" &&
		differ "qe.sealed" "${before[2]}" "${after[2]}" || return 1
	has stderr "$err" "platform SVN 7" || return 1
	# The SVN carries over to the next rotate unless given.
	expect 0 att rotate && has stderr "$err" "platform SVN 7" || return 1
	expect 0 att check
}

t_init_keeps_root() {
	local root key
	root=$(sum "$d/root.pem") key=$(sum "$d/root-key.pem")
	expect 0 att init || return 1
	has stderr "$err" "existing root" || return 1
	same "root.pem" "$root" "$(sum "$d/root.pem")" &&
		same "root-key.pem" "$key" "$(sum "$d/root-key.pem")" &&
		same "stdout" "$(cat "$d/root.pem")" "$out"
}

t_init_force() {
	local root key
	root=$(sum "$d/root.pem") key=$(sum "$d/root-key.pem")
	expect 0 att init --force || return 1
	has stderr "$err" "NEW attestation root" || return 1
	differ "root.pem" "$root" "$(sum "$d/root.pem")" &&
		differ "root-key.pem" "$key" "$(sum "$d/root-key.pem")" || return 1
	same "root-key.pem mode" 600 "$(mode "$d/root-key.pem")" || return 1
	expect 0 att check
}

t_root_key_offline() {
	local off=$tmp/offline-key.pem before
	mv "$d/root-key.pem" "$off" || return 1
	before=$(sums)
	expect 1 att rotate && has stderr "$err" "no root key" || return 1
	expect 1 att init && has stderr "$err" "--root-key FILE" || return 1
	same "files after refusals" "$before" "$(sums)" || return 1
	# check needs no root key.
	expect 0 att check || return 1
	expect 0 att rotate --root-key "$off" || return 1
	same "root.pem" "${before%% *}" "$(sum "$d/root.pem")" || return 1
	[ ! -e "$d/root-key.pem" ] || {
		diag "rotate --root-key wrote a key into $d"
		return 1
	}
	mv "$off" "$d/root-key.pem" && expect 0 att check
}

t_corrupt_sealed() {
	local saved=$tmp/qe.sealed.good b
	cp "$d/qe.sealed" "$saved" || return 1
	# One bit of the ciphertext (bytes 116 to 147).
	b=$(od -An -tu1 -j120 -N1 "$saved" | tr -d ' ')
	printf "\\$(printf %o $((b ^ 1)))" |
		dd of="$d/qe.sealed" bs=1 seek=120 conv=notrunc status=none
	differ "qe.sealed" "$(sum "$saved")" "$(sum "$d/qe.sealed")" || return 1
	expect 1 att check || return 1
	has stdout "$out" "attestation: failing: " &&
		has stdout "$out" "$d/qe.sealed: the sealed attestation key does not open" || return 1
	# A truncated one is refused the same way.
	head -c 50 "$saved" >"$d/qe.sealed"
	expect 1 att check && has stdout "$out" "does not open" || return 1
	cp "$saved" "$d/qe.sealed" && expect 0 att check
}

t_symlink_refused() {
	local sealed
	sealed=$(sum "$d/qe.sealed")
	mv "$d/platform.pem" "$tmp/platform.pem" || return 1
	ln -s "$tmp/platform.pem" "$d/platform.pem"
	expect 1 att check && has stdout "$out" "$d/platform.pem: is a symbolic link" || return 1
	expect 1 att rotate && has stderr "$err" "symbolic link" || return 1
	same "qe.sealed after a refused rotate" "$sealed" "$(sum "$d/qe.sealed")" || return 1
	[ -L "$d/platform.pem" ] || {
		diag "the link was replaced"
		return 1
	}
	rm "$d/platform.pem" && mv "$tmp/platform.pem" "$d/platform.pem" && expect 0 att check
}

t_wrong_enclave_writes_nothing() {
	local before
	before=$(sums)
	expect 1 "$ctl" attestation rotate --dir "$d" --qe "$other" || return 1
	has stderr "$err" "$other" || return 1
	same "files" "$before" "$(sums)" || return 1
	expect 1 "$ctl" attestation check --dir "$d" --qe "$tmp/missing.ebimg" &&
		has stdout "$out" "cannot load the quoting enclave $tmp/missing.ebimg" || return 1
	expect 0 att check
}

t_usage() {
	expect 2 "$ctl" attestation && has stderr "$err" "no subcommand" || return 1
	expect 2 "$ctl" attestation frob && has stderr "$err" "unknown subcommand 'frob'" ||
		return 1
	expect 2 att check --force && has stderr "$err" "does not apply" || return 1
	expect 2 att rotate --platform-svn 65536 || return 1
	expect 0 "$ctl" attestation --help && has stdout "$out" "attestation rotate"
}

tests=(
	"t_init|init: root, platform chain and sealed key, modes, self-check"
	"t_check|check: attestation: ok"
	"t_rotate|rotate: new key and platform certificate, same root, SVN kept"
	"t_init_keeps_root|init without --force keeps the root"
	"t_init_force|init --force makes a new root"
	"t_root_key_offline|root key offline: rotate needs --root-key, check does not"
	"t_corrupt_sealed|a corrupted or truncated qe.sealed is refused by check"
	"t_symlink_refused|a symbolic link in the directory is refused"
	"t_wrong_enclave_writes_nothing|another enclave as QE: refused, nothing written"
	"t_usage|usage errors"
)

echo "1..${#tests[@]}"
n=0 failed=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	if "${t%%|*}"; then
		echo "ok $n ${t#*|}"
	else
		echo "not ok $n ${t#*|}"
		failed=1
	fi
done
exit $failed
