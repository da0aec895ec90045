#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module parameters: bad values refuse the load with a clear message and
# leave nothing behind; good ones load. Needs the module unloaded.
ko=${1:?usage: params_test.sh ebroker.ko}
n=0

# shellcheck source=kmsg.sh
. "$(dirname "$0")/kmsg.sh"

tap() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi; }

if [ -e /sys/module/ebroker ]; then
	echo "1..0 # SKIP ebroker is loaded; this test loads it itself"
	exit 0
fi
echo "1..9"

refuses() { # refuses PARAMS... EXPECTED-MESSAGE
	local msg=${*: -1} params=("${@:1:$#-1}")
	kmsg_mark
	if insmod "$ko" "${params[@]}" 2>/dev/null; then
		rmmod ebroker
		tap 1 "refuses ${params[*]}: it loaded"
		return
	fi
	if ! kmsg_since | grep -q "ebroker: .*$msg"; then
		tap 1 "refuses ${params[*]}: no '$msg' in the kernel log"
		return
	fi
	[ ! -e /dev/ebroker ] && [ ! -e /sys/kernel/ebroker ]
	tap $? "refuses ${params[*]} with '$msg'"
}

refuses epc_size=garbage "is not a size"
refuses epc_size=64Mx "is not a size"
refuses epc_size= "is not a size"
refuses epc_size=-4M "is not a size"
refuses epc_size=12345 "out of range"
refuses epc_size=99999999999999999999G "out of range"
refuses epc_size=1048577 "not a whole number"
refuses backend=sgx "not supported"

insmod "$ko" epc_size=2M && total=$(cat /sys/kernel/ebroker/pool/total_bytes) &&
	rmmod ebroker && [ "$total" = 2097152 ]
tap $? "loads with epc_size=2M and reports 2097152 bytes"
