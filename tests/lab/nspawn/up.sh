#!/bin/bash
# Recipe 1 for the tests: build the tree of generation GEN (lib.sh: bookworm when unset, trixie, docker28) when missing (reuse it when present), boot it with systemd-nspawn,
# and start two containers inside: dkreg (registry, -p 5000:5000, --restart=unless-stopped) and dkweb (busybox httpd,
# -p 8080:80, --restart=no: it does not come back by itself after `systemctl restart docker`).
# Usage: up.sh [MODULE_DIR] [PWSH_DIR]
#   MODULE_DIR is bound read-only at /dk/module, PWSH_DIR (pwsh.dll's folder) at /dk/pwsh, /usr/share/dotnet at the
#   same path, $NS_DIR/xfer at /dkx (results back to the test), the outside netns file at /run/OUTSIDE.netns
#   (/run/dkbext.netns on bookworm; lib.sh names each generation's). Each generation has its own names and NS_DIR,
#   so several can be up at once.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t0=$(dk_ts)
"$HERE/29-nspawn-down.sh" >/dev/null 2>&1 || true   # a machine left by an aborted run
"$HERE/20-nspawn-build-rootfs.sh"
# The tree is reused between runs: undo what a test or a repair may have persisted in it (sysctl drop-ins and their
# backups, firewalld's permanent zone changes), so every boot starts from the incident's baseline.
TREE=$DK_TREE
find "$TREE/etc/sysctl.d" -maxdepth 1 \( -name '*.conf' ! -name '99-sysctl.conf' -o -name '*.dht-backup-*' \) -delete 2>/dev/null || true
rm -f "$TREE"/etc/firewalld/zones/public.xml "$TREE"/etc/firewalld/zones/public.xml.old
# firewalld.conf as shipped (newer generations keep the package's copy; a test may have set StrictForwardPorts).
[ ! -f "$TREE/etc/firewalld/firewalld.conf.dk-orig" ] || cp "$TREE/etc/firewalld/firewalld.conf.dk-orig" "$TREE/etc/firewalld/firewalld.conf"
# ufw installed for one test (issue 12) and the nftables.conf a remedy edited, when an aborted run left them in the tree.
[ ! -e "$TREE/usr/sbin/ufw" ] || chroot "$TREE" dpkg --purge ufw >/dev/null 2>&1 || true
# The rootless test's lab user and packages (issue 12, lab/nspawn/41-nspawn-rootless-deb.sh), when an aborted run left them.
if grep -q '^dkrl:' "$TREE/etc/passwd" || [ -e "$TREE/usr/bin/rootlesskit" ]; then
  chroot "$TREE" sh -c "userdel -r -f dkrl; dpkg --purge $(ls "$DK_TREES/debs/$GEN-rootless" 2>/dev/null | sed -n 's/_.*\.deb$//p' | tr '\n' ' ')" >/dev/null 2>&1 || true
fi
[ ! -f "$TREE/etc/nftables.conf.dht-backup" ] || mv -f "$TREE/etc/nftables.conf.dht-backup" "$TREE/etc/nftables.conf"
rm -f "$TREE/etc/systemd/system/cu-nft-restart.service" "$TREE/etc/systemd/system/nftables.service.d/dht-keep-docker-rules.conf"
# IPv6 (issue 12), folded into every generation's boot: the lab link gets 2001:db8:100::10/64 (the outside client
# 2001:db8:100::2) and docker0 2001:db8:1::/64 (fixed-cidr-v6, which every generation's engine takes; documentation prefix
# only). Docker 20.10 and 26.1 need "ip6tables": true and "experimental" for ip6tables; 28 has ip6tables on by default
# (said anyway). down.sh puts the tree's IPv4-only daemon.json back, so a lab booted by another branch's up.sh is as before.
mkdir -p "$TREE/etc/systemd/network/80-dk-$DK_VETH.network.d"
printf '[Network]\nLinkLocalAddressing=ipv6\n[Address]\nAddress=%s/64\nDuplicateAddressDetection=none\n' "$DK_NSPAWN_HOST_IP6" \
  > "$TREE/etc/systemd/network/80-dk-$DK_VETH.network.d/ipv6.conf"
case "$GEN" in docker28) experimental="" ;; *) experimental='"experimental": true, ' ;; esac
printf '%s\n' '{ "bip": "192.0.2.1/24", "default-address-pools": [ { "base": "203.0.113.0/24", "size": 28 } ],' \
  "  \"ipv6\": true, \"fixed-cidr-v6\": \"2001:db8:1::/64\", $experimental\"ip6tables\": true }" > "$TREE/etc/docker/daemon.json"
mkdir -p "$NS_DIR/xfer"
extra="--bind-ro=/usr/share/dotnet --bind=$NS_DIR/xfer:/dkx --bind-ro=/run/netns/$DK_NSPAWN_EXTNS:/run/$DK_NSPAWN_EXTNS.netns"
[ -n "${1:-}" ] && extra+=" --bind-ro=$1:/dk/module"
[ -n "${2:-}" ] && extra+=" --bind-ro=$2:/dk/pwsh"
DK_NSPAWN_EXTRA="$extra" "$HERE/21-nspawn-boot.sh"
ip netns exec "$DK_NSPAWN_EXTNS" ip -6 addr replace "$DK_NSPAWN_EXT_IP6/64" dev "$DK_VETH_PEER" nodad
X="$HERE/dk-nsexec.sh"
for i in $(seq 1 100); do $X systemctl is-active -q docker && break; sleep 0.2; done
$X systemctl is-active docker firewalld

# images: built on the host from Debian's static busybox and registry binaries (no registry access)
DK_ROOT=$NS_DIR/img "$HERE/11-build-registry-image.sh" >/dev/null
L=$(cat "$NS_DIR/leader.pid")
if ! $X docker image inspect dkregistry:local >/dev/null 2>&1; then
  cp "$NS_DIR/img/regrootfs.tar" "/proc/$L/root/root/regrootfs.tar"
  $X docker import --change 'ENTRYPOINT ["/usr/bin/registry"]' --change 'CMD ["serve","/etc/docker/registry/config.yml"]' \
     --change 'EXPOSE 5000' /root/regrootfs.tar dkregistry:local >/dev/null
fi
if ! $X docker image inspect dkbusybox:local >/dev/null 2>&1; then
  cp "$NS_DIR/img/bbrootfs.tar" "/proc/$L/root/root/bbrootfs.tar"
  $X docker import --change 'CMD ["/bin/sh"]' /root/bbrootfs.tar dkbusybox:local >/dev/null
fi
$X docker rm -f dkreg dkweb dkudp >/dev/null 2>&1 || true
$X docker run -d --name dkreg --restart=unless-stopped -p 5000:5000 dkregistry:local >/dev/null
$X docker run -d --name dkweb --restart=no -p 8080:80 dkbusybox:local httpd -f -p 80 -h /tmp >/dev/null
code=000
for i in $(seq 1 60); do
  code=$(ip netns exec "$DK_NSPAWN_EXTNS" curl -s -m 2 -o /dev/null -w '%{http_code}' http://198.51.100.10:5000/v2/ || true)
  [ "$code" = 200 ] && break; sleep 0.25
done
code6=000
for i in $(seq 1 40); do
  code6=$(ip netns exec "$DK_NSPAWN_EXTNS" curl -s -m 2 -o /dev/null -w '%{http_code}' "http://[$DK_NSPAWN_HOST_IP6]:5000/v2/" || true)
  [ "$code6" = 200 ] && break; sleep 0.25
done
echo "$GEN registry from $DK_NSPAWN_EXTNS: $code, over IPv6: $code6; lab up in $(dk_elapsed "$t0") s"
[ "$code" = 200 ] && [ "$code6" = 200 ]
