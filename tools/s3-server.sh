#!/usr/bin/env bash
# s3-server.sh — a REAL S3-compatible server for tests/CI, from Debian bookworm's own
# packages: Ceph RADOS Gateway (radosgw 16.2 "pacific") on a throw-away single-node Ceph
# cluster (1 mon, 1 mgr, 1 OSD with the in-RAM "memstore" object store, pool size 1,
# auth "none"). Nothing listens outside 127.0.0.1; only ports 7400-7499 are used.
# Measured on a 2-core box: install ~30-50 s (72 MB of .debs), start ~4 s, stop ~5 s,
# ~430 MB RSS idle (~130 MB with S3_WITH_MGR=0) plus about 1x the bytes stored.
#
# Usage (as root; `install` uses sudo otherwise):
#   s3-server.sh install            apt-get install the Ceph packages (skipped if present)
#   s3-server.sh start              start from nothing; prints lines for the shell:
#                                     export S3_SERVER_DIR=$TMPDIR/ceph-s3.XXXXXX  (mktemp -t)
#                                     export S3_ENDPOINT=http://127.0.0.1:7480
#                                     export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
#                                     export AWS_REGION=us-east-1
#                                   use:  out=$(s3-server.sh start) && eval "$out"
#                                   (not `eval "$(s3-server.sh start)"`: that hides a failure)
#   s3-server.sh stop [DIR]         stop the daemons started for DIR (default $S3_SERVER_DIR)
#                                   by PID (SIGTERM, SIGKILL after 20 s), then delete DIR
#   s3-server.sh run CMD [ARGS...]  install if needed, start, run CMD with the variables
#                                   above exported, always stop; exits with CMD's status
#   s3-server.sh status [DIR]       `ceph -s` and the daemons' PIDs
#   s3-server.sh gateway start PORT another radosgw on 127.0.0.1:PORT over the same cluster (of
#                                   $S3_SERVER_DIR), for a test that freezes it (SIGSTOP) without
#                                   stalling the other tests; its PID is in $S3_SERVER_DIR/pids/
#                                   client.rgw.gwPORT.pid. Prints the PID. Stopped with the cluster.
#   s3-server.sh gateway stop PORT  stop that gateway (SIGCONT first, should it be frozen)
#
# Tunables (environment): S3_RGW_PORT (7480), S3_MON_PORT (7400; msgr v1 uses +1),
#   S3_PORT_MIN/S3_PORT_MAX (7410/7470: OSD and mgr ports), S3_WITH_MGR (1; 0 saves
#   ~300 MB and ~3 s of CPU, but `ceph df`/`ceph pg stat` then hang), S3_MEMSTORE_BYTES
#   (4 GiB: OSD capacity; the data lives in the OSD's RAM), S3_ACCESS_KEY/S3_SECRET_KEY
#   (fixed test credentials below), S3_START_TIMEOUT (180 s), S3_KEEP_DIR=1 (keep logs).
#
# Everything goes into one `mktemp -d` directory: config, mon/osd/mgr data, logs, admin
# sockets, PID files. Nothing is written to /etc/ceph or /var/lib/ceph; no systemd unit.
# Clients: AWSSDK.S3 v4 needs RequestChecksumCalculation = WHEN_REQUIRED and ForcePathStyle
# (see the README, "S3 storage").
set -euo pipefail

RGW_PORT=${S3_RGW_PORT:-7480}
MON_PORT=${S3_MON_PORT:-7400}
MON_PORT_V1=$((MON_PORT + 1))
PORT_MIN=${S3_PORT_MIN:-7410}
PORT_MAX=${S3_PORT_MAX:-7470}
MEMSTORE_BYTES=${S3_MEMSTORE_BYTES:-4294967296}
ACCESS_KEY=${S3_ACCESS_KEY:-CITESTACCESSKEY00001}
SECRET_KEY=${S3_SECRET_KEY:-citestsecretkey0000000000000000000000001}
START_TIMEOUT=${S3_START_TIMEOUT:-180}
PACKAGES=(ceph-mon ceph-mgr ceph-osd radosgw)

log() { echo "s3-server: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

do_install() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -eq 0 ]; then log "packages already installed"; return 0; fi
  local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  log "installing ${missing[*]} (about 72 MB download, 286 MB on disk)"
  # `apt-get update` is needed once on a fresh machine (the package lists may be absent).
  $SUDO apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
}

# ceph CLI against our cluster; bounded so a dead mon never hangs CI.
cephc() { timeout 30 ceph -c "$D/ceph.conf" --connect-timeout 10 "$@"; }

wait_for() { # wait_for DESCRIPTION SECONDS CMD...
  local what=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { log "timed out waiting for $what"; return 1; }
    check_alive || return 1
    sleep 0.5
  done
}

check_alive() { # fail fast if a daemon we started has died
  local f pid
  for f in "$D"/pids/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if ! kill -0 "$pid" 2>/dev/null; then
      log "daemon $(basename "$f" .pid) (pid $pid) died; last log lines:"
      tail -n 30 "$D/log/$(basename "$f" .pid).log" >&2 2>/dev/null || true
      tail -n 30 "$D/log/$(basename "$f" .pid).out" >&2 2>/dev/null || true
      return 1
    fi
  done
}

fail() { # fail MESSAGE: show the daemons' last log lines, stop them by PID, exit 1
  log "ERROR: $*"
  local f
  for f in "$D"/log/*.log "$D"/log/*.out; do
    [ -s "$f" ] || continue
    echo "----- $(basename "$f") (last 15 lines)" >&2
    tail -n 15 "$f" >&2
  done
  do_stop "$D" || true
  exit 1
}

spawn() { # spawn NAME CMD... : run a daemon in the foreground mode, in the background
  local name=$1; shift
  nohup "$@" >"$D/log/$name.out" 2>&1 </dev/null &
  echo $! >"$D/pids/$name.pid"
}

do_start() {
  for b in ceph-mon ceph-mgr ceph-osd radosgw radosgw-admin monmaptool ceph; do
    command -v "$b" >/dev/null || die "$b not found: run '$0 install' first"
  done
  local port name
  for name in S3_MON_PORT S3_MON_PORT+1 S3_RGW_PORT; do
    case $name in
      S3_MON_PORT) port=$MON_PORT ;;
      S3_MON_PORT+1) port=$MON_PORT_V1 ;;
      *) port=$RGW_PORT ;;
    esac
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "127.0.0.1:$port ($name) is already in use (another s3-server.sh instance?): choose free ports with S3_RGW_PORT, S3_MON_PORT, S3_PORT_MIN/S3_PORT_MAX"
    fi
  done
  D=$(mktemp -d -t ceph-s3.XXXXXX)
  mkdir -p "$D"/{mon,mgr,osd0,rgw,log,run,pids}
  local t0=$SECONDS fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)

  cat >"$D/ceph.conf" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_PORT_V1]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
ms_bind_port_min = $PORT_MIN
ms_bind_port_max = $PORT_MAX
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
auth_supported = none
keyring = $D/keyring
run_dir = $D/run
admin_socket = $D/run/\$name.asok
pid_file = $D/run/\$name.pid
log_file = $D/log/\$name.log
crash_dir = $D/log/crash
osd_objectstore = memstore
memstore_device_bytes = $MEMSTORE_BYTES
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
# commit monitor map changes (pool creation, osd boot) quickly instead of once a second
paxos_propose_interval = 0.1
mon_warn_on_insecure_global_id_reclaim = false
mon_warn_on_insecure_global_id_reclaim_allowed = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1
mon_osd_full_ratio = 0.97
mon_osd_backfillfull_ratio = 0.95
mon_osd_nearfull_ratio = 0.93

[mon]
mon_data = $D/mon
mon_cluster_log_file = $D/log/cluster.log

[mgr]
mgr_data = $D/mgr

[osd]
osd_data = $D/osd0
osd_crush_update_on_start = true

[client.rgw.ci]
rgw_data = $D/rgw
# tcp_nodelay: without it small GETs and LISTs on a kept-alive connection wait ~40 ms for a delayed ACK
# (the S3 test suite ran 35 s without, 23 s with).
rgw_frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
# radosgw's built-in defaults are auth_client_required=cephx and ms_mon_client_mode=secure;
# with auth "none" the latter makes every mon connection fail with EACCES (-13).
auth_client_required = none
ms_mon_client_mode = crc
rgw_thread_pool_size = 64
rgw_enable_usage_log = false
# Deleted/overwritten objects are garbage-collected only after rgw_gc_obj_min_wait (default
# 2 h); with memstore that garbage stays in the OSD's RAM, so collect it quickly.
rgw_gc_obj_min_wait = 10
rgw_gc_processor_period = 10
rgw_gc_processor_max_time = 10
# The lifecycle worker runs between 00:00 and 06:00 UTC and sleeps uninterruptibly in 5 s
# steps, which delays shutdown; tests of a registry don't need S3 lifecycle rules.
rgw_enable_lc_threads = false
EOF
  : >"$D/keyring"

  # --- monitor
  monmaptool --create --clobber --fsid "$fsid" \
    --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_PORT_V1]" "$D/monmap" >"$D/log/monmaptool.out" 2>&1
  ceph-mon -c "$D/ceph.conf" --mkfs -i a --monmap "$D/monmap" >"$D/log/mon-mkfs.out" 2>&1 \
    || fail "ceph-mon --mkfs failed"
  spawn mon.a ceph-mon -f -c "$D/ceph.conf" -i a
  wait_for "ceph-mon" 60 cephc mon stat || fail "monitor did not start"

  # --- manager: not needed for S3 I/O (the mon creates PGs); it keeps `ceph -s`/`ceph df`
  # meaningful but costs about 300 MB RSS. S3_WITH_MGR=0 leaves it out.
  if [ "${S3_WITH_MGR:-1}" = 1 ]; then spawn mgr.x ceph-mgr -f -c "$D/ceph.conf" -i x; fi

  # --- OSD on memstore
  local osd_uuid osd_id
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(cephc osd new "$osd_uuid") || fail "ceph osd new failed"
  [ "$osd_id" = 0 ] || fail "unexpected osd id '$osd_id'"
  ceph-osd -c "$D/ceph.conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$D/log/osd-mkfs.out" 2>&1 \
    || fail "ceph-osd --mkfs failed"
  spawn osd.0 ceph-osd -f -c "$D/ceph.conf" -i 0
  osd_up() { cephc osd dump 2>/dev/null | grep -q '^osd.0 up '; }
  wait_for "osd.0 up" 90 osd_up || fail "osd.0 did not come up"

  # --- radosgw's pools, created up front in one ceph session (rgw would create the data
  # and index pools lazily, making the first S3 PUT take several seconds)
  local p
  for p in .rgw.root default.rgw.control default.rgw.meta default.rgw.log \
           default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec; do
    echo "osd pool create $p 8 8"
    echo "osd pool application enable $p rgw"
  done | timeout 120 ceph -c "$D/ceph.conf" --connect-timeout 10 >"$D/log/pools.out" 2>&1 \
    || fail "creating pools failed"

  # --- RADOS Gateway
  spawn client.rgw.ci radosgw -f -c "$D/ceph.conf" -n client.rgw.ci
  rgw_up() { curl -fsS -o /dev/null "http://127.0.0.1:$RGW_PORT/"; }
  wait_for "radosgw on 127.0.0.1:$RGW_PORT" "$START_TIMEOUT" rgw_up \
    || fail "radosgw did not answer on 127.0.0.1:$RGW_PORT"

  # --- S3 user with fixed test credentials
  timeout 60 radosgw-admin -c "$D/ceph.conf" -n client.admin user create --uid=ci \
    --display-name="CI test user" --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" \
    >"$D/log/user-create.out" 2>&1 \
    || fail "radosgw-admin user create failed"

  # --- smoke test with a real signed S3 round trip (curl's SigV4), retried while PGs peer
  local ep="http://127.0.0.1:$RGW_PORT" b="ci-smoke-$$"
  # curl 7.88 signs no payload hash; radosgw needs the x-amz-content-sha256 header.
  s3curl() { curl -fsS --max-time 20 --aws-sigv4 "aws:amz:us-east-1:s3" \
               --user "$ACCESS_KEY:$SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"; }
  smoke() {
    s3curl -X PUT "$ep/$b" -o /dev/null &&
    s3curl -X PUT --data-binary "hello from $b" "$ep/$b/hello.txt" -o /dev/null &&
    [ "$(s3curl "$ep/$b/hello.txt")" = "hello from $b" ] &&
    s3curl -X DELETE "$ep/$b/hello.txt" -o /dev/null &&
    s3curl -X DELETE "$ep/$b" -o /dev/null
  }
  wait_for "S3 smoke test (bucket + object round trip)" 60 smoke || fail "S3 smoke test failed"

  log "ready in $((SECONDS - t0)) s: http://127.0.0.1:$RGW_PORT (dir $D)"
  printf 'export %s=%q\n' S3_SERVER_DIR "$D" S3_ENDPOINT "http://127.0.0.1:$RGW_PORT" \
    AWS_ACCESS_KEY_ID "$ACCESS_KEY" AWS_SECRET_ACCESS_KEY "$SECRET_KEY" AWS_REGION us-east-1
}

term_and_wait() { # term_and_wait DIR NAME... : SIGTERM those daemons by PID, wait up to 20 s,
                  # then SIGKILL whatever is left
  local dir=$1; shift
  local name f pid alive pids=()
  for name in "$@"; do
    f="$dir/pids/$name.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    # signal the PID only while it is still the daemon we started for this dir
    if kill -0 "$pid" 2>/dev/null && grep -qF "$dir/ceph.conf" "/proc/$pid/cmdline" 2>/dev/null; then
      log "stopping $name (pid $pid)"
      # A test may have left it frozen (SIGSTOP): a stopped process would take SIGTERM only once resumed.
      kill -CONT "$pid" 2>/dev/null || true
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$f"
  done
  for _ in $(seq 1 200); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 1 ] || return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM for 20 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

do_stop() { # do_stop DIR — stop every daemon started for DIR by PID, then delete DIR.
  local dir=${1:-${S3_SERVER_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir/pids" ]; then die "stop: no server dir given (S3_SERVER_DIR)"; fi
  # Order matters: radosgw talks to the OSD while exiting, and an OSD waits up to 5 s for the
  # monitor to acknowledge its shutdown. Each step takes about 2 s.
  local gateways=() f
  for f in "$dir"/pids/client.rgw.gw*.pid; do [ -e "$f" ] && gateways+=("$(basename "$f" .pid)"); done
  term_and_wait "$dir" client.rgw.ci "${gateways[@]}"
  term_and_wait "$dir" mgr.x osd.0
  term_and_wait "$dir" mon.a
  if [ "${S3_KEEP_DIR:-0}" = 1 ]; then log "stopped; kept $dir"; else rm -rf "$dir"; log "stopped"; fi
}

do_status() {
  D=${1:-${S3_SERVER_DIR:-}}
  if [ -z "$D" ] || [ ! -d "$D" ]; then die "status: no server dir given (S3_SERVER_DIR)"; fi
  cephc -s || true
  local f
  for f in "$D"/pids/*.pid; do
    [ -e "$f" ] || continue
    printf '%s pid %s %s\n' "$(basename "$f" .pid)" "$(cat "$f")" \
      "$(kill -0 "$(cat "$f")" 2>/dev/null && echo running || echo dead)"
  done
}

do_gateway() { # do_gateway start|stop PORT: one more radosgw over the cluster of $S3_SERVER_DIR
  local action=${1:-} port=${2:-}
  D=${S3_SERVER_DIR:-}
  if [ -z "$D" ] || [ ! -d "$D/pids" ]; then die "gateway: no server dir (S3_SERVER_DIR)"; fi
  case "$port" in ''|*[!0-9]*) die "gateway: give a port" ;; esac
  local name="client.rgw.gw$port"
  case "$action" in
    start)
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "127.0.0.1:$port is already in use"; fi
      mkdir -p "$D/rgw-gw$port"
      # The same settings as the cluster's own gateway ([client.rgw.ci] in ceph.conf), for another name and port.
      spawn "$name" radosgw -f -c "$D/ceph.conf" -n "$name" --rgw_data "$D/rgw-gw$port" \
        --rgw_frontends "beast endpoint=127.0.0.1:$port tcp_nodelay=1" --auth_client_required none \
        --ms_mon_client_mode crc --rgw_thread_pool_size 64 --rgw_enable_usage_log false --rgw_enable_lc_threads false
      gw_up() { curl -fsS -o /dev/null "http://127.0.0.1:$port/"; }
      wait_for "radosgw on 127.0.0.1:$port" 60 gw_up || { term_and_wait "$D" "$name"; die "gateway on 127.0.0.1:$port did not answer"; }
      cat "$D/pids/$name.pid" ;;
    stop) term_and_wait "$D" "$name" ;;
    *) die "gateway: start or stop" ;;
  esac
}

do_run() {
  [ $# -gt 0 ] || die "run: give a command"
  do_install
  local out
  out=$(do_start) || exit 1
  eval "$out"
  trap 'do_stop "$S3_SERVER_DIR"' EXIT
  trap 'exit 130' INT TERM
  local rc=0
  "$@" || rc=$?
  return $rc
}

cmd=${1:-}; shift || true
case "$cmd" in
  install) do_install ;;
  start) do_start ;;
  stop) do_stop "${1:-}" ;;
  status) do_status "${1:-}" ;;
  gateway) do_gateway "$@" ;;
  run) do_run "$@" ;;
  *) sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
