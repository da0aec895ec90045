#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The root secret across module loads: a provisioned secret gives the same
# SEAL key after a reload, a random one does not; provisioning is write-once
# and the module's keys follow the documented derivation. Needs the module
# unloaded: it loads and unloads it.
ko=${1:?usage: root_secret_test.sh ebroker.ko [keys_test]}
kt=${2:-$(dirname "$0")/../../build/selftests/keys_test}
# shellcheck source=kmsg.sh
. "$(dirname "$0")/kmsg.sh"
file=/sys/kernel/ebroker/root_secret
secret=8f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0
n=0

tap() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi; }

if [ -e /sys/module/ebroker ]; then
	echo "1..0 # SKIP ebroker is loaded; this test loads it itself"
	exit 0
fi
echo "1..9"

load() { insmod "$ko" epc_size=2M; }
unload() { rmmod ebroker; }
provision() { { echo "$1" >"$file"; } 2>&1; } # prints the shell's error, if any
seal_key() { "$kt" seal-key; }

load
[ "$(cat /sys/kernel/ebroker/root_secret_provisioned)" = 0 ]
tap $? "a fresh load has a random root secret"

kmsg_mark
out=$(provision "$secret") && [ -z "$out" ] &&
	[ "$(cat /sys/kernel/ebroker/root_secret_provisioned)" = 1 ] &&
	kmsg_since | grep -q "ebroker: root secret provisioned" && ! dmesg | grep -qi "$secret"
tap $? "provisioning is accepted and logged without the secret"

out=$(provision "$secret")
[[ $out == *"busy"* ]]
tap $? "provisioning twice is refused with EBUSY"

"$kt" kat "$secret" >/dev/null
tap $? "SEAL and REPORT keys follow the documented derivation"

k1=$(seal_key) && [ ${#k1} -eq 32 ] && unload && load &&
	provision "$secret" >/dev/null && k2=$(seal_key) && [ "$k1" = "$k2" ]
tap $? "the same provisioned secret gives the same SEAL key after a reload"

unload && load && k3=$(seal_key) && [ ${#k3} -eq 32 ] && [ "$k3" != "$k1" ]
tap $? "a random secret gives another SEAL key"

out=$(provision "$secret")
[[ $out == *"busy"* ]] && [ -n "${k3:-}" ] && [ "$(seal_key)" = "$k3" ]
tap $? "provisioning after a key was derived is refused, the key kept"

unload && load && k4=$(seal_key) && [ ${#k4} -eq 32 ] && [ "$k4" != "$k3" ] &&
	[ "$k4" != "$k1" ]
tap $? "every load makes a new random secret"

unload
[ ! -e /sys/kernel/ebroker ]
tap $? "unloads"
