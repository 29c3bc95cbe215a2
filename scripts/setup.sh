#!/usr/bin/env bash
# Everything a fresh machine of this kind needs before FediFlow runs: Debian packages (Java and
# Maven for Apache Kafka, Chromium for the console's tests), pnpm, PostgreSQL and Redis running,
# npm dependencies, a build, and Apache Kafka's jars. Safe to run again: each step is skipped
# when already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; exit 1; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. Debian packages.
missing=()
# Apache Kafka runs on Java 17; Maven resolves its jars.
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
# The database tests run through PgBouncer in transaction mode.
command -v pgbouncer >/dev/null || missing+=(pgbouncer)
command -v openssl >/dev/null || missing+=(openssl)
# promtool (Debian's prometheus package) unit-tests the chart's alert rules (test/chart).
command -v promtool >/dev/null || missing+=(prometheus)
# The console's browser tests drive Debian's Chromium (test/e2e/test/console.test.ts).
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then say "installing ${missing[*]}"; apt_install "${missing[@]}"; fi

# 2. PostgreSQL and Redis on localhost, started the way this machine starts them.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  say "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

# 3. pnpm, pinned (corepack cannot verify pnpm's signatures on these machines).
pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  if [ ! -x "$root/.local/pnpm/node_modules/.bin/pnpm" ]; then
    say "installing pnpm $pnpm_version into .local/pnpm"
    npm install --silent --no-audit --no-fund --prefix "$root/.local/pnpm" "pnpm@$pnpm_version" >/dev/null
  fi
  export PATH="$root/.local/pnpm/node_modules/.bin:$PATH"
fi

# 4. Dependencies and build (generated gRPC code included; see README).
say "installing dependencies"
pnpm install --frozen-lockfile --reporter=silent
say "building"
pnpm -r --reporter-hide-prefix build >/dev/null

# 5. Apache Kafka's jars (tools/kafka/pom.xml pins the version), offline after the first time.
bash tools/kafka/fetch-jars.sh >/dev/null
say "ready"
