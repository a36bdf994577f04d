#!/usr/bin/env bash
# Instruction counts on a fixed input, for reviewing hot-path changes on a shared machine: unlike
# wall times, callgrind's counts repeat exactly for the same binary and input, whatever else the
# machine is doing. The input is the repository's own fixtures/ (the same on every machine), plus
# an empty directory for the start-up part; `yr scan` with the same rules is counted the same
# way when installed. One thread, so that the counts do not depend on scheduling.
#
#   benches/callgrind.sh            counts, and the ten costliest functions of the fixture scan
#   TOP=25 benches/callgrind.sh
#
# Needs valgrind (Debian: valgrind). Build first: cargo build --release. Takes about a minute.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin="${MINERSCAN:-$here/target/release/minerscan}"
top="${TOP:-10}"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/empty"

# Total instructions of one command, its profile kept as $work/$1.out.
count() {
  local name=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" "$@" >/dev/null 2>"$work/$name.log" || true
  awk '/Collected :/ {print $NF}' "$work/$name.log"
}

scan=("$bin" scan --quiet --fail-on never --threads 1 --format json -o /dev/null)
empty=$(count empty "${scan[@]}" "$work/empty")
fixtures=$(count fixtures "${scan[@]}" "$here/fixtures")
[ -n "$empty" ] && [ -n "$fixtures" ] || { echo "valgrind failed: see its log" >&2; cat "$work/empty.log" >&2; exit 1; }
printf '%-34s %16s\n' "minerscan, empty directory" "$empty"
printf '%-34s %16s\n' "minerscan, fixtures/" "$fixtures"
printf '%-34s %16s\n' "minerscan, fixtures/ less start-up" "$((fixtures - empty))"
if command -v yr >/dev/null; then
  yr_empty=$(count yr_empty yr scan -r -p 1 --disable-console-logs "$here/signatures/yara" "$work/empty")
  yr_fixtures=$(count yr_fixtures yr scan -r -p 1 --disable-console-logs "$here/signatures/yara" "$here/fixtures")
  printf '%-34s %16s\n' "yr scan, empty directory" "$yr_empty"
  printf '%-34s %16s\n' "yr scan, fixtures/" "$yr_fixtures"
  printf '%-34s %16s\n' "yr scan, fixtures/ less start-up" "$((yr_fixtures - yr_empty))"
fi
echo
echo "costliest functions of the minerscan fixture scan (instructions, self):"
callgrind_annotate --threshold=100 "$work/fixtures.out" 2>/dev/null \
  | grep -E '^ *[0-9,]+ \(' | head -n "$top"
