#!/usr/bin/env bash
# Time release `casework check` on generated corpora of 10,000, 50,000 and 100,000 records.
# Needs the record generator (gen_corpus.py, from shared/bench beside this project): it is
# not part of this repository.
#
#   benches/check.sh GENERATOR_DIR [OUT_DIR] [SIZES...]
#
# GENERATOR_DIR holds gen_corpus.py (and peers.sh, for the side-by-side run); OUT_DIR
# (default ../corpora) receives the corpora, made once and reused. Each corpus gets the
# configuration and schemas `casework init` writes. Needs hyperfine and GNU time
# (Debian packages `hyperfine` and `time`). Prints median wall seconds and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
GEN=${1:?usage: benches/check.sh GENERATOR_DIR [OUT_DIR] [SIZES...] (GENERATOR_DIR holds gen_corpus.py, the record generator shipped beside this project in shared/bench)}
if [ ! -f "$GEN/gen_corpus.py" ]; then
  echo "benches/check.sh: $GEN/gen_corpus.py not found: give the folder of the record generator (shared/bench)" >&2
  exit 2
fi
OUT=${2:-../corpora}
shift $(( $# >= 2 ? 2 : 1 ))
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 50000 100000)

cargo build --release --quiet
BIN=$PWD/target/release/casework
mkdir -p "$OUT"
scaffold=$(mktemp -d)
trap 'rm -rf "$scaffold"' EXIT
"$BIN" init -q "$scaffold/init"

printf '%-10s %10s %10s %10s\n' records "median s" "peak MiB" findings
for n in "${SIZES[@]}"; do
  corpus=$OUT/c$n
  if [ ! -d "$corpus/records" ]; then
    python3 "$GEN/gen_corpus.py" "$corpus" --records "$n" --config "$scaffold/init/casework.toml" >/dev/null
  fi
  rm -rf "$corpus/schemas" && cp -r "$scaffold/init/schemas" "$corpus/schemas"
  json=$(mktemp)
  hyperfine -N --warmup 1 --runs 5 --export-json "$json" --style none -- "$BIN -C $corpus check -q" >/dev/null 2>&1 || true
  median=$(python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['results'][0]['median'])" "$json")
  peak=$(/usr/bin/time -f "%M" -o /dev/stdout "$BIN" -C "$corpus" check -q 2>/dev/null | tail -1)
  findings=$(CASEWORK_NOW=2026-11-23T12:00:00Z "$BIN" -C "$corpus" check --format json 2>/dev/null \
    | python3 -c "import json,sys; s=json.load(sys.stdin)['summary']; print('%d errors, %d warnings' % (s['errors'], s['warnings']))")
  printf '%-10s %10s %10s %10s\n' "$n" "$median" "$((peak / 1024))" "$findings"
  rm -f "$json"
done
