#!/usr/bin/env bash
# Every test: unit tests of each package and service, end-to-end tests of the real stack,
# the chart checks and a short benchmark smoke run. `.ci/run` calls exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
export PATH="$root/.local/pnpm/node_modules/.bin:$PATH"
started=$(date +%s)
pnpm -r --workspace-concurrency=1 test
echo "[test] all tests passed in $(( $(date +%s) - started )) s"
