#!/usr/bin/env bash
# bench/code-overhead.sh TREE [SMARTEDU_LINT]
#
# What the code rules cost on a working tree: the scan with every rule beside the scan with
# every family but `code/`, then (PER_RULE=1) each code rule alone on top of that. Prints
# the median wall time and mean CPU time of RUNS runs (after one untimed warm-up) and the
# ratio all/without-code, the figure issue 5 bounds at 1.3.
#
#   TREE           a folder to scan, e.g. the bench corpus's tree/ (shared/bench)
#   SMARTEDU_LINT  the binary (default: target/release/smartedu-lint of this checkout)
#
# Env: RUNS (5), PER_RULE (0). Nothing here is a test: timings depend on the machine and
# on what else runs on it; run it on an idle machine.
set -euo pipefail

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 TREE [SMARTEDU_LINT]" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREE=$1
BIN=${2:-$HERE/../target/release/smartedu-lint}
RUNS=${RUNS:-5}
[[ -x /usr/bin/time ]] || { echo "GNU time is needed (/usr/bin/time)" >&2; exit 2; }
[[ -x $BIN ]] || { echo "missing: $BIN" >&2; exit 2; }

# Every family but code/, as `--only` arguments.
mapfile -t FAMILIES < <("$BIN" rules --format json |
  python3 -c 'import json,sys; print("\n".join(sorted({r["id"].split("/")[0] for r in json.load(sys.stdin)["rules"]} - {"code"})))')
WITHOUT=()
for f in "${FAMILIES[@]}"; do WITHOUT+=(--only "$f/"); done

find "$TREE" -type f -print0 | xargs -0 cat > /dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# time_scan ARGS...: prints "median_wall mean_cpu"
time_scan() {
  local walls=() cpu=0 w u s i
  "$BIN" "$TREE" -q -f json -o "$TMP/out.json" "$@" || [[ $? -le 1 ]]
  for ((i = 1; i <= RUNS; i++)); do
    /usr/bin/time -f '%e %U %S' -o "$TMP/time" "$BIN" "$TREE" -q -f json -o "$TMP/out.json" "$@" ||
      [[ $? -le 1 ]]
    read -r w u s < <(tail -n1 "$TMP/time")
    walls+=("$w")
    cpu=$(awk -v c="$cpu" -v u="$u" -v s="$s" 'BEGIN {print c + u + s}')
  done
  printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
    "$(awk -v c="$cpu" -v r="$RUNS" 'BEGIN {printf "%.2f", c / r}')"
}

echo "smartedu-lint $("$BIN" --version), $(nproc) cores, median of $RUNS runs"
echo "| scan | wall s | CPU s |"
echo "|---|---|---|"
read -r all_w all_c < <(time_scan)
echo "| all rules | $all_w | $all_c |"
read -r base_w base_c < <(time_scan "${WITHOUT[@]}")
echo "| without code/ | $base_w | $base_c |"
if [[ ${PER_RULE:-0} == 1 ]]; then
  for id in $("$BIN" rules --format json | python3 -c 'import json,sys; [print(r["id"]) for r in json.load(sys.stdin)["rules"] if r["id"].startswith("code/")]'); do
    read -r w c < <(time_scan "${WITHOUT[@]}" --only "$id")
    echo "| without code/ + $id | $w | $c |"
  done
fi
awk -v a="$all_w" -v b="$base_w" -v ac="$all_c" -v bc="$base_c" \
  'BEGIN {printf "ratio all / without code/: wall %.2f, CPU %.2f\n", a / b, ac / bc}'
