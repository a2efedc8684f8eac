#!/bin/bash
# Fetch Debian's ufw package of generation GEN (lib.sh), with those of its dependencies the tree lacks (bookworm's tree
# has no ucf and sensible-utils; trixie's has them), into a cache beside the trees ($DK_TREES/debs/GEN), without touching
# the tree: apt-get download on this machine with the tree's own sources and package lists (read only), so the versions
# are the generation's. The lab installs them into the booted machine (dpkg -i) for one test and purges them after
# (up.sh purges a ufw an aborted run left in the tree). Prints the .deb paths, ufw's first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
TREE=$DK_TREE
OUT=$DK_TREES/debs/$GEN
mkdir -p "$OUT"
installed() { awk -v p="$1" '$1=="Package:"{n=$2} $1=="Status:" && n==p && /install ok installed/{f=1} END{exit !f}' "$TREE/var/lib/dpkg/status"; }
want=ufw
for dep in ucf sensible-utils; do installed "$dep" || want+=" $dep"; done
missing=""
for p in $want; do ls "$OUT/${p}"_*.deb >/dev/null 2>&1 || missing+=" $p"; done
if [ -n "$missing" ]; then
  t0=$(dk_ts)
  cache=$(mktemp -d "$DK_TREES/debs/apt-cache.XXXXXX")
  trap 'rm -rf "$cache"' EXIT
  # The tree's lists are the generation's (its Release was checked when the tree was built).
  (cd "$OUT" && apt-get -q -o Dir::Etc::SourceList="$TREE/etc/apt/sources.list" -o Dir::Etc::SourceParts="$TREE/etc/apt/sources.list.d" \
    -o Dir::State::Lists="$TREE/var/lib/apt/lists" -o Dir::Cache="$cache" -o Dir::Etc::Preferences="$TREE/etc/apt/preferences" \
    -o Dir::Etc::PreferencesParts="$TREE/etc/apt/preferences.d" -o Acquire::Check-Valid-Until=false download $missing >"$cache/log" 2>&1) ||
    { cat "$cache/log" >&2; exit 1; }
  echo "$missing for $GEN fetched in $(dk_elapsed "$t0") s" >&2
fi
for p in $want; do ls "$OUT/${p}"_*.deb | head -1; done
