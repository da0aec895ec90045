#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `ebrokerctl metrics` against a live ebrokerd (broker_env.sh): the output
# is the Prometheus text format 0.0.4 as node_exporter's textfile collector
# reads it (every line checked by a validator below), alice's cgroup shows
# her EPC while her session lives, the daemon's sessions, opens, refusals
# and attestation are there; with the daemon stopped, ebroker_daemon_up is
# 0, no daemon series remain and the exit status is still 0; --output
# replaces the file whole.
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
	"$samples/echo.ebimg" "$samples/keyvault.ebimg" "$samples/qe.ebimg"; do
	[ -e "$f" ] || skip_all "build first (make userspace): $f is missing"
done
for c in setpriv python3 mkfifo; do
	command -v $c >/dev/null || skip_all "needs $c"
done

# shellcheck source=broker_env.sh
. "$top/selftests/ebroker/broker_env.sh"

n=0
failed=0
holder=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	broker_cleanup
}
trap cleanup EXIT

diag() { printf '#   %s\n' "$@"; }

t() { # t NAME FUNCTION: one TAP line for FUNCTION's status
	n=$((n + 1))
	if "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=1
	fi
}

# The exposition format, 0.0.4, as strictly as Prometheus' own parser and
# more: every line a comment or a sample of the grammar, every family one
# TYPE (before its samples) and at most one HELP, a family's samples
# together, no series twice, counters named *_total, every value a float.
validate() { # validate FILE
	python3 - "$1" <<-'EOF'
		import re, sys
		NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
		LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
		SAMPLE = re.compile(r'^(%s)(?:\{(%s(?:,%s)*)?\})? (\S+)(?: -?[0-9]+)?$' % (NAME, LABEL, LABEL))
		errors = []
		types, helps, seen, done = {}, set(), set(), set()
		current = None
		text = open(sys.argv[1], 'rb').read()
		try:
		    text = text.decode('utf-8')
		except UnicodeDecodeError as e:
		    print('not UTF-8: %s' % e); sys.exit(1)
		if text and not text.endswith('\n'):
		    errors.append('no newline at the end')
		for i, line in enumerate(text.split('\n')[:-1], 1):
		    m = re.match(r'^# (HELP|TYPE) (%s) ?(.*)$' % NAME, line)
		    if m:
		        kind, name, rest = m.groups()
		        if kind == 'HELP':
		            if name in helps: errors.append('%d: second HELP for %s' % (i, name))
		            helps.add(name)
		            if re.search(r'\\[^\\n]', rest): errors.append('%d: bad escape in HELP' % i)
		        else:
		            if name in types: errors.append('%d: second TYPE for %s' % (i, name))
		            if name in done: errors.append('%d: TYPE after samples of %s' % (i, name))
		            if rest not in ('counter', 'gauge', 'histogram', 'summary', 'untyped'):
		                errors.append('%d: bad type %r' % (i, rest))
		            types[name] = rest
		        continue
		    if line.startswith('#') or line == '':
		        continue
		    m = SAMPLE.match(line)
		    if not m:
		        errors.append('%d: not a sample: %r' % (i, line)); continue
		    name, value = m.group(1), m.group(7)
		    labels = re.findall(LABEL, line[len(name):line.rfind('}') + 1]) if '{' in line else []
		    names = [k for k, _ in labels]
		    if len(set(names)) != len(names): errors.append('%d: a label twice' % i)
		    if name not in types: errors.append('%d: %s has no TYPE' % (i, name))
		    if types.get(name) == 'counter' and not name.endswith('_total'):
		        errors.append('%d: counter %s is not *_total' % (i, name))
		    if name != current:
		        if name in done: errors.append('%d: samples of %s not together' % (i, name))
		        if current: done.add(current)
		        current = name
		    key = (name, tuple(sorted(labels)))
		    if key in seen: errors.append('%d: series twice: %r' % (i, line))
		    seen.add(key)
		    try:
		        float(value)
		    except ValueError:
		        errors.append('%d: value %r is not a float' % (i, value))
		for e in errors:
		    print(e)
		sys.exit(1 if errors else 0)
	EOF
}

out=$BROKER_TMP/metrics
err=$BROKER_TMP/metrics.err
rc=0
metrics() { # metrics [ARGS]: run it; the output in $out, stderr in $err, status in $rc
	"$EBROKERCTL" metrics "$@" >"$out" 2>"$err"
	rc=$?
}

value() { # value SERIES: the value of the sample named exactly SERIES, or nothing
	awk -v k="$1" '$1 == k { print $2 }' "$out"
}

valid() {
	local why
	why=$(validate "$out") && return 0
	diag "the output is not the exposition format:" "$why"
	sed 's/^/#     /' "$out"
	return 1
}

at_least() { # at_least SERIES MIN
	local v
	v=$(value "$1")
	if [ -n "$v" ] && awk -v v="$v" -v m="$2" 'BEGIN { exit !(v + 0 >= m + 0) }'; then
		return 0
	fi
	diag "$1 is '${v:-absent}', expected at least $2"
	return 1
}

is() { # is SERIES VALUE
	local v
	v=$(value "$1")
	[ "$v" = "$2" ] && return 0
	diag "$1 is '${v:-absent}', expected $2"
	return 1
}

broker_setup || exit 1
broker_start || exit 1
echo "1..8"

alice_cg=${BROKER_CG#/sys/fs/cgroup}/alice
trust=(--mrsigner "$EBROKER_MRSIGNER" --isv-prod-id 1 --allow-simulated)

# Alice's session stays open while `call` waits for its input on the fifo.
mkfifo "$BROKER_TMP/in"
as_user alice "$BROKER_BIN/ebrokerctl" call "${trust[@]}" echo 0 - \
	<"$BROKER_TMP/in" >"$BROKER_TMP/call.out" 2>"$BROKER_TMP/call.err" &
holder=$!
exec 3>"$BROKER_TMP/in"

t_session() {
	for _ in $(seq 100); do
		metrics
		[ "$(value ebroker_daemon_sessions)" = 1 ] && break
		sleep 0.1
	done
	[ "$rc" -eq 0 ] || {
		diag "exit status $rc" "$(cat "$err")"
		return 1
	}
	valid || return 1
	is ebroker_module_up 1 && is ebroker_daemon_up 1 &&
		at_least ebroker_daemon_sessions 1 && at_least ebroker_daemon_instances 2 &&
		at_least ebroker_daemon_tenants 1 && is 'ebroker_backend_info{backend="sim"}' 1 &&
		at_least 'ebroker_epc_pool_bytes{kind="total"}' 1 &&
		at_least ebroker_enclaves 2
}
t "while alice's session lives: valid exposition, module and daemon up, sessions >= 1" t_session

t_alice() {
	at_least "ebroker_cgroup_epc_bytes{cgroup=\"$alice_cg\"}" 1 &&
		at_least "ebroker_cgroup_epc_peak_bytes{cgroup=\"$alice_cg\"}" 1 &&
		at_least "ebroker_cgroup_enclaves{cgroup=\"$alice_cg\"}" 1 &&
		is "ebroker_cgroup_epc_limit_hits_total{cgroup=\"$alice_cg\"}" 0 &&
		# No limit: no max series.
		is "ebroker_cgroup_epc_max_bytes{cgroup=\"$alice_cg\"}" ""
}
t "alice's cgroup holds EPC, with no max series while it has no limit" t_alice

t_attestation() {
	is ebroker_attestation_ok 1 && is 'ebroker_attestation_state{state="ok"}' 1 &&
		is 'ebroker_attestation_state{state="starting"}' 0 &&
		is 'ebroker_attestation_state{state="failing"}' 0 &&
		at_least ebroker_attestation_quotes_total 1 &&
		is ebroker_attestation_quote_failures_total 0 &&
		at_least ebroker_attestation_checks_total 1 &&
		is ebroker_attestation_check_failures_total 0 &&
		is ebroker_daemon_opens_total 1
}
t "attestation ok, quotes and self-checks counted; one session opened" t_attestation

t_refusals() {
	local before
	# The session ends once call has its input.
	echo hi >&3
	exec 3>&-
	wait "$holder" || {
		diag "alice's call failed:" "$(cat "$BROKER_TMP/call.err")"
		return 1
	}
	holder=
	[ "$(cat "$BROKER_TMP/call.out")" = hi ] || {
		diag "call printed '$(cat "$BROKER_TMP/call.out")', not hi"
		return 1
	}
	metrics
	before=$(value 'ebroker_daemon_refusals_total{reason="policy"}')
	# mallory is not in "tenants": the policy refuses her.
	as_user mallory "$BROKER_BIN/ebrokerctl" call "${trust[@]}" echo 0 hi >/dev/null 2>&1 &&
		diag "mallory's call succeeded"
	metrics
	valid && is ebroker_daemon_sessions 0 &&
		is 'ebroker_daemon_refusals_total{reason="policy"}' "$((${before:-0} + 1))" &&
		is 'ebroker_daemon_refusals_total{reason="limits"}' 0 &&
		is 'ebroker_daemon_refusals_total{reason="quota"}' 0 &&
		is 'ebroker_daemon_refusals_total{reason="pool"}' 0 &&
		is 'ebroker_daemon_refusals_total{reason="attestation"}' 0
}
t "the session ended: sessions 0; mallory's OPEN is one more policy refusal" t_refusals

t_output() {
	local file=$BROKER_TMP/textfile/ebroker.prom
	mkdir -p "$BROKER_TMP/textfile"
	echo stale >"$file"
	metrics --output "$file"
	[ "$rc" -eq 0 ] && [ ! -s "$out" ] || {
		diag "--output: status $rc, stdout '$(cat "$out")'"
		return 1
	}
	cp "$file" "$out"
	valid && is ebroker_daemon_up 1 || return 1
	# Nothing is left beside it, and the collector (another user) may read it.
	[ "$(ls "$BROKER_TMP/textfile")" = ebroker.prom ] || {
		diag "left in the directory: $(ls "$BROKER_TMP/textfile" | tr '\n' ' ')"
		return 1
	}
	[ "$(stat -c %a "$file")" = "$(printf '%o' $((0666 & ~0$(umask))))" ] || {
		diag "mode $(stat -c %a "$file") with umask $(umask)"
		return 1
	}
}
t "--output replaces the file whole, readable as the umask allows" t_output

t_down() {
	broker_stop
	metrics
	[ "$rc" -eq 0 ] || {
		diag "exit status $rc with the daemon stopped" "$(cat "$err")"
		return 1
	}
	valid && is ebroker_daemon_up 0 && is ebroker_module_up 1 || return 1
	local extra
	extra=$(grep -E '^ebroker_(daemon|attestation)_' "$out" | grep -v '^ebroker_daemon_up ')
	[ -z "$extra" ] || {
		diag "daemon series while it is down:" "$extra"
		return 1
	}
	grep -q 'did not answer' "$err" || {
		diag "no warning on stderr: '$(cat "$err")'"
		return 1
	}
}
t "daemon stopped: ebroker_daemon_up 0, no daemon series, a warning, exit 0" t_down

t_optional() {
	metrics --daemon-optional
	[ "$rc" -eq 0 ] && [ ! -s "$err" ] && valid && is ebroker_daemon_up 0 || {
		diag "status $rc, stderr '$(cat "$err")'"
		return 1
	}
}
t "--daemon-optional: the same, without the warning" t_optional

t_usage() {
	metrics --json
	[ "$rc" -eq 2 ] || {
		diag "--json: status $rc"
		return 1
	}
	metrics extra
	[ "$rc" -eq 2 ]
}
t "usage errors exit 2" t_usage

exit $failed
