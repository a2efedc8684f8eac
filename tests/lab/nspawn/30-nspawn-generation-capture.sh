#!/bin/bash
# The experiments of issue 11 on one booted generation (GEN, lib.sh), as root: for each state, what the outside client
# gets (http code of GET http://198.51.100.10:5000/v2/ from the outside namespace), what Test-DockerHost (the module,
# run inside the machine) says, the facts JSON, and the raw outputs of the programs the module reads.
# Usage: GEN=trixie 30-nspawn-generation-capture.sh OUTDIR     (the machine booted by up.sh MODULE_DIR PWSH_DIR)
# Writes OUTDIR/STATE/* and OUTDIR/summary.tsv (state, http code, DNAT rules for 5000, findings "Severity Id Target").
# It changes the machine (ports, sysctl drop-in, firewalld.conf); it puts each back, but boot it anew (up.sh) after.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
OUT=${1:?usage: GEN=... $0 OUTDIR}
mkdir -p "$OUT"
X() { bash "$HERE/dk-nsexec.sh" "$@"; }
code() { ip netns exec "$DK_NSPAWN_EXTNS" curl -s -m 3 -o /dev/null -w '%{http_code}' "http://$DK_NSPAWN_HOST_IP:5000/v2/" 2>/dev/null || true; }
dnat() { X iptables-save -t nat 2>/dev/null | grep -c -- '--dport 5000 .*DNAT' || true; }
PW="/usr/share/dotnet/dotnet /dk/pwsh/pwsh.dll -NoProfile -NonInteractive"
pwsh_in() { X env HOME=/root DOTNET_CLI_HOME=/root DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 $PW -Command "\$ProgressPreference='SilentlyContinue'; Import-Module /dk/module/DockerHostTools.psd1; $1"; }
wait_dnat() { for i in $(seq 1 ${1:-24}); do [ "$(dnat)" -gt 0 ] && return 0; sleep 0.25; done; return 1; }
wait_code() { local c; for i in $(seq 1 40); do c=$(code); [ "$c" = "${1:-200}" ] && break; sleep 0.25; done; echo "$c"; }
restart_docker() { X systemctl reset-failed docker.service docker.socket 2>/dev/null; X systemctl restart docker; wait_dnat 40; wait_code >/dev/null; }
run() { local f=$1; shift; "$@" > "$f.txt" 2> "$f.stderr.txt"; echo $? > "$f.exitcode.txt"; [ -s "$f.stderr.txt" ] || rm -f "$f.stderr.txt"; }

judge() {
  # One state: outside code, DNAT count, the module's findings and facts, iptables as it is now.
  local s=$1 d="$OUT/$1"; mkdir -p "$d"
  local c; c=$(code); local n; n=$(dnat)
  pwsh_in "Test-DockerHost -Port 5000 | ForEach-Object { '{0} {1} {2}' -f \$_.Severity, \$_.Id, \$_.Target }" > "$d/findings.txt" 2>&1
  pwsh_in "Test-DockerHost -Port 5000 | ConvertTo-Json -Depth 5 -EnumsAsStrings" > "$d/findings.json" 2>&1
  pwsh_in "(Get-DockerHostNetState -Port 5000).FactsJson" > "$d/facts.json" 2>&1
  run "$d/iptables-nft-save" X iptables-nft-save
  run "$d/iptables-legacy-save" X iptables-legacy-save
  run "$d/nft-list-ruleset" X nft list ruleset
  printf '%s\t%s\t%s\t%s\n' "$s" "$c" "$n" "$(tr '\n' ';' < "$d/findings.txt")" >> "$OUT/summary.tsv"
  echo "$GEN $s: outside $c, DNAT $n, findings: $(tr '\n' ';' < "$d/findings.txt")"
}

full() {
  # Everything the module reads, raw (the healthy state).
  local d="$OUT/$1"; mkdir -p "$d"
  run "$d/nft-j-list-ruleset" X nft -j list ruleset
  run "$d/docker-version" X curl -s --unix-socket /run/docker.sock http://d/version
  run "$d/docker-info" X curl -s --unix-socket /run/docker.sock http://d/info
  run "$d/docker-containers" X curl -s --unix-socket /run/docker.sock 'http://d/containers/json?all=1'
  run "$d/firewall-cmd-version" X firewall-cmd --version
  run "$d/firewall-cmd-list-all-zones" X firewall-cmd --list-all-zones
  run "$d/firewall-cmd-permanent-list-all-zones" X firewall-cmd --permanent --list-all-zones
  run "$d/firewall-cmd-get-active-zones" X firewall-cmd --get-active-zones
  run "$d/firewall-cmd-get-zones" X firewall-cmd --get-zones
  run "$d/firewall-cmd-info-zone-docker" X firewall-cmd --info-zone=docker
  run "$d/firewall-cmd-get-policies" X firewall-cmd --get-policies
  run "$d/firewall-cmd-info-policy-docker-forwarding" X firewall-cmd --info-policy=docker-forwarding
  run "$d/firewall-cmd-direct-get-all-rules" X firewall-cmd --direct --get-all-rules
  X cat /etc/firewalld/firewalld.conf > "$d/firewalld.conf"
  X cat /etc/firewalld/zones/docker.xml > "$d/etc-firewalld-zones-docker.xml" 2>/dev/null
  X sh -c 'cat /etc/firewalld/policies/docker-forwarding.xml' > "$d/etc-firewalld-policies-docker-forwarding.xml" 2>/dev/null
  run "$d/systemctl-show" X systemctl show docker.service containerd.service firewalld.service network.service NetworkManager.service systemd-networkd.service \
    -p Id,LoadState,ActiveState,SubState,ActiveEnterTimestamp,ActiveEnterTimestampMonotonic,NRestarts,After,Result,UnitFileState
  local B="busctl --system --auto-start=no" J="busctl --system --auto-start=no --json=short" N=org.fedoraproject.FirewallD1 P=/org/fedoraproject/FirewallD1
  mkdir -p "$d/busctl"
  run "$d/busctl/state" X $B get-property $N $P $N state
  run "$d/busctl/getDefaultZone" X $B call $N $P $N getDefaultZone
  run "$d/busctl/runtime-getZones" X $J call $N $P $N.zone getZones
  run "$d/busctl/runtime-getActiveZones" X $J call $N $P $N.zone getActiveZones
  for z in $(X firewall-cmd --get-zones); do run "$d/busctl/runtime-getZoneSettings2-$z" X $J call $N $P $N.zone getZoneSettings2 s "$z"; done
  run "$d/busctl/permanent-listZones" X $J call $N $P/config $N.config listZones
  for p in $(grep -o '/org/fedoraproject/FirewallD1/config/zone/[0-9]*' "$d/busctl/permanent-listZones.txt"); do
    i=${p##*/}
    run "$d/busctl/permanent-name-$i" X $J get-property $N "$p" $N.config.zone name
    run "$d/busctl/permanent-getSettings2-$i" X $J call $N "$p" $N.config.zone getSettings2
  done
  X dpkg-query -W -f '${Package} ${Version}\n' systemd docker.io docker-cli containerd runc firewalld iptables nftables > "$d/packages.txt" 2>/dev/null
}

: > "$OUT/summary.tsv"
# DK_CAPTURE_RESTART_DOCKER=1: restart docker first, so that dockerd sees a firewalld that is up on D-Bus (firewalld
# 2.5's unit is Type=simple: at boot, docker.service's After=firewalld.service can let dockerd start before firewalld
# answers on D-Bus, and dockerd then runs without firewalld, reload handler included; seen on every docker28 boot here).
if [ -n "${DK_CAPTURE_RESTART_DOCKER:-}" ]; then sleep 2; restart_docker; fi
X curl -s --unix-socket /run/docker.sock http://d/info | grep -o '"FirewallBackend":{[^}]*}' > "$OUT/firewall-backend-at-start.txt" || true
# 1. as booted: ip_forward set by dockerd at runtime only, 5000/tcp not open in firewalld
judge fresh
# 2. hardened healthy host: forwarding persisted, 5000/tcp open in the outside zone (public) in both configurations
X sh -c 'echo net.ipv4.ip_forward = 1 > /etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf'
X firewall-cmd -q --zone=public --add-port=5000/tcp; X firewall-cmd -q --permanent --zone=public --add-port=5000/tcp
judge healthy; full healthy
# 3. firewall-cmd --reload
X firewall-cmd -q --reload; sleep 0.5; echo "right after reload: DNAT $(dnat)" > "$OUT/reload-timing.txt"
wait_dnat 24; echo "after wait: DNAT $(dnat)" >> "$OUT/reload-timing.txt"
judge firewalld-reload; [ "$(dnat)" -gt 0 ] || restart_docker
# 4. systemctl restart firewalld (+ the journal of docker and firewalld around it)
since=$(X date '+%Y-%m-%d %H:%M:%S'); sleep 1
X systemctl restart firewalld; sleep 0.5; echo "right after restart: DNAT $(dnat)" >> "$OUT/reload-timing.txt"
wait_dnat 24; echo "after wait: DNAT $(dnat)" >> "$OUT/reload-timing.txt"
judge firewalld-restart
mkdir -p "$OUT/firewalld-restart"
run "$OUT/firewalld-restart/systemctl-show" X systemctl show docker.service containerd.service firewalld.service network.service NetworkManager.service systemd-networkd.service \
  -p Id,LoadState,ActiveState,SubState,ActiveEnterTimestamp,ActiveEnterTimestampMonotonic,NRestarts,After,Result,UnitFileState
X journalctl -o json --since "$since" -u docker.service -u firewalld.service > "$OUT/firewalld-restart/journalctl-docker-firewalld.jsonl" 2>/dev/null
[ "$(dnat)" -gt 0 ] || restart_docker
# 5. cause 3: ip_forward to 0 (from a unit, as a network restart does)
X systemd-run --unit=dht-x-netreset --wait --quiet sysctl -q -w net.ipv4.ip_forward=0
judge ipforward-off
X sysctl -q -w net.ipv4.ip_forward=1; wait_code >/dev/null
# 6. iptables -t nat -F DOCKER (the DNAT rule gone, as a flushing firewalld leaves it)
X iptables -t nat -F DOCKER
judge nat-docker-flushed
restart_docker
# 7. the "no handler" case: dockerd started while firewalld was stopped, then firewalld started
X systemctl stop firewalld; restart_docker; code_nofw=$(code)
mkdir -p "$OUT/docker-started-without-firewalld"; judge docker-started-without-firewalld
since=$(X date '+%Y-%m-%d %H:%M:%S'); sleep 1
X systemctl start firewalld; sleep 10
judge firewalld-started-after-handlerless-docker
run "$OUT/firewalld-started-after-handlerless-docker/systemctl-show" X systemctl show docker.service firewalld.service \
  -p Id,LoadState,ActiveState,SubState,ActiveEnterTimestamp,ActiveEnterTimestampMonotonic,NRestarts,After,Result,UnitFileState
run "$OUT/firewalld-started-after-handlerless-docker/firewall-cmd-get-active-zones" X firewall-cmd --get-active-zones
X journalctl -o json --since "$since" -u docker.service -u firewalld.service > "$OUT/firewalld-started-after-handlerless-docker/journalctl-docker-firewalld.jsonl" 2>/dev/null
X firewall-cmd -q --reload; sleep 5
judge handlerless-docker-then-reload
restart_docker
# 8. StrictForwardPorts=yes (firewalld 2.3+)
if X grep -q '^StrictForwardPorts' /etc/firewalld/firewalld.conf || X grep -q 'StrictForwardPorts' /etc/firewalld/firewalld.conf; then
  X sed -i 's/^#\?\s*StrictForwardPorts=.*/StrictForwardPorts=yes/' /etc/firewalld/firewalld.conf
  X systemctl restart firewalld; sleep 3
  judge strict-forward-ports
  X cp /etc/firewalld/firewalld.conf "$OUT/strict-forward-ports/" 2>/dev/null; X cat /etc/firewalld/firewalld.conf > "$OUT/strict-forward-ports/firewalld.conf"
  X sed -i 's/^StrictForwardPorts=yes/StrictForwardPorts=no/' /etc/firewalld/firewalld.conf
  X systemctl restart firewalld; sleep 2; [ "$(dnat)" -gt 0 ] || restart_docker
else
  echo "firewalld.conf has no StrictForwardPorts: $(X firewall-cmd --version)" > "$OUT/strict-forward-ports-absent.txt"
fi
judge healthy-again
echo "done: $OUT/summary.tsv"
