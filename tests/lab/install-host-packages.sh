#!/bin/bash
# Install the Debian packages the labs need (Debian 12), without letting any package script
# start a daemon in this machine's own namespaces (firewalld or dockerd there would rewrite
# the machine's own firewall). Idempotent: only missing packages are installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS="iproute2 util-linux procps curl socat openssl iptables nftables ipset dbus firewalld
python3-cap-ng docker.io busybox-static docker-registry apache2-utils debootstrap
systemd-container zstd strace"
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\n# DockerHostTools lab: deny service starts during package installation\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d; guard=1
fi
trap '[ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d' EXIT
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  APT="apt-get -o DPkg::Lock::Timeout=900 -q"
  $APT update
  $APT install -y --no-install-recommends $missing
fi
echo "lab packages: ok (installed:${missing:- nothing})"
