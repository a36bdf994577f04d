#!/usr/bin/env bash
# Whole-scan benchmark: minerscan with its defaults against the YARA engine alone over the same
# rules and the same files, and against the read floor, on any directory. Prints each median
# with its ratio to minerscan, then peak RSS. Nothing here touches the network.
#
#   benches/scan.sh [DIR...]          default corpora: /usr, a few large files, many tiny files
#   THREADS=2 RUNS=5 benches/scan.sh /usr
#   LIBYARA=0 benches/scan.sh /usr    leave libyara out (it takes several times yr's time)
#   benches/scan.sh LIST              a file naming one path per line: those files only
#                                     (minerscan --files-from, yr --scan-list; no libyara)
#
# Besides the tools, each corpus is scanned by minerscan with one thread (the thread-scaling
# figure), and an empty directory by minerscan and yr (start-up: compiling or loading the rules).
#
# Needs hyperfine (Debian: hyperfine) and GNU time; `yr` (cargo install yara-x-cli) and
# `yara` (Debian: yara) are used when installed. Run on a warm page cache (a warm-up run comes
# first). Build first: cargo build --release.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin="${MINERSCAN:-$here/target/release/minerscan}"
threads="${THREADS:-$(nproc)}"
runs="${RUNS:-3}"
max_size="${MAX_SIZE:-134217728}"   # minerscan's default --max-size, 128 MiB, in bytes
rules="$here/signatures/yara"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }

# libyara takes rule files, not a directory: one combined file, each source in turn.
cat "$rules"/*.yar > "$work/all.yar"

make_corpora() {
  mkdir -p "$work/large" "$work/tiny"
  # A few large files: real binaries concatenated, so they look like executables and data.
  local i=0
  for f in /usr/bin/* ; do
    [ -f "$f" ] || continue
    cat "$f" >> "$work/large/blob$((i % 4)).bin"
    i=$((i + 1))
    [ "$(du -sm "$work/large" | cut -f1)" -ge 400 ] && break
  done
  # Many tiny text files: shell and config fragments.
  for i in $(seq 1 20000); do
    printf '#!/bin/sh\n# job %d\nsystemctl restart app%d\necho done %d\n' "$i" "$i" "$i" > "$work/tiny/f$i.sh"
  done
}

if [ $# -eq 0 ]; then
  make_corpora
  set -- /usr "$work/large" "$work/tiny"
fi

for dir in "$@"; do
  if [ -f "$dir" ]; then
    # A list of files: what each tool is given instead of a directory.
    echo "== list $dir ($(wc -l < "$dir") files), threads $threads"
    target="--files-from $dir" yr_target="--scan-list $rules $dir" libyara=0
    floor="tr '\\n' '\\0' < $dir | xargs -0 -P $threads -n 256 cat > /dev/null 2>&1 || true"
  else
    echo "== corpus $dir ($(find "$dir" -xdev -type f 2>/dev/null | wc -l) files, $(du -sh "$dir" 2>/dev/null | cut -f1)), threads $threads"
    target="$dir" yr_target="-r $rules $dir" libyara="${LIBYARA:-1}"
    floor="find $dir -xdev -type f -size -${max_size}c -print0 2>/dev/null | xargs -0 -P $threads -n 256 cat > /dev/null 2>&1 || true"
  fi
  cmds=(-n minerscan "$bin scan --quiet --fail-on never --threads $threads --format json -o /dev/null $target")
  if [ "$threads" -gt 1 ]; then
    cmds+=(-n "minerscan 1 thread" "$bin scan --quiet --fail-on never --threads 1 --format json -o /dev/null $target")
  fi
  if command -v yr >/dev/null; then
    cmds+=(-n "yr scan" "yr scan -p $threads -z $max_size --disable-console-logs $yr_target > /dev/null 2>&1 || true")
  fi
  if [ "$libyara" != 0 ] && command -v yara >/dev/null; then
    cmds+=(-n "yara" "yara -r -p $threads -z $max_size $work/all.yar $dir > /dev/null 2>&1 || true")
  fi
  cmds+=(-n "cat (read floor)" "$floor")
  hyperfine --warmup 1 --runs "$runs" --export-json "$work/result.json" -i "${cmds[@]}" > "$work/hyperfine.log" 2>&1 || true
  python3 - "$work/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = next(r["median"] for r in results if r["command"] == "minerscan")
print(f"{'tool':<20} {'median s':>9} {'ratio to minerscan':>19}")
for r in results:
    print(f"{r['command']:<20} {r['median']:>9.2f} {r['median'] / base:>19.2f}")
PY
  echo "peak RSS (MiB):"
  rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -n 1; }
  # shellcheck disable=SC2086 # $target is one flag and its value, or a directory
  printf '  %-16s %s\n' minerscan "$(( $(rss "$bin" scan --quiet --fail-on never --threads "$threads" --format json -o /dev/null $target) / 1024 ))"
  if command -v yr >/dev/null; then
    printf '  %-16s %s\n' "yr scan" "$(( $(rss sh -c "yr scan -p $threads -z $max_size --disable-console-logs $yr_target 2>/dev/null || true") / 1024 ))"
  fi
done

echo "== start-up: an empty directory, threads $threads"
mkdir -p "$work/empty"
# minerscan loads its rules compiled from the rules cache (the warm-up runs fill it); without
# the cache it compiles them as yr does.
startup=(-n minerscan "$bin scan --quiet --fail-on never --threads $threads --format json -o /dev/null $work/empty")
startup+=(-n "minerscan, no rules cache" "$bin scan --quiet --fail-on never --no-rules-cache --threads $threads --format json -o /dev/null $work/empty")
if command -v yr >/dev/null; then
  startup+=(-n "yr scan" "yr scan -r -p $threads --disable-console-logs $rules $work/empty")
fi
hyperfine -N --warmup 3 --runs 20 "${startup[@]}" 2>/dev/null | grep -E "^Benchmark|Time \(mean"
