#!/usr/bin/env bash
# The site's history pass on a corpus with history, against `git log -p`,
# and the rebuild after one new commit (timelines cached by commit).
#
#   benches/site-history.sh BIN CORPUS
#
# CORPUS: e.g. gen_corpus.py OUT --records 24000 --history-commits 100000.
# Rows, each one run (a run of the first is a minute or more):
#   git log -p --no-renames -- records      the peer: every change read once
#   build, no cache                         the first build (history walked)
#   build, timelines cached, no output      the same pages, no walk: the
#                                           cases and pages built afresh
#   build after one new commit              walks one commit
# The history pass is the first row of casework minus the second. The new
# commit is made on a throw-away branch and removed afterwards.
set -euo pipefail
bin=$(realpath "${1:?usage: benches/site-history.sh BIN CORPUS}"); corpus=$(realpath "${2:?corpus}")
out=${TMPDIR:-/var/tmp}/casework-site-history
export CASEWORK_NOW=${CASEWORK_NOW:-2026-11-23T12:00:00Z}
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); printf '%-40s %8.2f s\n' "$label" "$(echo "$e - $s" | bc)"; }
cd "$corpus"
start=$(git symbolic-ref --short HEAD)
label="git log -p --no-renames -- records" t git log -p --no-renames -- records
rm -rf "$(git rev-parse --git-dir)/casework" "$out"
label="build, no cache" t "$bin" build -q --out "$out"
rm -rf "$(git rev-parse --git-dir)/casework/site.json" "$out"
label="build, timelines cached, no output" t "$bin" build -q --out "$out"
git checkout -q -b bench-one-commit
rec=$(git ls-files records | sed -n 1p)
printf '\n' >>"$rec" && git commit -qam "bench: one change"
label="build after one new commit" t "$bin" build -q --out "$out"
git checkout -q "$start" && git branch -q -D bench-one-commit
rm -rf "$(git rev-parse --git-dir)/casework"
