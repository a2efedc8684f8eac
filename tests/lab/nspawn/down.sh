#!/bin/bash
# Tear Recipe 1 down (machine powered off, namespaces removed); the tree stays for the next run.
# GEN=trixie|docker28 tears that generation's machine down (lib.sh); bookworm when unset.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
"$HERE/29-nspawn-down.sh"
# up.sh's IPv6 settings out of the tree again (the tree's daemon.json as its build wrote it).
if [ -d "$DK_TREE/etc/docker" ]; then
  echo '{ "bip": "192.0.2.1/24", "default-address-pools": [ { "base": "203.0.113.0/24", "size": 28 } ] }' > "$DK_TREE/etc/docker/daemon.json"
  rm -rf "$DK_TREE/etc/systemd/network/80-dk-$DK_VETH.network.d"
fi
rm -rf "$NS_DIR/xfer"
