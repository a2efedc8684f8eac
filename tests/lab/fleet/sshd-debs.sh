#!/bin/bash
# The fleet's way onto a tree without sshd (bookworm's: tests/lab/nspawn builds it without openssh-server, and changing
# that build would rebuild every tree): Debian's openssh-server of generation GEN with those of its dependencies the
# tree lacks, fetched into a cache beside the trees ($DK_TREES/debs/GEN-sshd) without touching the tree, the way
# tests/lab/nspawn/40-nspawn-ufw-deb.sh fetches ufw: apt-get on this machine with the tree's own sources, package lists
# and dpkg status (read only), so the versions are the generation's. up.sh installs them into the booted machine's own
# root (an overlay: the tree stays as built). Prints the folder.
set -euo pipefail
. "$(dirname "$0")/../nspawn/lib.sh"
TREE=$DK_TREE
OUT=$DK_TREES/debs/$GEN-sshd
mkdir -p "$OUT"
if [ ! -f "$OUT/complete" ]; then
  t0=$(dk_ts)
  cache=$(mktemp -d "$DK_TREES/debs/apt-cache.XXXXXX")
  trap 'rm -rf "$cache"' EXIT
  apt=(apt-get -q -o Dir::Etc::SourceList="$TREE/etc/apt/sources.list" -o Dir::Etc::SourceParts="$TREE/etc/apt/sources.list.d"
    -o Dir::State::Lists="$TREE/var/lib/apt/lists" -o Dir::State::status="$TREE/var/lib/dpkg/status" -o Dir::Cache="$cache"
    -o Dir::Etc::Preferences="$TREE/etc/apt/preferences" -o Dir::Etc::PreferencesParts="$TREE/etc/apt/preferences.d"
    -o APT::Install-Recommends=false -o Acquire::Check-Valid-Until=false)
  # What installing openssh-server into the tree would add: apt's own answer, from the tree's dpkg status.
  want=$("${apt[@]}" -s install openssh-server 2>"$cache/log" | awk '$1=="Inst"{print $2}') || { cat "$cache/log" >&2; exit 1; }
  [ -n "$want" ] || { echo "apt names nothing to install for openssh-server in $TREE" >&2; exit 1; }
  rm -f "$OUT"/*.deb
  (cd "$OUT" && "${apt[@]}" download $want >"$cache/log" 2>&1) || { cat "$cache/log" >&2; exit 1; }
  touch "$OUT/complete"
  echo "openssh-server for $GEN: $(echo $want) fetched in $(dk_elapsed "$t0") s" >&2
fi
echo "$OUT"
