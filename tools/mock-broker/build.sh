#!/usr/bin/env bash
# Builds tools/mock-broker/build/fediflow-mock-broker, installing Debian's librdkafka-dev first
# when it is missing (needs root, as on CI machines).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/build/fediflow-mock-broker"

if ! pkg-config --exists rdkafka 2>/dev/null; then
  echo "mock-broker: installing librdkafka-dev (apt-get)" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "mock-broker: librdkafka-dev is missing and this is not root; run: sudo apt-get install -y librdkafka-dev pkg-config" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq librdkafka-dev pkg-config gcc >/dev/null
fi

if [ ! -x "$out" ] || [ "$here/mock-broker.c" -nt "$out" ]; then
  mkdir -p "$here/build"
  # shellcheck disable=SC2046
  gcc -O2 -Wall -Wextra -o "$out" "$here/mock-broker.c" $(pkg-config --cflags --libs rdkafka)
fi
echo "$out"
