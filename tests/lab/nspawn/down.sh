#!/bin/bash
# Tear Recipe 1 down (machine powered off, namespaces removed); the tree stays for the next run.
HERE=$(cd "$(dirname "$0")" && pwd)
export NS_DIR=${NS_DIR:-/tmp/dknspawn}
"$HERE/29-nspawn-down.sh"
rm -rf "$NS_DIR/xfer"
