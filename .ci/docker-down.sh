#!/usr/bin/env bash
# Stop the private Docker daemon started by .ci/docker-up.sh (same LAYERLAB_DOCKER_DIR).
# usage: bash .ci/docker-down.sh [--purge]   (--purge also deletes its state dir)
set -euo pipefail

dir=${LAYERLAB_DOCKER_DIR:-/tmp/layerlab-docker}
pidfile="$dir/docker.pid"

if [[ -f $pidfile ]] && pid=$(cat "$pidfile") && [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "docker-down: dockerd $pid ignored SIGTERM for 30s: killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  echo "docker-down: stopped dockerd $pid" >&2
else
  echo "docker-down: no daemon running for $dir" >&2
fi

if [[ ${1:-} == --purge ]]; then
  # dockerd leaves its data-root bind mount (and a killed daemon its overlay mounts) behind:
  # unmount what is left under the dir first, deepest first, or rm fails
  if [[ -d $dir ]]; then
    awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$dir"
  fi
fi
