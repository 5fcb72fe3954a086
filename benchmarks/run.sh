#!/usr/bin/env bash
# The one command for the benchmarks: install what they need, then run them.
#   bash benchmarks/run.sh                 # full run (about 9 minutes)
#   bash benchmarks/run.sh --help          # options (shorter loads, no soak, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v taskset >/dev/null || need_apt+=(util-linux)
command -v pg_isready >/dev/null || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
command -v uv >/dev/null || python3 -m pip install --quiet uv
export UV_PYTHON_DOWNLOADS=never

uv run python -m benchmarks "$@"
