# fwlab-lib.sh - shared settings and helpers for the fwlab-* scripts (sourced, not run).
# Everything this lab creates is prefixed "fw" (namespaces, interfaces, files).
# Only documentation ranges are used: 198.51.100.0/24 (ext <-> host LAN),
# 192.0.2.0/24 (the Docker bridge). No namespace has a default route out.

FWLAB_SRC=$(cd "$(dirname "$0")" && pwd)
# FWLAB_PREFIX (2-4 letters, default fw) names everything, so several labs can run side by side.
P=${FWLAB_PREFIX:-fw}
LAB=${FWLAB_DIR:-/tmp/${P}lab}        # runtime state; removed by fwlab-down.sh
NSDIR=$LAB/ns                          # private bind mount holding host.mnt (the host's mount ns)
STATE=$LAB/state
PIDS=$LAB/pids
LOGS=$LAB/log

HOST_NS=${P}host CTR_NS=${P}ctr EXT_NS=${P}ext
BR=${P}docker0                         # plays docker0
HOST_EXT_IF=${P}h-ext EXT_IF=${P}e-eth0  # host <-> ext veth
HOST_CTR_IF=${P}h-ctr CTR_IF=${P}c-eth0  # bridge port <-> container eth0
export BR
HOST_ADDR=198.51.100.1 EXT_ADDR=198.51.100.2
BR_ADDR=192.0.2.1 CTR_ADDR=192.0.2.2 CTR_NET=192.0.2.0/24
PORT=5000

# Run a command on the "Docker host": its network ns plus its private mount ns
# (own /run with its own system D-Bus, own /etc/firewalld, /etc/sysctl.d, systemctl shim).
in_host() { nsenter --mount="$NSDIR/host.mnt" --net="/run/netns/$HOST_NS" -- "$@"; }
in_ctr()  { ip netns exec "$CTR_NS" "$@"; }
in_ext()  { ip netns exec "$EXT_NS" "$@"; }

now_ms() { date +%s%3N; }
# timed LABEL CMD... : run CMD, print and log how long it took
timed() {
  _l=$1; shift; _t0=$(now_ms)
  "$@"; _rc=$?
  _dt=$(( $(now_ms) - _t0 ))
  printf '[fwlab] %-44s %6d ms (rc=%d)\n' "$_l" "$_dt" "$_rc"
  [ -d "$LOGS" ] && printf '%s\t%s\t%d\t%d\n' "$(date +%T)" "$_l" "$_dt" "$_rc" >> "$LOGS/timings.tsv"
  return $_rc
}

# spawn PIDFILE LOGFILE CMD... : start CMD detached (own session); PIDFILE gets CMD's own pid
spawn() {
  _pf=$1 _lf=$2; shift 2
  setsid sh -c 'echo $$ > "$1"; shift; exec "$@"' fwlab-spawn "$_pf" "$@" < /dev/null >> "$_lf" 2>&1 &
  for _i in $(seq 1 50); do [ -s "$_pf" ] && return 0; sleep 0.02; done
  echo "fwlab: no pid file $_pf" >&2; return 1
}

# stop_pid PIDFILE [SECONDS] : TERM, wait, then KILL - only the pid recorded in PIDFILE
stop_pid() {
  _pf=$1 _w=${2:-10}
  [ -s "$_pf" ] || return 0
  _p=$(cat "$_pf")
  if running "$_p"; then
    kill "$_p" 2>/dev/null
    _n=0; while running "$_p" && [ $_n -lt $(( _w * 20 )) ]; do sleep 0.05; _n=$((_n+1)); done
    running "$_p" && { echo "fwlab: pid $_p ignored TERM, sending KILL" >&2; kill -9 "$_p"; }
  fi
  rm -f "$_pf"
}

# running PID : exists and is not a zombie (reaping by PID 1 can lag by seconds here)
running() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]; }
alive() { [ -s "$1" ] && running "$(cat "$1")"; }

# probe_ext [TIMEOUT] : ext -> HOST_ADDR:5000/v2/ ; prints "code rc seconds"
probe_ext() {
  in_ext curl -s -o /dev/null -w '%{http_code} ' --connect-timeout "${1:-3}" --max-time "$(( ${1:-3} + 2 ))" \
    "http://$HOST_ADDR:$PORT/v2/"; echo "rc=$?"
}
# probe_host URL : from the host itself
probe_host() {
  in_host curl -s -o /dev/null -w '%{http_code} ' --connect-timeout 3 --max-time 5 "$1"; echo "rc=$?"
}
