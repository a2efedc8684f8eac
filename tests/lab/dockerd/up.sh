#!/bin/bash
# Recipe 2 for the tests: dockerd alone in netns dkhost (outside client in dkext), the registry image built locally,
# and container dkreg (registry, -p 5000:5000, --restart=no) answering from dkext.
# Usage: up.sh [--legacy]   (--legacy: dockerd's rules go to iptables-legacy while `iptables` stays nft)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t0=$(dk_ts)
"$HERE/19-dockerd-netns-down.sh" >/dev/null 2>&1 || true
[ "${1:-}" = --legacy ] && export DK_IPTABLES=legacy
"$HERE/10-dockerd-netns-up.sh"
"$HERE/../nspawn/11-build-registry-image.sh" >/dev/null
dk_docker rm -f dkreg >/dev/null 2>&1 || true
dk_docker run -d --name dkreg --restart=no -p 5000:5000 dkregistry:local >/dev/null
code=000
for i in $(seq 1 60); do
  code=$(dk_in_ext curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$DK_HOST_IP:5000/v2/" || true)
  [ "$code" = 200 ] && break; sleep 0.25
done
echo "registry from $DK_EXTNS: $code; lab up in $(dk_elapsed "$t0") s"
[ "$code" = 200 ]
