#!/bin/bash
# Registry reachability lab: a "registry side" network namespace running real Debian docker-registry
# instances and a "probe side" namespace where Test-RegistryReachable runs. Only 198.51.100.0/24.
#   RGLAB_PREFIX (default rg): namespaces ${P}reg / ${P}probe, state dir /tmp/${P}lab
# Endpoints, as seen from ${P}probe (printed as KEY=VALUE lines by rglab-up.sh, also in $STATE/endpoints.env):
#   198.51.100.10:5000          plain registry                           -> Reachable
#   198.51.100.10:5001          registry with htpasswd auth (lab/lab-pass) -> AuthRequired / Reachable with credentials
#   198.51.100.10:5443          registry with TLS, self-signed certificate -> TlsFailure / Reachable with -SkipCertificateCheck
#   198.51.100.10:8080          busybox httpd, not a registry            -> NotARegistry
#   198.51.100.10:5009          nothing listening                        -> Refused
#   198.51.100.10:5020          socat: accepts, never answers               -> Timeout with TcpConnected
#   198.51.100.10:5021          socat: accepts, closes at once (like a proxy whose backend is gone) -> HttpError
#   198.51.100.10:5022          socat: records what clients send in $STATE/capture.bin, never answers -> Timeout
#   198.51.100.10:5010          iptables REJECT --reject-with icmp-admin-prohibited -> Unreachable
#   198.51.100.10:40000-40999   iptables DROP                            -> Timeout
#   198.51.100.10:21000-22999   iptables REDIRECT to the plain registry  -> Reachable (many live endpoints)
#   198.51.100.10:30000-31999   nothing listening                        -> Refused (many)
#   203.0.113.1                 no route from the probe namespace        -> Unreachable
#   nothing.invalid             resolver 198.51.100.53 has no server     -> DnsFailure
set -euo pipefail
P="${RGLAB_PREFIX:-rg}"
STATE="/tmp/${P}lab"
REG="${P}reg"; PROBE="${P}probe"
if ip netns list | grep -qw "$REG"; then echo "lab $P already up; run rglab-down.sh first" >&2; exit 1; fi
rm -rf "$STATE"; mkdir -p "$STATE"/{plain,auth,tls,www/v2}
: > "$STATE/pids"

ip netns add "$REG"; ip netns add "$PROBE"
ip link add "${P}veth0" type veth peer name "${P}veth1"
ip link set "${P}veth0" netns "$REG"; ip link set "${P}veth1" netns "$PROBE"
ip -n "$REG" addr add 198.51.100.10/24 dev "${P}veth0"
ip -n "$PROBE" addr add 198.51.100.20/24 dev "${P}veth1"
for ns in "$REG" "$PROBE"; do ip -n "$ns" link set lo up; done
ip -n "$REG" link set "${P}veth0" up; ip -n "$PROBE" link set "${P}veth1" up
# The probe side resolves names through a lab address where no DNS server listens (no query leaves the lab).
mkdir -p "/etc/netns/$PROBE"
printf 'nameserver 198.51.100.53\noptions timeout:1 attempts:1\n' > "/etc/netns/$PROBE/resolv.conf"
printf '127.0.0.1 localhost\n' > "/etc/netns/$PROBE/hosts"

# Credentials and certificate.
htpasswd -Bbn lab lab-pass > "$STATE/auth/htpasswd"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=198.51.100.10" \
  -addext "subjectAltName=IP:198.51.100.10" -keyout "$STATE/tls/key.pem" -out "$STATE/tls/cert.pem" 2>/dev/null

write_config() { # name port extra-yaml
  cat > "$STATE/$1/config.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $STATE/$1/data
http:
  addr: 198.51.100.10:$2
$3
YAML
}
write_config plain 5000 ""
write_config auth 5001 "auth:
  htpasswd:
    realm: lab-realm
    path: $STATE/auth/htpasswd"
write_config tls 5443 "  tls:
    certificate: $STATE/tls/cert.pem
    key: $STATE/tls/key.pem"

start() { # name, command...
  local name=$1; shift
  ip netns exec "$REG" setsid "$@" > "$STATE/$name.log" 2>&1 < /dev/null &
  echo "$! $name" >> "$STATE/pids"
}
for r in plain auth tls; do start "registry-$r" docker-registry serve "$STATE/$r/config.yml"; done
echo 'not a registry' > "$STATE/www/index.html"
start httpd busybox httpd -f -p 198.51.100.10:8080 -h "$STATE/www"
start silent socat TCP-LISTEN:5020,bind=198.51.100.10,reuseaddr,fork "EXEC:sleep 120"
start closer socat TCP-LISTEN:5021,bind=198.51.100.10,reuseaddr,fork EXEC:/bin/true
# Capture: records every byte a client sends (never answers), so a test can see what went over the wire.
: > "$STATE/capture.bin"
start capture socat -u TCP-LISTEN:5022,bind=198.51.100.10,reuseaddr,fork "OPEN:$STATE/capture.bin,wronly,append"

# Packet filter on the registry side.
ipt() { ip netns exec "$REG" iptables -w "$@"; }
ipt -A INPUT -p tcp --dport 5010 -j REJECT --reject-with icmp-admin-prohibited
ipt -A INPUT -p tcp --dport 40000:40999 -j DROP
ipt -t nat -A PREROUTING -p tcp --dport 21000:22999 -j REDIRECT --to-ports 5000

# Wait until every listener answers (from the probe side).
for port in 5000 5001 5443 8080 5020 5021 5022; do
  for _ in $(seq 1 100); do
    if ip netns exec "$PROBE" bash -c "exec 3<>/dev/tcp/198.51.100.10/$port" 2>/dev/null; then continue 2; fi
    sleep 0.1
  done
  echo "listener on port $port did not come up; logs in $STATE" >&2; exit 1
done
cat > "$STATE/endpoints.env" <<ENV
RGLAB_REG_NS=$REG
RGLAB_PROBE_NS=$PROBE
RGLAB_STATE=$STATE
RGLAB_CERT=$STATE/tls/cert.pem
ENV
cat "$STATE/endpoints.env"
echo "lab $P up"
