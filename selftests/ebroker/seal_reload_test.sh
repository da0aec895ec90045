#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sealed keys across module loads: a key the keyvault sample sealed (its
# MRENCLAVE policy) opens after rmmod/insmod when the same root secret is
# provisioned again, signing with the same key; with a random root secret,
# or another provisioned one, the blob is refused. Needs the module
# unloaded: it loads and unloads it.
ko=${1:?usage: seal_reload_test.sh ebroker.ko [keyvault_test]}
kv=${2:-$(dirname "$0")/../../build/selftests/keyvault_test}
file=/sys/kernel/ebroker/root_secret
secret=5ea1ed0b10b5c0ffee0ddba11d0ab1e5cafef00d0123456789abcdeffedcba98
other=0000000000000000000000000000000000000000000000000000000000000001
n=0

tap() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi; }

if [ -e /sys/module/ebroker ]; then
	echo "1..0 # SKIP ebroker is loaded; this test loads it itself"
	exit 0
fi
echo "1..8"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
blob=$dir/key.blob

load() { insmod "$ko" epc_size=8M; }
unload() { rmmod ebroker; }
reload() { unload && load; }
provision() { echo "$1" >"$file"; }
# unseal: 0 if it opens and signs for the sealed key, 2 if refused.
unseal() {
	local out rc
	out=$("$kv" unseal "$blob")
	rc=$?
	echo "# $out"
	return $rc
}

load && provision "$secret" && [ "$(cat /sys/kernel/ebroker/root_secret_provisioned)" = 1 ]
tap $? "load the module and provision a root secret"

"$kv" seal "$blob" >/dev/null && [ "$(stat -c %s "$blob")" = 108 ] &&
	[ "$(stat -c %s "$blob.pub")" = 65 ]
tap $? "keyvault generates and seals a key"

unseal
tap $? "a new keyvault instance unseals it and signs with it"

reload && provision "$secret" && unseal
tap $? "after a reload with the same secret it unseals and signs with the same key"

reload && [ "$(cat /sys/kernel/ebroker/root_secret_provisioned)" = 0 ] && out=$(unseal)
rc=$?
echo "$out"
[ $rc -eq 2 ] && [[ $out == *"Bad message"* ]]
tap $? "after a reload with a random secret it is refused (EBADMSG)"

reload && provision "$other" && out=$(unseal)
rc=$?
echo "$out"
[ $rc -eq 2 ] && [[ $out == *"Bad message"* ]]
tap $? "after a reload with another secret it is refused (EBADMSG)"

reload && provision "$secret" && unseal
tap $? "the first secret again: it unseals"

unload
[ ! -e /sys/kernel/ebroker ]
tap $? "unloads"
