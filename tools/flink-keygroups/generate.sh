#!/bin/sh
# Regenerates test/io/fixtures/flink-key-groups.json from the Java oracle. Needs a JDK (11+).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -encoding UTF-8 -d "$out" "$here/KeyGroups.java"
java -cp "$out" KeyGroups > "$root/test/io/fixtures/flink-key-groups.json"
echo "wrote test/io/fixtures/flink-key-groups.json"
