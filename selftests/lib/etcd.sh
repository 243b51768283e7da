# SPDX-License-Identifier: GPL-2.0
# Real etcd members (Debian's etcd-server 3.4) for the fleet tests, the
# demo and the benchmark, each in a network namespace the caller made, and
# what the tests do to them: kill, restart, cut one off from the others,
# compact, turn on TLS and authentication. Nothing here creates or removes
# namespaces, so it fits any topology (selftests/lib/fleet.sh puts the
# members on the leaf's bridge next to the xlb nodes).
#
# Set ETCD_RUN (a directory of the caller's own) before sourcing; then
#   etcd_member NAME NAMESPACE ADDR   declare a member (its address on an
#                                     interface of NAMESPACE)
#   etcd_cluster_start [SECONDS]      start every declared member as one new
#                                     cluster; wait until all are healthy
#   etcd_start NAME / etcd_stop NAME [SIGNAL]   one member (same data dir)
#   etcd_stop_all                     every member, by PID (TERM, then KILL)
#   etcd_endpoints [NAMES]            "http://ADDR:2379 ..." (https with TLS)
#   etcd_ctl ARGS...                  etcdctl (v3) against every member, run in
#                                     the first member's namespace (ETCD_CTL_NS
#                                     to run it elsewhere)
#   etcd_healthy NAME                 the member answers a linearizable read
#   etcd_wait_healthy SECONDS NAMES   every NAME healthy
#   etcd_leader                       the leader's NAME (empty if none)
#   etcd_partition NAME / etcd_heal NAME   drop / let through NAME's traffic
#                                     to and from the other members (port
#                                     2380 both ways, nftables in its
#                                     namespace); clients still reach it
#   etcd_revision                     the store's current revision
#   etcd_compact                      compact up to the current revision
#   etcd_tls_make                     a CA, a server certificate for every
#                                     member address and a client one, in
#                                     $ETCD_RUN/tls; members started after it
#                                     serve clients over TLS and want the
#                                     client certificate. The client one has
#                                     no CommonName: with authentication on,
#                                     etcd 3.4's JSON gateway refuses
#                                     certificates that have one (HTTP 400)
#   etcd_auth_enable USER PASSWORD PREFIX   root user, USER with read-write
#                                     on PREFIX, authentication on
# Logs: $ETCD_RUN/NAME.log. PIDs: ETCD_PID[NAME].
: "${ETCD_RUN:?set ETCD_RUN}"
declare -gA ETCD_NS ETCD_ADDR ETCD_PID
ETCD_NAMES=""
ETCD_TLS=""
ETCD_ROOT_PW=""

etcd_member() {
	ETCD_NS[$1]=$2
	ETCD_ADDR[$1]=$3
	ETCD_NAMES="$ETCD_NAMES $1"
	mkdir -p "$ETCD_RUN"
}

etcd_scheme() { [ -n "$ETCD_TLS" ] && echo https || echo http; }

etcd_endpoints() {
	local n out=""
	for n in ${*:-$ETCD_NAMES}; do
		out="$out $(etcd_scheme)://${ETCD_ADDR[$n]}:2379"
	done
	echo "${out# }"
}

etcd_initial_cluster() {
	local n out=""
	for n in $ETCD_NAMES; do
		out="$out,$n=http://${ETCD_ADDR[$n]}:2380"
	done
	echo "${out#,}"
}

# etcd_start NAME: start (or restart) a member of the declared cluster
etcd_start() {
	local n=$1 state=new tls=()
	[ -d "$ETCD_RUN/$n.data/member" ] && state=existing
	if [ -n "$ETCD_TLS" ]; then
		tls=(--cert-file "$ETCD_TLS/server.pem" --key-file "$ETCD_TLS/server-key.pem"
			--trusted-ca-file "$ETCD_TLS/ca.pem" --client-cert-auth)
	fi
	# the defaults' timers (100 ms heartbeat, 1 s election), told
	# explicitly: the fault tests' expectations depend on them
	ip netns exec "${ETCD_NS[$n]}" etcd --name "$n" --data-dir "$ETCD_RUN/$n.data" \
		--listen-client-urls "$(etcd_scheme)://${ETCD_ADDR[$n]}:2379" \
		--advertise-client-urls "$(etcd_scheme)://${ETCD_ADDR[$n]}:2379" \
		--listen-peer-urls "http://${ETCD_ADDR[$n]}:2380" \
		--initial-advertise-peer-urls "http://${ETCD_ADDR[$n]}:2380" \
		--initial-cluster "$(etcd_initial_cluster)" --initial-cluster-state $state \
		--initial-cluster-token "xlb-test" --heartbeat-interval 100 --election-timeout 1000 \
		--logger zap --log-outputs stderr "${tls[@]}" >>"$ETCD_RUN/$n.log" 2>&1 &
	ETCD_PID[$n]=$!
}

# etcd_stop NAME [SIGNAL]: signal (TERM), KILL after 5 s, reap
etcd_stop() {
	local p=${ETCD_PID[$1]:-} i
	[ -n "$p" ] || return 0
	{
		kill -"${2:-TERM}" "$p"
		for i in $(seq 50); do
			kill -0 "$p" || break
			sleep 0.1
		done
		kill -9 "$p"
		wait "$p"
	} 2>/dev/null
	ETCD_PID[$1]=""
}

etcd_stop_all() {
	local n
	for n in $ETCD_NAMES; do
		[ -n "${ETCD_PID[$n]:-}" ] && kill -TERM "${ETCD_PID[$n]}" 2>/dev/null
	done
	for n in $ETCD_NAMES; do
		etcd_stop "$n"
	done
}

# etcdctl with the cluster's endpoints (and TLS, and the root login once
# authentication is on); --command-timeout bounds every call
etcd_ctl() {
	local first=${ETCD_NAMES# }
	first=${first%% *}
	local ns=${ETCD_CTL_NS:-${ETCD_NS[$first]}}
	local opts=(--endpoints "$(etcd_endpoints | tr ' ' ,)" --command-timeout 3s --dial-timeout 2s)
	[ -n "$ETCD_TLS" ] && opts+=(--cacert "$ETCD_TLS/ca.pem" --cert "$ETCD_TLS/client.pem"
		--key "$ETCD_TLS/client-key.pem")
	[ -n "$ETCD_ROOT_PW" ] && opts+=(--user "root:$ETCD_ROOT_PW")
	ETCDCTL_API=3 ip netns exec "$ns" etcdctl "${opts[@]}" "$@"
}

# etcd_ctl_one NAME ARGS...: etcdctl against one member only
etcd_ctl_one() {
	local n=$1
	shift
	local opts=(--endpoints "$(etcd_endpoints "$n")" --command-timeout 2s --dial-timeout 1s)
	[ -n "$ETCD_TLS" ] && opts+=(--cacert "$ETCD_TLS/ca.pem" --cert "$ETCD_TLS/client.pem"
		--key "$ETCD_TLS/client-key.pem")
	[ -n "$ETCD_ROOT_PW" ] && opts+=(--user "root:$ETCD_ROOT_PW")
	ETCDCTL_API=3 ip netns exec "${ETCD_NS[$n]}" etcdctl "${opts[@]}" "$@"
}

etcd_healthy() { etcd_ctl_one "$1" endpoint health >/dev/null 2>&1; }

etcd_poll() {
	local deadline=$(($(date +%s%N) / 1000000 + $1 * 1000))
	shift
	while :; do
		"$@" && return 0
		[ $(($(date +%s%N) / 1000000)) -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

etcd_all_healthy() {
	local n
	for n in "$@"; do etcd_healthy "$n" || return 1; done
}

etcd_wait_healthy() {
	local s=$1
	shift
	etcd_poll "$s" etcd_all_healthy ${*:-$ETCD_NAMES}
}

etcd_cluster_start() {
	local n
	command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
		{ echo "etcd missing (Debian packages etcd-server etcd-client; make deps)"; return 77; }
	for n in $ETCD_NAMES; do etcd_start "$n"; done
	etcd_wait_healthy "${1:-30}" || { echo "etcd cluster not healthy"; return 1; }
}

# the leader's name, from any member that answers
etcd_leader() {
	local n
	for n in $ETCD_NAMES; do
		[ -n "${ETCD_PID[$n]:-}" ] || continue
		etcd_ctl_one "$n" endpoint status -w json 2>/dev/null | python3 -c '
import json, sys
st = json.load(sys.stdin)[0]["Status"]
print(st["leader"] if st["leader"] == st["header"]["member_id"] else "")' 2>/dev/null |
			grep -q . && { echo "$n"; return; }
	done
}

etcd_partition() {
	ip netns exec "${ETCD_NS[$1]}" nft -f - <<EOF
table inet xlb_etcd_part {
	chain in { type filter hook input priority 0; tcp dport 2380 drop; tcp sport 2380 drop; }
	chain out { type filter hook output priority 0; tcp dport 2380 drop; tcp sport 2380 drop; }
}
EOF
}

etcd_heal() { ip netns exec "${ETCD_NS[$1]}" nft delete table inet xlb_etcd_part 2>/dev/null; }

etcd_revision() {
	etcd_ctl endpoint status -w json 2>/dev/null |
		python3 -c 'import json,sys; print(max(e["Status"]["header"]["revision"] for e in json.load(sys.stdin)))'
}

etcd_compact() { etcd_ctl compact "$(etcd_revision)" --physical >/dev/null; }

etcd_tls_make() {
	local d=$ETCD_RUN/tls n san=""
	mkdir -p "$d"
	for n in $ETCD_NAMES; do san="$san,IP:${ETCD_ADDR[$n]}"; done
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj "/CN=xlb test CA" -keyout ca-key.pem -out ca.pem &&
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-subj "/CN=etcd" -keyout server-key.pem -out server.csr &&
			openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
				-days 2 -out server.pem -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "${san#,}") &&
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-subj "/O=xlb test client" -keyout client-key.pem -out client.csr &&
			openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
				-days 2 -out client.pem -extfile <(printf 'extendedKeyUsage=clientAuth\n')
	) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log"; return 1; }
	ETCD_TLS=$d
}

etcd_auth_enable() {
	local user=$1 pw=$2 prefix=$3
	ETCD_ROOT_PW="root-$$-pw"
	etcd_ctl_noauth() { local r=$ETCD_ROOT_PW; ETCD_ROOT_PW=""; etcd_ctl "$@"; local rc=$?; ETCD_ROOT_PW=$r; return $rc; }
	{
		etcd_ctl_noauth user add root --new-user-password "$ETCD_ROOT_PW" &&
			etcd_ctl_noauth role add root &&
			etcd_ctl_noauth user grant-role root root &&
			etcd_ctl_noauth user add "$user" --new-user-password "$pw" &&
			etcd_ctl_noauth role add xlb &&
			etcd_ctl_noauth role grant-permission xlb --prefix=true readwrite "$prefix/" &&
			etcd_ctl_noauth user grant-role "$user" xlb &&
			etcd_ctl_noauth auth enable
	} >"$ETCD_RUN/auth.log" 2>&1 || { cat "$ETCD_RUN/auth.log"; return 1; }
}
