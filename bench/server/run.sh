#!/usr/bin/env bash
# bench/server: raise the open-file limit for 10,000 sockets per process, then run.
set -euo pipefail
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cd "$(dirname "$0")/../.."
exec node -r ts-node/register/transpile-only bench/server/run.ts
