#!/usr/bin/env bash
# The demo: the whole pipeline on this machine delivering one post to a few thousand followers
# on a simulated fediverse of a few hundred servers, with live progress and a summary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
exec node tools/demo/dist/main.js "$@"
