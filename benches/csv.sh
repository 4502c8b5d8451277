#!/usr/bin/env bash
# Time `casework export` and `casework import` against `casework check` of
# the same records, in the same run, interleaved (each round runs every
# command once, so a machine that slows down mid-run slows all alike).
#
#   benches/csv.sh BIN CORPUS [ROWS] [ROUNDS]    # ROWS 10000, ROUNDS 3
#
# export: every kind of CORPUS exported (the five commands in one timing),
# against `check -q` of CORPUS. import: the first ROWS rows of CORPUS's
# request export, with --keep-ids, as the records role, into a fresh
# repository with CORPUS's configuration and schemas, against `check -q` of
# that repository once imported. Prints wall seconds (GNU time) and the
# ratios, medians over the rounds. Needs GNU time (/usr/bin/time).
set -euo pipefail

bin=$(realpath "${1:?usage: benches/csv.sh BIN CORPUS [ROWS] [ROUNDS]}")
corpus=$(realpath "${2:?usage: benches/csv.sh BIN CORPUS [ROWS] [ROUNDS]}")
rows=${3:-10000}
rounds=${4:-3}
export CASEWORK_NOW=${CASEWORK_NOW:-2026-11-23T12:00:00Z}
export GIT_AUTHOR_EMAIL=archive@example.com GIT_AUTHOR_NAME=Records
export GIT_COMMITTER_EMAIL=archive@example.com GIT_COMMITTER_NAME=Records

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kinds=$("$bin" -C "$corpus" schema | awk '$1 != "" {print $1}' | tr '\n' ' ')

# The rows to import, and an empty repository to import them into.
"$bin" -C "$corpus" export request >"$tmp/all.csv"
python3 - "$tmp/all.csv" "$tmp/rows.csv" "$rows" <<'EOF'
import csv, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline='') as f, open(dst, 'w', newline='') as g:
    r, w = csv.reader(f), csv.writer(g)
    for i, row in enumerate(r):
        if i > n:
            break
        w.writerow(row)
EOF
mkdir "$tmp/empty"
cp "$corpus/casework.toml" "$tmp/empty/"
cp -r "$corpus/schemas" "$tmp/empty/"
git -C "$tmp/empty" init -q
git -C "$tmp/empty" add -A
git -C "$tmp/empty" commit -qm configuration

timed() { # OUT CMD...: wall seconds of CMD appended to OUT
  local out=$1
  shift
  /usr/bin/time -f %e -o "$tmp/time" "$@" >/dev/null 2>&1 || true
  tail -1 "$tmp/time" >>"$out"
}

for ((r = 1; r <= rounds; r++)); do
  timed "$tmp/check" "$bin" -C "$corpus" check -q
  # shellcheck disable=SC2016
  timed "$tmp/export" bash -c 'for k in $2; do "$1" -C "$3" export "$k"; done' _ "$bin" "$kinds" "$corpus"
  # A fresh copy each round, all removed at the end: ext4 slows the
  # creation of files where as many were just deleted.
  cp -r "$tmp/empty" "$tmp/target$r"
  timed "$tmp/import" "$bin" -C "$tmp/target$r" -q import request "$tmp/rows.csv" --keep-ids
  timed "$tmp/check-imported" "$bin" -C "$tmp/target$r" check -q
done

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
imported=$(find "$tmp/target1/records" -name '*.md' | wc -l)
c=$(median <"$tmp/check")
e=$(median <"$tmp/export")
ci=$(median <"$tmp/check-imported")
i=$(median <"$tmp/import")
printf 'export of every record (%s):  %6.2f s   check -q %6.2f s   ratio %.2f\n' "$kinds" "$e" "$c" "$(echo "$e / $c" | bc -l)"
printf 'import of %s rows (%s written): %6.2f s   check -q %6.2f s   ratio %.2f\n' "$rows" "$imported" "$i" "$ci" "$(echo "$i / $ci" | bc -l)"
