#!/bin/bash
# Fetch Debian's rootlesskit, slirp4netns and uidmap of generation GEN (lib.sh), with those of their dependencies the
# tree lacks, into a cache beside the trees ($DK_TREES/debs/GEN-rootless), without touching the tree: apt-get
# install --download-only on this machine with the tree's own sources, package lists and dpkg status (read only), so
# apt picks the generation's versions and only what the tree does not have. The lab installs them into the booted
# machine (dpkg -i) for the rootless test and purges them after. Prints the .deb paths of the versions apt picked
# (kept in $OUT/.complete, written only once apt succeeded; an interrupted fetch leaves no marker and is fetched again).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
TREE=$DK_TREE
OUT=$DK_TREES/debs/$GEN-rootless
mkdir -p "$OUT/partial"
complete() { [ -s "$OUT/.complete" ] && while read -r f; do [ -f "$f" ] || return 1; done <"$OUT/.complete"; }
if ! complete; then
  t0=$(dk_ts)
  cache=$(mktemp -d "$DK_TREES/debs/apt-cache.XXXXXX")
  trap 'rm -rf "$cache"' EXIT
  mkdir -p "$cache/state"
  opts=(-q -y -o Dir::Etc::SourceList="$TREE/etc/apt/sources.list" -o Dir::Etc::SourceParts="$TREE/etc/apt/sources.list.d"
    -o Dir::State="$cache/state" -o Dir::State::Lists="$TREE/var/lib/apt/lists" -o Dir::State::status="$TREE/var/lib/dpkg/status"
    -o Dir::Cache="$cache" -o Dir::Cache::archives="$OUT"
    -o Dir::Etc::Preferences="$TREE/etc/apt/preferences" -o Dir::Etc::PreferencesParts="$TREE/etc/apt/preferences.d"
    -o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -o Debug::NoLocking=true)
  apt-get "${opts[@]}" install --download-only rootlesskit slirp4netns uidmap >"$cache/log" 2>&1 || { cat "$cache/log" >&2; exit 1; }
  # The versions apt picks ("Inst PKG (VERSION ... [ARCH])"), as the names of their .deb files (an epoch's ':' is %3a).
  apt-get "${opts[@]}" -s install rootlesskit slirp4netns uidmap 2>>"$cache/log" |
    sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\{0,1\}(\([^ ]*\) .*\[\([^]]*\)\])$/\1_\3_\4.deb/p' | sed 's/:/%3a/g' |
    while read -r f; do echo "$OUT/$f"; done >"$cache/complete"
  while read -r f; do [ -f "$f" ] || { echo "apt picked $f but it was not fetched" >&2; cat "$cache/log" >&2; exit 1; }; done <"$cache/complete"
  [ -s "$cache/complete" ] || { echo "apt picked no package" >&2; cat "$cache/log" >&2; exit 1; }
  mv "$cache/complete" "$OUT/.complete"
  echo "rootless packages for $GEN fetched in $(dk_elapsed "$t0") s" >&2
fi
cat "$OUT/.complete"
