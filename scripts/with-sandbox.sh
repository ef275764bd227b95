#!/usr/bin/env bash
# Runs a command against a fresh sandbox: scripts/with-sandbox.sh [sandbox flags...] -- command [args...]
# The sandbox listens on 127.0.0.1 on a port the OS picks (so parallel runs never collide), stops by itself after
# --lifetime seconds at most, and is killed when the command ends. The command sees CLC_SANDBOX_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

flags=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [sandbox flags] -- command" >&2; exit 2; }

profile=${SANDBOX_PROFILE:-debug}
if [ "$profile" = release ]; then cargo build -q -p clc-sandbox --release; else cargo build -q -p clc-sandbox; fi
bin="target/$profile/clc-sandbox"

out=$(mktemp); trap 'rm -f "$out"' EXIT
"$bin" --port 0 --lifetime "${SANDBOX_LIFETIME:-3600}" "${flags[@]+"${flags[@]}"}" >"$out" 2>&1 &
pid=$!
# Keep the command's exit status: `wait` on the killed sandbox returns 143, which must not replace it.
trap 'status=$?; kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -f "$out"; exit $status' EXIT

# The sandbox's first line is "clc-sandbox listening on http://127.0.0.1:PORT".
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/^clc-sandbox listening on \(http:\/\/[^ ]*\).*/\1/p' "$out" | head -n 1)
  [ -n "$url" ] && break
  kill -0 $pid 2>/dev/null || { echo "sandbox exited early:" >&2; cat "$out" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "sandbox did not start in 30 s:" >&2; cat "$out" >&2; exit 1; }

export CLC_SANDBOX_URL=$url
"$@"
