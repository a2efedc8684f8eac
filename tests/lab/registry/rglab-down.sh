#!/bin/bash
# Tears the registry lab down: stops the processes it started (by PID), deletes its namespaces and state.
set -uo pipefail
P="${RGLAB_PREFIX:-rg}"
STATE="/tmp/${P}lab"
if [ -f "$STATE/pids" ]; then
  # Each service was started with setsid: its PID is its process group, which also holds socat's forked children.
  while read -r pid name; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null; done < "$STATE/pids"
  sleep 0.3
  while read -r pid name; do kill -9 -- "-$pid" 2>/dev/null; done < "$STATE/pids"
fi
ip netns del "${P}reg" 2>/dev/null
ip netns del "${P}probe" 2>/dev/null
rm -rf "/etc/netns/${P}probe" "$STATE"
echo "lab $P down"
