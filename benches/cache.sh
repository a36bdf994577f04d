#!/bin/sh
# Whole-scan timing of --cache: a first scan of a tree (default /usr) that fills the cache,
# then a second scan of the unchanged tree that should read nothing. Usage:
#   benches/cache.sh [TREE] [BINARY]
# Prints wall-clock seconds for each scan, the cache hits and the speed-up.
#
# Recorded 2026-11-22 (2 cores shared with other jobs, load average ~7, release build):
#   benches/cache.sh /usr target/release/minerscan
#   tree: /usr (5.5 GiB, 115,736 files)
#   first scan:  155.0 s
#   second scan:   2.5 s (115,736 cache hits of 115,736 files)
#   speed-up: 62x; cache size 81 MiB
set -eu
TREE=${1:-/usr}
BIN=${2:-target/release/minerscan}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
run() {
    start=$(date +%s.%N)
    "$BIN" scan "$TREE" --cache "$DIR/cache.redb" --format json -o "$DIR/$1.json" --quiet \
        --fail-on never || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
first=$(run first)
second=$(run second)
hits=$(python3 -c "import json;s=json.load(open('$DIR/second.json'))['summary'];print(s['cache']['hits'], s['files_scanned'])")
echo "tree: $TREE"
echo "first scan:  ${first}s"
echo "second scan: ${second}s (cache hits, files: $hits)"
echo "speed-up: $(echo "scale=1; $first / $second" | bc)x"
echo "cache size: $(du -h "$DIR/cache.redb" | cut -f1)"
