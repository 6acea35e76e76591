#!/usr/bin/env bash
# bench/run.sh CORPUS WORKDIR [SMARTEDU_LINT]
#
# Times smartedu-lint beside kingfisher and a ripgrep regex, in one run and the same way:
# warm page cache, one untimed warm-up run per command, then RUNS timed runs; the median
# wall time, the mean CPU time (user + system) and the largest peak RSS (GNU time).
#
#   CORPUS         built by make-corpus.sh of the team's shared/bench: tree/, history/,
#                  history-long/, planted.jsonl
#   WORKDIR        where kingfisher (PyPI wheel kingfisher-bin, into WORKDIR/venv) and
#                  ripgrep (crates.io, into WORKDIR/cargo) are installed once, and where
#                  reports go (WORKDIR/reports/, WORKDIR/results.tsv)
#   SMARTEDU_LINT  the binary to time (default: target/release/smartedu-lint of this
#                  checkout). Time a release build: a debug build is ~10x slower.
#
# Env: RUNS (3); SCOPES ("tree history history-long"); BENCH_TOOLS, the folder holding
# secret-patterns.txt and score_planted.py (default: ../shared/bench beside this checkout).
#
# What runs: smartedu-lint with all rules on tree/, `--history` on history/ and
# history-long/; `kingfisher scan` on tree/ and, with `--git-history full`, on each .git;
# ripgrep with the alternation of secret-patterns.txt on tree/ and on
# `git cat-file --batch-all-objects --batch` of each repository. "planted" counts the
# planted secrets a report names at their file and line (score_planted.py); our JSON report
# is turned into `path:line:` lines first (bench/json_to_lines.py).
# Nothing here is a test: timings depend on the machine and on what else runs on it.
set -euo pipefail

[[ $# -ge 2 && $# -le 3 ]] || { echo "usage: $0 CORPUS WORKDIR [SMARTEDU_LINT]" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
CORPUS=$(cd "$1" && pwd)
mkdir -p "$2/reports"
WORK=$(cd "$2" && pwd)
BIN=${3:-$REPO/target/release/smartedu-lint}
RUNS=${RUNS:-3}
SCOPES=${SCOPES:-tree history history-long}
TOOLS=${BENCH_TOOLS:-$REPO/../shared/bench}
for f in "$TOOLS/secret-patterns.txt" "$TOOLS/score_planted.py" "$CORPUS/planted.jsonl" "$BIN"; do
  [[ -e $f ]] || { echo "missing: $f" >&2; exit 2; }
done
TREE=$CORPUS/tree HIST=$CORPUS/history HLONG=$CORPUS/history-long
# A copy, so that a rebuild during the run cannot mix two versions in one table.
cp "$BIN" "$WORK/smartedu-lint" && BIN=$WORK/smartedu-lint
in_scope() { [[ " $SCOPES " == *" $1 "* ]]; }

# ---- install (registries only; skipped when already there) ---------------------------
if [[ ! -x /usr/bin/time ]]; then
  echo "GNU time is needed (/usr/bin/time): apt-get install time" >&2; exit 2
fi
VENV=$WORK/venv
[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
KF=$SITE/kingfisher/bin/kingfisher
[[ -e $KF ]] || "$VENV/bin/python" -m pip install -q --disable-pip-version-check kingfisher-bin==2.14.0
# The wheel's bundled binary, never its Python launcher (which may try to update itself).
chmod +x "$KF"
RG=$WORK/cargo/bin/rg
[[ -x $RG ]] || cargo install -q --locked --root "$WORK/cargo" ripgrep@15.2.0
RE=$(grep -v '^\s*$' "$TOOLS/secret-patterns.txt" | paste -sd'|' -)
export BIN KF RG RE TREE HIST HLONG

echo "smartedu-lint: $("$BIN" --version) (copied from ${3:-$REPO/target/release/smartedu-lint})"
echo "kingfisher: $("$KF" --version 2>&1 | head -n1)"
echo "ripgrep: $("$RG" --version | head -n1)"
if pgrep -f 'cargo build --release' > /dev/null; then
  echo "warning: a release build is running; timings will be off" >&2
fi

# ---- measure ----------------------------------------------------------------------------
RES=$WORK/results.tsv
printf 'tool\tscope\truns\twall_s\tcpu_s\tpeak_rss_mb\tplanted\tfindings\n' > "$RES"

# measure TOOL SCOPE FORMAT COMMAND: COMMAND (bash) writes its report to "$OUT"; FORMAT is
# score_planted.py's (kingfisher, text), `ours` (our JSON), or none.
measure() {
  local tool=$1 scope=$2 fmt=$3 cmd=$4 i w m u s
  local base=$WORK/reports/$tool.$scope walls=() cpu=0 peak=0
  export OUT=$base.report
  echo "== $tool / $scope" >&2
  bash -c "$cmd" > /dev/null 2> "$base.stderr" || true  # warm-up, untimed
  for ((i = 1; i <= RUNS; i++)); do
    /usr/bin/time -f '%e %M %U %S' -o "$base.time" bash -c "$cmd" > /dev/null 2> "$base.stderr" || {
      echo "   $tool / $scope failed (see $base.stderr)" >&2; return 0; }
    read -r w m u s < <(tail -n1 "$base.time")
    walls+=("$w")
    cpu=$(awk -v c="$cpu" -v u="$u" -v s="$s" 'BEGIN {print c + u + s}')
    ((m > peak)) && peak=$m
  done
  local median planted=- findings=- report=$OUT score
  median=$(printf '%s\n' "${walls[@]}" | sort -g |
    awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
  if [[ $fmt == ours ]]; then
    python3 "$HERE/json_to_lines.py" "$OUT" > "$base.lines"
    report=$base.lines fmt=text
  fi
  if [[ $fmt != none ]] && score=$(python3 "$TOOLS/score_planted.py" "$CORPUS/planted.jsonl" "$scope" "$fmt" "$report"); then
    planted=${score%% *} findings=${score##*findings=}
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$scope" "$RUNS" "$median" \
    "$(awk -v c="$cpu" -v r="$RUNS" 'BEGIN {printf "%.1f", c / r}')" \
    "$(awk -v k="$peak" 'BEGIN {printf "%.0f", k / 1024}')" "$planted" "$findings" >> "$RES"
}

# Exit 1 means findings for us and ripgrep, 200 for kingfisher: all are successful runs.
ours() { echo '"$BIN" '"$1"' -q -f json -o "$OUT"; [[ $? -le 1 ]]'; }
kingfisher() { echo '"$KF" scan '"$1"' --no-validate --no-update-check -q -f jsonl -o "$OUT"; rc=$?; [[ $rc == 0 || $rc == 200 ]]'; }
rg_blobs() { echo 'git -C '"$1"' cat-file --batch-all-objects --batch | "$RG" -a -c -e "$RE" > "$OUT"; [[ $? -le 1 ]]'; }

if in_scope tree; then
  find "$TREE" -type f -print0 | xargs -0 cat > /dev/null
  measure smartedu-lint tree ours "$(ours '"$TREE"')"
  measure kingfisher tree kingfisher "$(kingfisher '"$TREE"')"
  measure ripgrep-regex tree text '"$RG" -uu --no-heading -n -o -e "$RE" "$TREE" > "$OUT"; [[ $? -le 1 ]]'
fi
for scope in history history-long; do
  in_scope "$scope" || continue
  dir=$HIST; [[ $scope == history-long ]] && dir=$HLONG
  export DIR=$dir
  git -C "$dir" cat-file --batch-all-objects --batch > /dev/null
  measure smartedu-lint "$scope" ours "$(ours '"$DIR" --history')"
  measure kingfisher "$scope" kingfisher "$(kingfisher '"$DIR/.git" --git-history full')"
  measure ripgrep-regex "$scope" none "$(rg_blobs '"$DIR"')"
done

# ---- table ------------------------------------------------------------------------------
echo
echo "Machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM. Median of $RUNS runs after a warm-up; warm page cache."
echo
echo "| tool | scope | wall s | CPU s | peak RSS MB | planted found | findings |"
echo "|---|---|---|---|---|---|---|"
awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $4, $5, $6, $7, $8}' "$RES"
