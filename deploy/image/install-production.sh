#!/bin/sh
# Lays out what the image runs, in DEST: every package and service of the workspace with its
# compiled dist/ (and the SQL migrations), their production dependencies only, installed from the
# lockfile without touching the network, and the entrypoint in bin/. The Dockerfile runs this; the
# chart tests run it in a temporary directory and check that every service loads from the result.
# Usage: install-production.sh SOURCE DEST (SOURCE: a built checkout; DEST: created if missing)
set -eu
src=$(cd "$1" && pwd)
dest=$2
mkdir -p "$dest"
cp "$src/package.json" "$src/pnpm-lock.yaml" "$src/.npmrc" "$dest/"
# package.json's pnpm.patchedDependencies (the kafkajs fix) are applied at install: ship them.
cp -R "$src/patches" "$dest/patches"
# Tools, tests and benchmarks are workspace projects too; leaving them out of the workspace keeps
# their dependencies out of the image, and the lockfile still matches the projects that remain.
printf 'packages:\n  - packages/*\n  - services/*\n' >"$dest/pnpm-workspace.yaml"
for dir in "$src"/packages/* "$src"/services/*; do
  project=${dir#"$src"/}
  if [ ! -d "$dir/dist" ]; then
    echo "install-production: $project has no dist/; build first (pnpm -r build)" >&2
    exit 1
  fi
  mkdir -p "$dest/$project"
  cp "$dir/package.json" "$dest/$project/"
  cp -R "$dir/dist" "$dest/$project/dist"
  if [ -d "$dir/migrations" ]; then cp -R "$dir/migrations" "$dest/$project/migrations"; fi
done
cd "$dest"
# --offline: every package comes from the store filled by the build's install (pnpm fetch in the
# Dockerfile); --ignore-scripts: no production dependency needs a build step.
pnpm install --prod --frozen-lockfile --offline --ignore-scripts --reporter=append-only
mkdir -p bin
cp "$src/deploy/image/fediflow" bin/fediflow
chmod 755 bin/fediflow
