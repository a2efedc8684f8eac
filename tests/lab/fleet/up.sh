#!/bin/bash
# Recipe 4 for the tests: a fleet of Docker hosts reached over PowerShell remoting (SSH). Machine i (dkfleet$i) boots
# from a cached generation tree (tests/lab/nspawn builds them) with an overlay root of its own (/var/lib/docker bound to a
# plain folder: overlay2 cannot sit on overlayfs), sshd on, PowerShell's SSH subsystem, root's key, and a busybox httpd
# container publishing 8080. All machines sit on bridge flbr0 in the admin namespace fl-admin (198.51.100.2); machine i
# is 198.51.100.(10+i), named dkfleet$i in fl-admin's /etc/hosts. Every machine boots at once; the script waits for all.
# A tree without sshd (bookworm's) gets openssh-server from sshd-debs.sh's cached .debs, installed after boot (dpkg -i).
# Usage: up.sh SPEC...   SPEC = i:GEN[:MODULE_DIR]   (MODULE_DIR bound read-only as an installed module version folder,
#   /usr/local/share/powershell/Modules/DockerHostTools/<its folder name>; no MODULE_DIR: the host has no module)
# Env: PWSH_DIR (pwsh.dll's folder, bound at /dk/pwsh), FLEET (state folder, default /tmp/dkfleet).
# Only documentation addresses; everything is found again by the names above and stopped by PID (down.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
: "${PWSH_DIR:?PWSH_DIR: the folder of pwsh.dll}"
FLEET=${FLEET:-/tmp/dkfleet}; TREES=${DK_TREES:-/tmp/dknspawn}
mkdir -p "$FLEET"
[ -f "$FLEET/key" ] || ssh-keygen -q -t ed25519 -N '' -f "$FLEET/key"
[ -f "$FLEET/img/bbrootfs.tar" ] || DK_ROOT=$FLEET/img "$HERE/../nspawn/11-build-registry-image.sh" >/dev/null
ip netns add fl-admin 2>/dev/null || true
ip -n fl-admin link show flbr0 >/dev/null 2>&1 || { ip -n fl-admin link add flbr0 type bridge; ip -n fl-admin addr add 198.51.100.2/24 dev flbr0; }
ip -n fl-admin link set lo up; ip -n fl-admin link set flbr0 up
CGMOUNTS=$(awk '($2=="/sys/fs/cgroup" && $3=="tmpfs") || $3=="cgroup" || $3=="cgroup2" {print $2, $3, $4}' /proc/self/mounts); export CGMOUNTS
IDS=()
for spec in "$@"; do
  IFS=: read -r i gen module <<< "$spec"
  tree=$TREES/$gen; debs=""
  # A tree without sshd (bookworm's) gets Debian's openssh-server of its generation in the machine's own root, after boot.
  [ -x "$tree/usr/sbin/sshd" ] || debs=$(GEN=$gen DK_TREES=$TREES bash "$HERE/sshd-debs.sh")
  d=$FLEET/m$i; IDS+=("$i")
  mountpoint -q "$d/root" && umount "$d/root"
  rm -rf "$d/upper" "$d/work" "$d/docker"   # every boot starts from the tree as built
  mkdir -p "$d/upper" "$d/work" "$d/root" "$d/docker"
  mount -t overlay overlay -o "lowerdir=$tree,upperdir=$d/upper,workdir=$d/work" "$d/root"
  r=$d/root
  # The incident's baseline whatever a generation lab left in the tree (as nspawn/up.sh resets it): no sysctl drop-in,
  # firewalld's zones and firewalld.conf as shipped; 8080/tcp is opened in public below, once firewalld runs.
  find "$r/etc/sysctl.d" -maxdepth 1 \( -name '*.conf' ! -name '99-sysctl.conf' -o -name '*.dht-backup-*' \) -delete 2>/dev/null || true
  rm -f "$r"/etc/firewalld/zones/public.xml "$r"/etc/firewalld/zones/public.xml.old
  [ ! -f "$r/etc/firewalld/firewalld.conf.dk-orig" ] || cp "$r/etc/firewalld/firewalld.conf.dk-orig" "$r/etc/firewalld/firewalld.conf"
  rm -f "$r"/etc/systemd/network/*.network; mkdir -p "$r/etc/systemd/network" "$r/root/.ssh"
  printf '[Match]\nName=fl0\n[Network]\nAddress=198.51.100.%s/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n' $((10 + i)) > "$r/etc/systemd/network/80-fl.network"
  echo "dkfleet$i" > "$r/etc/hostname"
  cp "$FLEET/key.pub" "$r/root/.ssh/authorized_keys"; chmod 700 "$r/root/.ssh"; chmod 600 "$r/root/.ssh/authorized_keys"
  printf '#!/bin/sh\nexport DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1\nexec /usr/share/dotnet/dotnet /dk/pwsh/pwsh.dll "$@"\n' > "$r/usr/local/bin/pwsh"
  chmod +x "$r/usr/local/bin/pwsh"
  if [ -n "$debs" ]; then mkdir -p "$r/root/sshd-debs"; cp "$debs"/*.deb "$r/root/sshd-debs/"
  else grep -q '^Subsystem powershell' "$r/etc/ssh/sshd_config" || echo 'Subsystem powershell /usr/local/bin/pwsh -sshs -NoLogo' >> "$r/etc/ssh/sshd_config"; fi
  mkdir -p "$r/etc/systemd/system/multi-user.target.wants"; ln -sf /lib/systemd/system/ssh.service "$r/etc/systemd/system/multi-user.target.wants/ssh.service"
  cp "$FLEET/img/bbrootfs.tar" "$r/root/bbrootfs.tar"
  binds=(--bind="$d/docker:/var/lib/docker" --bind-ro=/usr/share/dotnet --bind-ro="$PWSH_DIR:/dk/pwsh")
  [ -z "$module" ] || binds+=(--bind-ro="$module:/usr/local/share/powershell/Modules/DockerHostTools/$(basename "$module")")
  initargs=(); [ "$gen" = bookworm ] || initargs=(systemd.unified_cgroup_hierarchy=0 SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1)
  ip netns add "fl-m$i" 2>/dev/null || true
  ip -n "fl-m$i" link show fl0 >/dev/null 2>&1 || ip link add fl0 netns "fl-m$i" type veth peer name "flp$i" netns fl-admin
  ip -n fl-admin link set "flp$i" master flbr0; ip -n fl-admin link set "flp$i" up
  # The machine outlives this script: it keeps none of the caller's descriptors above stderr (a flock caller's lock).
  ( for fd in $(ls /proc/$BASHPID/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
    exec setsid ip netns exec "fl-m$i" sh -c '
      echo "$CGMOUNTS" | while read -r dir type opts; do [ -n "$dir" ] || continue; mkdir -p "$dir"; mount -t "$type" -o "$opts" "$type" "$dir"; done
      mount -o remount,bind,ro /sys
      exec "$@"' dkfleet systemd-nspawn -D "$r" -M "dkfleet$i" -b --register=no --keep-unit --private-network --network-interface=fl0 \
      --capability=all --system-call-filter=@keyring --console=passive "${binds[@]}" "${initargs[@]}" > "$d/boot.log" 2>&1 < /dev/null ) &
  echo $! > "$d/nspawn.pid"
done
# The machines' names, for the admin namespace only (ip netns exec binds /etc/netns/fl-admin/hosts over /etc/hosts).
mkdir -p /etc/netns/fl-admin
{ printf '127.0.0.1 localhost\n'; for i in "${IDS[@]}"; do printf '198.51.100.%s dkfleet%s\n' $((10 + i)) "$i"; done; } > /etc/netns/fl-admin/hosts
for i in "${IDS[@]}"; do
  d=$FLEET/m$i; l=""
  for _ in $(seq 1 300); do np=$(cat "$d/nspawn.pid"); l=$(for c in $np $(pgrep -P "$np"); do pgrep -P "$c" -x systemd; done 2>/dev/null | head -1 || true); [ -n "$l" ] && break; sleep 0.1; done
  [ -n "$l" ] || { echo "dkfleet$i: no leader"; cat "$d/boot.log"; exit 1; }
  echo "$l" > "$d/leader.pid"
done
for i in "${IDS[@]}"; do
  d=$FLEET/m$i; l=$(cat "$d/leader.pid"); X=(nsenter -t "$l" -a)
  if [ -d "$d/root/root/sshd-debs" ]; then
    for _ in $(seq 1 300); do "${X[@]}" systemctl is-active -q docker 2>/dev/null && break; sleep 0.2; done
    "${X[@]}" env DEBIAN_FRONTEND=noninteractive sh -c 'dpkg -i /root/sshd-debs/*.deb' > "$d/sshd-debs.log" 2>&1 || { echo "dkfleet$i: dpkg -i openssh-server failed"; cat "$d/sshd-debs.log"; exit 1; }
    "${X[@]}" sh -c "grep -q '^Subsystem powershell' /etc/ssh/sshd_config || echo 'Subsystem powershell /usr/local/bin/pwsh -sshs -NoLogo' >> /etc/ssh/sshd_config; systemctl restart ssh"
  fi
  for _ in $(seq 1 300); do "${X[@]}" systemctl is-active -q docker ssh 2>/dev/null && break; sleep 0.2; done
  for _ in $(seq 1 100); do [ "$("${X[@]}" firewall-cmd --state 2>/dev/null)" = running ] && break; sleep 0.2; done
  # root's user manager (user@0.service) stays up: without linger logind stops it 10 s after root's last session and
  # pam_systemd makes the next SSH login wait for it to start again; on 2 loaded cores that took longer than 45 s (the
  # machine's sshd journal: "session opened for user root", then nothing until the client's ConnectingTimeout).
  "${X[@]}" loginctl enable-linger root 2>/dev/null || true
  "${X[@]}" firewall-cmd -q --zone=public --add-port=8080/tcp; "${X[@]}" firewall-cmd -q --permanent --zone=public --add-port=8080/tcp
  "${X[@]}" docker image inspect dkbusybox:local >/dev/null 2>&1 || "${X[@]}" docker import --change 'CMD ["/bin/sh"]' /root/bbrootfs.tar dkbusybox:local >/dev/null
  # Seen with 7 machines booting on 2 loaded cores: runc "mkdir /sys/fs/cgroup/cpuset/docker/...: read-only file system"
  # (cgroup v1) on one machine, every try: a controller hierarchy nspawn mounts read-only was still read-only although the
  # tree's dk-cgroup-rw.service remounts them (it ignores failures). The same remount, from here, before each try.
  for try in 1 2 3; do
    ro=$("${X[@]}" sh -c 'for d in /sys/fs/cgroup/*/; do case "$d" in */systemd/|*/unified/) continue;; esac
      mountpoint -q "$d" || continue; grep -q "^[^ ]* ${d%/} [^ ]* ro[, ]" /proc/self/mounts || continue
      echo "${d%/}"; mount -o remount,bind,rw "$d" >&2; done') || true
    [ -z "$ro" ] || echo "dkfleet$i: cgroup hierarchies were read-only, remounted rw: $(echo $ro)" >&2
    "${X[@]}" docker rm -f dkweb >/dev/null 2>&1 || true
    "${X[@]}" docker run -d --name dkweb --restart=unless-stopped -p 8080:80 dkbusybox:local httpd -f -p 80 -h /tmp >/dev/null && break
    [ "$try" = 3 ] && exit 1; sleep 1
  done
  echo "dkfleet$i (198.51.100.$((10 + i))): $("${X[@]}" systemctl is-active docker ssh firewalld | tr '\n' ' ')"
done
