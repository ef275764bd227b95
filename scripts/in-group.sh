#!/usr/bin/env bash
# Runs a command in a process group of its own, and when it ends kills whatever the group left behind (a browser's
# helper processes, a driver, Xvfb), so a browser stage leaves nothing running: scripts/in-group.sh command [args...]
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: $0 command [args...]" >&2; exit 2; }
# In a non-interactive shell a background job is no group leader, so setsid(1) makes it one without forking:
# $! is then the new group's id.
setsid "$@" &
pid=$!
trap 'kill -TERM -- -$pid 2>/dev/null; exit 130' INT TERM
wait $pid
status=$?
if kill -TERM -- -$pid 2>/dev/null; then
  sleep 1
  kill -KILL -- -$pid 2>/dev/null || true
fi
exit $status
