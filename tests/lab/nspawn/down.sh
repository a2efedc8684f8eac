#!/bin/bash
# Tear Recipe 1 down (machine powered off, namespaces removed); the tree stays for the next run.
# GEN=trixie|docker28 tears that generation's machine down (lib.sh); bookworm when unset.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
"$HERE/29-nspawn-down.sh"
rm -rf "$NS_DIR/xfer"
