#!/bin/bash
# Fetch Debian's ufw package of generation GEN (lib.sh) into a cache beside the trees ($DK_TREES/debs/GEN), without
# touching the tree: apt-get download on this machine with the tree's own sources and package lists (read only), so
# the version is the generation's. The lab installs it into the booted machine (dpkg -i) for one test and purges it
# after (up.sh purges a copy an aborted run left in the tree). Prints the .deb's path. ufw's dependencies (iptables,
# procps, ucf, python3, debconf) are in every tree already.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
TREE=$DK_TREE
OUT=$DK_TREES/debs/$GEN
mkdir -p "$OUT"
deb=$(ls "$OUT"/ufw_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  t0=$(dk_ts)
  cache=$(mktemp -d "$DK_TREES/debs/apt-cache.XXXXXX")
  trap 'rm -rf "$cache"' EXIT
  # The tree's lists are the generation's (its Release was checked when the tree was built).
  (cd "$OUT" && apt-get -q -o Dir::Etc::SourceList="$TREE/etc/apt/sources.list" -o Dir::Etc::SourceParts="$TREE/etc/apt/sources.list.d" \
    -o Dir::State::Lists="$TREE/var/lib/apt/lists" -o Dir::Cache="$cache" -o Dir::Etc::Preferences="$TREE/etc/apt/preferences" \
    -o Dir::Etc::PreferencesParts="$TREE/etc/apt/preferences.d" -o Acquire::Check-Valid-Until=false download ufw >"$cache/log" 2>&1) ||
    { cat "$cache/log" >&2; exit 1; }
  deb=$(ls "$OUT"/ufw_*.deb | head -1)
  echo "ufw for $GEN fetched in $(dk_elapsed "$t0") s" >&2
fi
echo "$deb"
