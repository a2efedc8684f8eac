#!/bin/bash
# Stops every machine up.sh started, by the PIDs it wrote (poweroff inside, then TERM/KILL of that nspawn), unmounts
# the overlays and removes the fleet's namespaces (fl-m$i, fl-admin) and fl-admin's /etc/netns folder. Safe to run twice.
set -u
FLEET=${FLEET:-/tmp/dkfleet}
for d in "$FLEET"/m*; do
  [ -f "$d/nspawn.pid" ] || continue; p=$(cat "$d/nspawn.pid")
  [ -f "$d/leader.pid" ] && kill -0 "$p" 2>/dev/null && timeout 5 nsenter -t "$(cat "$d/leader.pid")" -a systemctl poweroff --no-block >/dev/null 2>&1
done
for d in "$FLEET"/m*; do
  [ -d "$d" ] || continue; i=${d##*/m}
  if [ -f "$d/nspawn.pid" ]; then
    p=$(cat "$d/nspawn.pid")
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$p" 2>/dev/null && kill -TERM "$p" && sleep 2
    kill -0 "$p" 2>/dev/null && kill -KILL "$p"   # an nspawn whose container is gone can hang on TERM
    rm -f "$d/nspawn.pid" "$d/leader.pid"
  fi
  rm -rf "/run/systemd/nspawn/propagate/dkfleet$i"
  umount "$d/root" 2>/dev/null || umount -l "$d/root" 2>/dev/null
  rm -rf "$d/upper" "$d/work" "$d/docker"
  ip netns del "fl-m$i" 2>/dev/null
done
ip netns del fl-admin 2>/dev/null
rm -rf /etc/netns/fl-admin
echo "fleet down"
