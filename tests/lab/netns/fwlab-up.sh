#!/bin/bash
# fwlab-up.sh - build the Docker-host networking lab inside network namespaces.
#
#   fwext (198.51.100.2) --veth-- fwhost (198.51.100.1 = HOST_ADDR)
#                                   | fwdocker0 192.0.2.1 (plays docker0)
#                                   +--veth-- fwctr (192.0.2.2): real registry (Debian docker-registry) on :5000
#
# The host also gets its own mount namespace ($LAB/ns/host.mnt): private /run (own system
# D-Bus socket, /run/firewalld), copies of /etc/firewalld, /etc/sysctl.d, /etc/sysctl.conf,
# /var/log, an empty /usr/lib/sysctl.d, and a systemctl stand-in - so firewalld, firewall-cmd,
# sysctl -p FILE and systemctl work there without touching the VM's own config or rules.
#
# Options:
#   --backend nftables|iptables   FirewallBackend written to the lab's firewalld.conf (default nftables)
#   --iptables nft|legacy         what `iptables` means inside the host (alternatives, host mount ns only; default nft)
#   --docker-ipt CMD              binary used for Docker's rules (default iptables; e.g. iptables-legacy)
#   --firewalld                   start firewalld BEFORE "docker" (the healthy order); default: no firewalld
#   --no-proxy                    no docker-proxy stand-in (socat on 0.0.0.0:5000 in the host)
set -eu
trap 'echo "[fwlab] FAILED (line $LINENO) - run fwlab-down.sh to clean up" >&2' ERR
. "$(cd "$(dirname "$0")" && pwd)/fwlab-lib.sh"

BACKEND=nftables IPTVAR=nft DOCKER_IPT=iptables START_FW=0 PROXY=1
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) BACKEND=$2; shift ;;
    --iptables) IPTVAR=$2; shift ;;
    --docker-ipt) DOCKER_IPT=$2; shift ;;
    --firewalld) START_FW=1 ;;
    --no-proxy) PROXY=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case "$BACKEND" in nftables|iptables) ;; *) echo "--backend nftables|iptables" >&2; exit 2 ;; esac
case "$IPTVAR" in nft|legacy) ;; *) echo "--iptables nft|legacy" >&2; exit 2 ;; esac

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
for c in ip nsenter unshare iptables iptables-legacy nft firewalld firewall-cmd dbus-daemon docker-registry curl socat sysctl; do
  command -v $c >/dev/null || { echo "missing $c - run fwlab-install.sh" >&2; exit 1; }
done
if ip netns list | grep -qE "^($HOST_NS|$CTR_NS|$EXT_NS)( |$)" || [ -e "$LAB" ]; then
  echo "lab (or $LAB) already exists - run fwlab-down.sh first" >&2; exit 1
fi
T_ALL=$(now_ms)
mkdir -p "$NSDIR" "$STATE" "$PIDS" "$LOGS" "$LAB/bin"
: > "$LOGS/timings.tsv"

# ---------------------------------------------------------------- files for the host's mount ns
prep_files() {
  # a pristine /etc/firewalld (package defaults only; nothing the VM's admin may have added)
  mkdir -p "$STATE/etc-firewalld"
  for d in helpers icmptypes ipsets policies services zones; do mkdir -p "$STATE/etc-firewalld/$d"; done
  conf=$STATE/etc-firewalld/firewalld.conf
  cp /etc/firewalld/firewalld.conf "$conf" 2>/dev/null || : > "$conf"
  cp /etc/firewalld/lockdown-whitelist.xml "$STATE/etc-firewalld/" 2>/dev/null || true
  sed -i -e 's/^DefaultZone=.*/DefaultZone=public/' -e 's/^CleanupOnExit=.*/CleanupOnExit=yes/' "$conf"
  if grep -q '^FirewallBackend=' "$conf"; then sed -i "s/^FirewallBackend=.*/FirewallBackend=$BACKEND/" "$conf"
  else echo "FirewallBackend=$BACKEND" >> "$conf"; fi
  mkdir -p "$STATE/etc-sysctl.d" "$STATE/empty" "$STATE/varlog" "$STATE/registry-data" "$STATE/units"
  printf '# fwlab: the lab host'"'"'s /etc/sysctl.conf (bind-mounted; starts empty)\n' > "$STATE/sysctl.conf"
  echo "$DOCKER_IPT" > "$STATE/docker-ipt"
  if [ "$IPTVAR" = legacy ]; then
    cp -a /etc/alternatives "$STATE/alternatives"
    for t in iptables ip6tables; do for s in "" -restore -save; do
      ln -sfn "/usr/sbin/$t-legacy$s" "$STATE/alternatives/$t$s"; done; done
  fi
  sed -e "s#@LAB@#$LAB#" -e "s#@SRC@#$FWLAB_SRC#" -e "s#@BR@#$BR#" "$FWLAB_SRC/fwlab-systemctl" > "$LAB/bin/systemctl"
  chmod 755 "$LAB/bin/systemctl"
  cat > "$STATE/registry.yml" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $STATE/registry-data
  delete:
    enabled: true
http:
  addr: 0.0.0.0:$PORT
  headers:
    X-Content-Type-Options: [nosniff]
EOF
}
timed "files (config copies, shim)" prep_files

# ---------------------------------------------------------------- namespaces, veths, bridge
topology() {
  for n in $HOST_NS $CTR_NS $EXT_NS; do
    ip netns add $n
    ip -n $n link set lo up
  done
  ip link add $HOST_EXT_IF netns $HOST_NS type veth peer name $EXT_IF netns $EXT_NS
  ip -n $HOST_NS link add $BR type bridge
  ip link add $HOST_CTR_IF netns $HOST_NS type veth peer name $CTR_IF netns $CTR_NS
  ip -n $HOST_NS link set $HOST_CTR_IF master $BR
  # no IPv6 link-local chatter: only the documentation IPv4 ranges are used
  for i in $HOST_EXT_IF $BR $HOST_CTR_IF; do ip netns exec $HOST_NS sysctl -q -w net.ipv6.conf.$i.disable_ipv6=1; done
  ip netns exec $EXT_NS sysctl -q -w net.ipv6.conf.$EXT_IF.disable_ipv6=1
  ip netns exec $CTR_NS sysctl -q -w net.ipv6.conf.$CTR_IF.disable_ipv6=1
  ip -n $HOST_NS addr add $HOST_ADDR/24 dev $HOST_EXT_IF
  ip -n $HOST_NS addr add $BR_ADDR/24 dev $BR
  ip -n $EXT_NS addr add $EXT_ADDR/24 dev $EXT_IF
  ip -n $CTR_NS addr add $CTR_ADDR/24 dev $CTR_IF
  for i in $HOST_EXT_IF $BR $HOST_CTR_IF; do ip -n $HOST_NS link set $i up; done
  ip -n $EXT_NS link set $EXT_IF up
  ip -n $CTR_NS link set $CTR_IF up
  ip -n $CTR_NS route add default via $BR_ADDR       # like a container's default route to docker0
  # A new netns inherits net.ipv4.ip_forward from the VM's root ns: start from a known 0
  # (the "host booted, docker not started yet" state).
  ip netns exec $HOST_NS sysctl -q -w net.ipv4.ip_forward=0
}
timed "netns + veth + bridge" topology

# ---------------------------------------------------------------- host mount namespace
host_mountns() {
  mountpoint -q "$NSDIR" || mount --bind "$NSDIR" "$NSDIR"
  mount --make-private "$NSDIR"
  touch "$NSDIR/host.mnt"
  unshare --mount="$NSDIR/host.mnt" --propagation private true
  in_host sh -ec "
    umount -l /sys; mount -t sysfs -o nosuid,nodev,noexec fwlab-sysfs /sys   # /sys/class/net of fwhost
    mount --bind '$STATE/etc-firewalld' /etc/firewalld
    mount --bind '$STATE/etc-sysctl.d' /etc/sysctl.d
    mount --bind '$STATE/sysctl.conf' /etc/sysctl.conf
    mount --bind '$STATE/empty' /usr/lib/sysctl.d
    mount --bind '$STATE/varlog' /var/log
    if [ -d '$STATE/alternatives' ]; then mount --bind '$STATE/alternatives' /etc/alternatives; fi
    if [ -e /usr/bin/systemctl ]; then mount --bind '$LAB/bin/systemctl' /usr/bin/systemctl; fi
    mount -t tmpfs -o mode=755,nosuid,nodev fwlab-run /run
    mkdir -p /run/dbus /run/lock
  "
}
timed "host mount ns (/run, /etc/firewalld, ...)" host_mountns

# ---------------------------------------------------------------- the container: a real registry
start_registry() {
  spawn "$PIDS/registry.pid" "$LOGS/registry.log" ip netns exec $CTR_NS docker-registry serve "$STATE/registry.yml" || return 1
  for i in $(seq 1 100); do
    [ "$(in_ctr curl -s --max-time 1 http://$CTR_ADDR:$PORT/v2/)" = "{}" ] && return 0
    sleep 0.05
  done
  echo "registry did not answer, see $LOGS/registry.log" >&2; return 1
}
timed "registry in $CTR_NS answers /v2/" start_registry

# ---------------------------------------------------------------- docker-proxy stand-in
if [ $PROXY = 1 ]; then
  start_proxy() {
    # dockerd's userland proxy listens on 0.0.0.0:5000 in the host and connects to the container;
    # it only sees traffic the DNAT rules did not catch (127.0.0.1, or everything once DOCKER is gone)
    spawn "$PIDS/proxy.pid" "$LOGS/proxy.log" \
      nsenter --mount="$NSDIR/host.mnt" --net=/run/netns/$HOST_NS -- \
      socat TCP-LISTEN:$PORT,bind=0.0.0.0,reuseaddr,fork TCP:$CTR_ADDR:$PORT || return 1
    for i in $(seq 1 50); do
      [ "$(in_host curl -s --max-time 1 http://127.0.0.1:$PORT/v2/)" = "{}" ] && return 0
      sleep 0.05
    done
    return 1
  }
  timed "docker-proxy stand-in (socat) on :$PORT" start_proxy
fi

# ---------------------------------------------------------------- firewalld, then "docker"
if [ $START_FW = 1 ]; then
  timed "systemctl start firewalld ($BACKEND)" in_host systemctl start firewalld
fi
timed "systemctl start docker (rules, ip_forward=1)" in_host systemctl start docker

# ---------------------------------------------------------------- check
echo "[fwlab] ext  -> $HOST_ADDR:$PORT/v2/ : $(probe_ext 3)"
echo "[fwlab] host -> $HOST_ADDR:$PORT/v2/ : $(probe_host http://$HOST_ADDR:$PORT/v2/)"
echo "[fwlab] host ip_forward=$(in_host cat /proc/sys/net/ipv4/ip_forward)  VM ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
echo "[fwlab] up in $(( $(now_ms) - T_ALL )) ms. Use: $FWLAB_SRC/fwlab-exec.sh host|ctr|ext CMD..."
