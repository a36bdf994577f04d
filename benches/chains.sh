#!/usr/bin/env bash
# Memory of cross-file judgement (issue 18): a tree of N tiny launchers that each start a
# missing file and name a missing config beside it. Every launcher has facts, but each name is
# settled when the launcher is read (outside the root, or beside it and already passed:
# `post::chains::walked`), so nothing is held and memory stays flat. Prints
# wall time and peak RSS, and checks that nothing was flagged and no chain was reported.
#
#   benches/chains.sh                 N=100000, THREADS=2
#   N=20000 benches/chains.sh
#
# Needs GNU time. Build first: cargo build --release (or MINERSCAN=path/to/minerscan).
# Too slow for the test suite at 100,000 (tests/integration/chains.rs runs 5,000).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin="${MINERSCAN:-${CARGO_TARGET_DIR:-$here/target}/release/minerscan}"
n="${N:-100000}"
threads="${THREADS:-2}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((i = 0; i < n; i++)); do
  d="$work/l/$((i % 500))"
  [ -d "$d" ] || mkdir -p "$d"
  printf '#!/bin/sh\nexec /opt/missing/%d -c ./conf%d.json\n' "$i" "$i" >"$d/run$i.sh"
done
/usr/bin/time -f '%e s, peak RSS %M KiB' "$bin" scan --threads "$threads" --format json \
  -o "$work/out.json" "$work/l" 2>"$work/time" || true
cat "$work/time"
command -v jq >/dev/null && jq -c '{files_scanned: .summary.files_scanned, listed: (.files | length), chains: (.summary.chains // [] | length)}' "$work/out.json"
