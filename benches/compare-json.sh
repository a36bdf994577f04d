#!/usr/bin/env bash
# Proof that a change leaves behaviour alone: scans the same paths with two minerscan binaries
# (`--format json --all`, same threads) and diffs the two reports once the fields that differ
# from run to run by nature are taken out. Exit 0 when the reports are identical, 1 with the
# diff when they are not, 2 on a usage error.
#
#   benches/compare-json.sh OLD_BIN NEW_BIN PATH...
#   ARGS="--archive-depth 1" benches/compare-json.sh old new fixtures     extra scan flags for both
#
# Taken out before the diff: `scan.started`, `summary.started`, `summary.finished`,
# `summary.elapsed_ms` (clocks), every `meta.atime` (other processes read /usr and /etc between
# the two runs) and every `schema_version` (the field that versions the output itself: adding
# it is the one difference a refactor may make). Key order is kept, so a reordered field shows.
# Each binary's exit code is printed: they must agree too. Needs jq. Touches no network.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
old=$1 new=$2
shift 2
command -v jq >/dev/null || { echo "jq is required" >&2; exit 2; }
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "$b: not an executable" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
threads=${THREADS:-2}
normalise='
  del(.scan.started, .summary.started, .summary.finished, .summary.elapsed_ms)
  | del(.. | objects | .schema_version?)
  | walk(if type == "object" and has("meta") and (.meta | type) == "object"
         then .meta |= del(.atime) else . end)'

run_one() { # BIN NAME PATHS...
  local bin=$1 name=$2
  shift 2
  echo 0 > "$work/$name.code"
  # shellcheck disable=SC2086 # ARGS is a list of flags on purpose.
  "$bin" scan --format json --all --quiet --threads "$threads" ${ARGS:-} "$@" \
    > "$work/$name.json" 2> "$work/$name.err" || echo $? > "$work/$name.code"
  jq "$normalise" "$work/$name.json" > "$work/$name.norm"
}

run_one "$old" old "$@"
run_one "$new" new "$@"
old_code=$(cat "$work/old.code") new_code=$(cat "$work/new.code")
files=$(jq '.files | length' "$work/new.json")
echo "paths: $*"
echo "exit codes: old $old_code, new $new_code; files listed: $files"
status=0
if [ "$old_code" != "$new_code" ]; then
  echo "the exit codes differ"
  status=1
fi
if ! diff -u "$work/old.norm" "$work/new.norm" > "$work/diff"; then
  echo "the reports differ:"
  head -200 "$work/diff"
  status=1
fi
if ! diff -u "$work/old.err" "$work/new.err" > "$work/errdiff"; then
  echo "standard error differs:"
  head -50 "$work/errdiff"
  status=1
fi
new_versions=$(jq '[.. | objects | select(has("schema_version"))] | length' "$work/new.json")
echo "schema_version fields in the new report: $new_versions"
[ $status -eq 0 ] && echo "identical (times, atime and schema_version aside)"
exit $status
