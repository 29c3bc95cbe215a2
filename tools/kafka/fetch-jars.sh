#!/usr/bin/env bash
# Copies Apache Kafka's runtime jars (pom.xml pins the version) into tools/kafka/libs with Maven:
# offline from the local Maven repository when it has them, from Maven Central the first time.
# Prints the libs folder; says on stderr what it fetched and how large it is.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
libs="$here/libs"
stamp="$libs/.pom.sha256"
want="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo "$libs"; exit 0; fi
command -v mvn >/dev/null || { echo "kafka: Maven (mvn) is missing; install it with: apt-get install -y maven" >&2; exit 1; }
command -v java >/dev/null || { echo "kafka: Java is missing; install it with: apt-get install -y openjdk-17-jre-headless" >&2; exit 1; }
rm -rf "$libs"
copy() { mvn -q -B "$@" -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs" -DincludeScope=runtime; }
if ! copy -o >/dev/null 2>&1; then
  echo "kafka: resolving the broker's jars from Maven Central (first time only)" >&2
  copy >&2
fi
echo "$want" > "$stamp"
version="$(ls "$libs" | sed -n 's/^kafka_2\.13-\(.*\)\.jar$/\1/p')"
echo "kafka: Apache Kafka $version, $(ls "$libs"/*.jar | wc -l) jars, $(du -sh "$libs" | cut -f1) in tools/kafka/libs" >&2
echo "$libs"
