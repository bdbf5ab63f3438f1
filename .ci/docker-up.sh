#!/usr/bin/env bash
# Start a private Docker daemon to serve as the test oracle: the real engine whose
# build-cache answers layerlab's simulated engine must match.
#
# usage: bash .ci/docker-up.sh      -> prints the DOCKER_HOST to use on stdout (last line)
#
# Idempotent: when the daemon of this state dir already answers, it is reused.
# The daemon never touches the network: no bridge, no iptables, builds use --network=none,
# and the only image is busybox:latest, imported from Debian's busybox-static (no registry).
#
# Environment (all optional):
#   LAYERLAB_DOCKER_DIR      state dir (data-root, exec-root, socket, pidfile, log)
#                            default: /tmp/layerlab-docker
#   LAYERLAB_DOCKER_DRIVER   storage drivers to try in order, space-separated;
#                            default: overlay2, then fuse-overlayfs (if installed), then vfs
#   LAYERLAB_DOCKER_TIMEOUT  seconds to wait for each start attempt (default 60)
#   DOCKER_CLI               the client (default /usr/bin/docker: Debian's 20.10 client, which
#                            can run both DOCKER_BUILDKIT=1 and =0 builds)
set -euo pipefail

dir=${LAYERLAB_DOCKER_DIR:-/tmp/layerlab-docker}
timeout_s=${LAYERLAB_DOCKER_TIMEOUT:-60}
cli=${DOCKER_CLI:-/usr/bin/docker}
sock="$dir/docker.sock"
host="unix://$sock"
pidfile="$dir/docker.pid"
log="$dir/dockerd.log"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
  echo "docker-up: $*" >&2
  if [[ -f $log ]]; then
    echo "docker-up: last lines of $log:" >&2
    tail -n 25 "$log" >&2 || true
  fi
  exit 1
}
note() { echo "docker-up: $*" >&2; }

command -v dockerd >/dev/null || die "dockerd not found (apt-get install -y docker.io)"
[[ -x $cli ]] || command -v "$cli" >/dev/null || die "docker client $cli not found (apt-get install -y docker.io)"

answers() { DOCKER_HOST=$host timeout 10 "$cli" info >/dev/null 2>&1; }

daemon_pid() {
  [[ -f $pidfile ]] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Start dockerd with one storage driver; succeed once `docker info` answers and a container
# can run (a driver that starts but cannot mount would only fail later, inside a build).
try_driver() {
  local driver=$1 pid waited=0
  note "starting dockerd (storage driver $driver, state in $dir)"
  # a failed attempt may leave layers of another driver behind: start each attempt clean
  unmount_under "$dir"
  rm -rf "$dir/data" "$dir/exec" || {
    note "cannot clear $dir/data"
    return 1
  }
  mkdir -p "$dir/data" "$dir/exec"
  : >"$log"
  # setsid: the daemon outlives this script and is not hit by the caller's Ctrl-C
  setsid dockerd \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    --pidfile "$pidfile" \
    -H "$host" \
    --storage-driver "$driver" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --userland-proxy=false \
    >>"$log" 2>&1 </dev/null &
  pid=$!
  while ! answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      note "dockerd exited during start with driver $driver"
      return 1
    fi
    if ((waited >= timeout_s)); then
      note "dockerd did not answer within ${timeout_s}s with driver $driver"
      stop_daemon "$pid"
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  local got
  got=$(DOCKER_HOST=$host "$cli" info --format '{{.Driver}}' 2>/dev/null || true)
  if [[ $got != "$driver" ]]; then
    note "dockerd runs with driver '$got', not $driver"
    stop_daemon "$pid"
    return 1
  fi
  ensure_base || {
    stop_daemon "$pid"
    return 1
  }
  if ! DOCKER_HOST=$host timeout 60 "$cli" run --rm --network=none busybox:latest sh -c : >>"$log" 2>&1; then
    note "a container cannot run with driver $driver"
    stop_daemon "$pid"
    return 1
  fi
  echo "$driver" >"$dir/driver"
  # started through sudo: let the invoking user's tests reach the socket
  if [[ -n ${SUDO_UID:-} ]]; then chown "$SUDO_UID" "$sock"; fi
  return 0
}

# dockerd bind-mounts its data-root onto itself and leaves that (and overlay mounts of a killed
# daemon) behind when it dies: unmount everything under a dir, deepest first.
unmount_under() {
  local m
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

stop_daemon() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  kill -9 "$pid" 2>/dev/null || true
}

# The scenarios' base: busybox-static in /bin, nothing else (see the conformance README).
ensure_base() {
  DOCKER_HOST=$host "$cli" image inspect busybox:latest >/dev/null 2>&1 && return 0
  local make_base tar
  make_base=${LAYERLAB_MAKE_BASE:-}
  if [[ -z $make_base ]]; then
    for c in /work/shared/conformance/runner/make_base.sh "$here/../../shared/conformance/runner/make_base.sh"; do
      [[ -f $c ]] && make_base=$c && break
    done
  fi
  tar="$dir/busybox-rootfs.tar"
  if [[ -n $make_base ]]; then
    sh "$make_base" "$tar" >/dev/null || { note "make_base.sh failed"; return 1; }
  else
    # same recipe as the shared runner's make_base.sh, for machines without the shared dir
    [[ -f /bin/busybox ]] || { note "/bin/busybox missing (apt-get install -y busybox-static)"; return 1; }
    local t
    t=$(mktemp -d)
    mkdir -p "$t/bin"
    cp /bin/busybox "$t/bin/busybox"
    for a in sh ls echo cat mkdir touch cp rm sleep; do ln -s busybox "$t/bin/$a"; done
    tar -C "$t" -cf "$tar" .
    rm -rf "$t"
  fi
  DOCKER_HOST=$host "$cli" import "$tar" busybox:latest >/dev/null || { note "docker import failed"; return 1; }
}

mkdir -p "$dir"
if answers; then
  ensure_base || die "the running daemon has no busybox:latest and it cannot be imported"
  note "daemon already running ($(cat "$dir/driver" 2>/dev/null || echo '?'))"
  echo "$host"
  exit 0
fi
if pid=$(daemon_pid); then
  note "a dockerd (pid $pid) of $dir does not answer: stopping it"
  stop_daemon "$pid"
fi
rm -f "$sock" "$pidfile"

if [[ -n ${LAYERLAB_DOCKER_DRIVER:-} ]]; then
  read -r -a drivers <<<"$LAYERLAB_DOCKER_DRIVER"
else
  drivers=(overlay2)
  command -v fuse-overlayfs >/dev/null && drivers+=(fuse-overlayfs)
  drivers+=(vfs)
fi
for d in "${drivers[@]}"; do
  if try_driver "$d"; then
    note "dockerd ready: $("$cli" --host "$host" version --format 'engine {{.Server.Version}}, client {{.Client.Version}}'), driver $d"
    echo "$host"
    exit 0
  fi
done
die "could not start dockerd with any storage driver (${drivers[*]})"
