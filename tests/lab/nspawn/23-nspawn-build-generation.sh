#!/bin/bash
# Build (or reuse) the tree of a newer generation for the nspawn Docker host: GEN=trixie or GEN=docker28 (lib.sh),
# into $DK_TREES/GEN (/tmp/dknspawn/GEN). Called by 20-nspawn-build-rootfs.sh for every GEN but bookworm.
#   trixie   : Debian 13   systemd 257, firewalld 2.3.1, docker.io 26.1.5 (client in docker-cli), iptables 1.8.11
#   docker28 : Debian 13 + docker.io 28.5.2, docker-cli and firewalld 2.5.2 from sid, pinned (the rest stays trixie;
#              sid's systemd >= 258 cannot boot on cgroup v1 at all). -o Acquire::Check-Valid-Until=false: the
#              mirror's sid Release can be past its date.
# The tree also gets openssh-server (disabled) and /usr/local/bin/pwsh (runs the pwsh bound at /dk/pwsh with the .NET
# bound at /usr/share/dotnet), so a fleet of these machines can be reached over PowerShell remoting later.
# Boot it with 21-nspawn-boot.sh (same GEN): systemd >= 256 needs the init arguments of lib.sh's DK_INIT_ARGS here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
TREE=$DK_TREE
MIRROR=${MIRROR:-http://deb.debian.org/debian}
case "$GEN" in trixie|docker28) SUITE=trixie ;; *) echo "23-nspawn-build-generation.sh builds trixie and docker28, not $GEN" >&2; exit 2 ;; esac
mkdir -p "$NS_DIR" "$(dirname "$TREE")"

configure() {
  # The per-generation names (cheap, idempotent, also on a reused tree): hostname, the inside end of the veth.
  echo "$DK_MACHINE" > "$TREE/etc/hostname"
  mkdir -p "$TREE/etc/systemd/network"
  rm -f "$TREE"/etc/systemd/network/80-dk-*.network
  printf '[Match]\nName=%s\n[Network]\nAddress=%s/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n' "$DK_VETH" "$DK_NSPAWN_HOST_IP" \
    > "$TREE/etc/systemd/network/80-dk-$DK_VETH.network"
  # firewalld.conf as the package shipped it: up.sh puts it back before each boot (a test may set StrictForwardPorts).
  [ -f "$TREE/etc/firewalld/firewalld.conf.dk-orig" ] || cp "$TREE/etc/firewalld/firewalld.conf" "$TREE/etc/firewalld/firewalld.conf.dk-orig"
  # openssh-server stays off (a fleet enables it); pwsh for its PowerShell subsystem is the one bound at /dk/pwsh.
  if [ ! -x "$TREE/usr/local/bin/pwsh" ]; then
    chroot "$TREE" systemctl disable ssh.service ssh.socket >/dev/null 2>&1 || true
    printf '#!/bin/sh\nexport DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1\nexec /usr/share/dotnet/dotnet /dk/pwsh/pwsh.dll "$@"\n' > "$TREE/usr/local/bin/pwsh"
    chmod 755 "$TREE/usr/local/bin/pwsh"
    [ ! -f "$TREE/etc/ssh/sshd_config" ] || grep -q '^Subsystem powershell' "$TREE/etc/ssh/sshd_config" ||
      echo 'Subsystem powershell /usr/local/bin/pwsh -sshs -NoLogo' >> "$TREE/etc/ssh/sshd_config"
  fi
}

if [ -z "${DK_REBUILD:-}" ] && [ -x "$TREE/usr/sbin/dockerd" ] && [ -x "$TREE/usr/sbin/firewalld" ] &&
   [ -f "$TREE/etc/systemd/system/dk-cgroup-rw.service" ]; then
  configure; echo "tree $TREE ($GEN) already built: reused"; exit 0
fi

t0=$(dk_ts)
[ -x "$TREE/lib/systemd/systemd" ] || [ -x "$TREE/usr/lib/systemd/systemd" ] || \
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,procps,ca-certificates \
    "$SUITE" "$TREE" "$MIRROR" > "$NS_DIR/debootstrap.log" 2>&1
echo "debootstrap: $(dk_elapsed "$t0") s"
t1=$(dk_ts)
printf '#!/bin/sh\nexit 101\n' > "$TREE/usr/sbin/policy-rc.d"; chmod +x "$TREE/usr/sbin/policy-rc.d"   # no service starts in the HOST
cp /etc/resolv.conf "$TREE/etc/resolv.conf"
if [ "$GEN" = docker28 ]; then
  echo "deb $MIRROR sid main" > "$TREE/etc/apt/sources.list.d/sid.list"
  printf 'Package: *\nPin: release n=sid\nPin-Priority: 100\n' > "$TREE/etc/apt/preferences.d/sid"
fi
for m in proc sys dev; do mountpoint -q "$TREE/$m" || mount --rbind "/$m" "$TREE/$m"; done
cleanup() { for m in dev sys proc; do umount -R "$TREE/$m" 2>/dev/null || umount -lR "$TREE/$m" 2>/dev/null || true; done; }
trap cleanup EXIT
APT="chroot $TREE env DEBIAN_FRONTEND=noninteractive apt-get -q -o Acquire::Check-Valid-Until=false"
$APT update > "$NS_DIR/apt-inside.log" 2>&1
PKGS="firewalld nftables iptables docker.io docker-cli containerd runc tini curl busybox-static docker-registry iputils-ping less kmod openssh-server"
$APT install -y --no-install-recommends $PKGS >> "$NS_DIR/apt-inside.log" 2>&1
[ "$GEN" = docker28 ] && $APT install -y --no-install-recommends -t sid docker.io docker-cli firewalld >> "$NS_DIR/apt-inside.log" 2>&1
chroot "$TREE" apt-get clean
cleanup; trap - EXIT
rm -f "$TREE/usr/sbin/policy-rc.d"
echo "apt inside tree: $(dk_elapsed "$t1") s"

# The same configuration as the bookworm tree (20-nspawn-build-rootfs.sh): docker on 192.0.2.0/24, pools 203.0.113.0/24.
echo 'root:dk' | chroot "$TREE" chpasswd
chroot "$TREE" systemctl enable systemd-networkd >/dev/null 2>&1 || true
mkdir -p "$TREE/etc/docker"
echo '{ "bip": "192.0.2.1/24", "default-address-pools": [ { "base": "203.0.113.0/24", "size": 28 } ] }' > "$TREE/etc/docker/daemon.json"
chroot "$TREE" systemctl disable docker-registry.service >/dev/null 2>&1 || true
cat > "$TREE/etc/systemd/system/dk-cgroup-rw.service" <<'UNIT'
[Unit]
Description=dk lab: remount cgroup v1 controller hierarchies rw (nspawn mounts them ro) so dockerd/runc can create cgroups
DefaultDependencies=no
After=local-fs.target
Before=containerd.service docker.service
ConditionPathIsMountPoint=/sys/fs/cgroup/memory
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'for d in /sys/fs/cgroup/*/; do case "$d" in */systemd/|*/unified/) continue;; esac; mount -o remount,bind,rw "$d" || true; done'
[Install]
WantedBy=sysinit.target
UNIT
chroot "$TREE" systemctl enable dk-cgroup-rw.service >/dev/null 2>&1
configure
echo "$GEN: $(chroot "$TREE" dpkg-query -W -f '${Package} ${Version}\n' systemd docker.io firewalld iptables | tr '\n' ';') built in $(dk_elapsed "$t0") s, $(du -sh "$TREE" | cut -f1)"
