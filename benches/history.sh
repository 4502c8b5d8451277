#!/usr/bin/env bash
# Time `casework check -q --since ROOT` (every commit from the root commit) of two
# casework binaries against `git log -p --no-renames -- records`, the floor: every
# changed blob read. One hyperfine run per corpus holds all three commands, so other
# jobs on the machine slow them alike. Then prints each command's peak RSS.
#
#   benches/history.sh BASE_BIN NEW_BIN CORPUS...
#
# BASE_BIN and NEW_BIN are release builds of casework (NEW_BIN "-" builds this tree's
# with `cargo build --release`). Each CORPUS is a records repository with history, as
# made by the record generator (gen_corpus.py --history-commits N, from shared/bench
# beside this project: it is not part of this repository); one without schemas/ gets
# the ones `casework init` writes. Needs hyperfine and GNU time (Debian packages
# `hyperfine` and `time`). RUNS (default 5) and WARMUP (default 1) set hyperfine's runs.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: benches/history.sh BASE_BIN NEW_BIN CORPUS... (NEW_BIN - builds this tree)"
BASE=${1:?$usage}
NEW=${2:?$usage}
shift 2
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "benches/history.sh: $tool not found (apt-get install hyperfine time)" >&2; exit 2; }
done
if [ "$NEW" = - ]; then
  cargo build --release --quiet
  NEW=$PWD/target/release/casework
fi
scaffold=$(mktemp -d)
trap 'rm -rf "$scaffold"' EXIT
"$NEW" init -q "$scaffold/init"

for corpus in "$@"; do
  [ -d "$corpus/.git" ] || { echo "benches/history.sh: $corpus is not a git repository" >&2; exit 2; }
  [ -d "$corpus/schemas" ] || cp -r "$scaffold/init/schemas" "$corpus/schemas"
  root=$(git -C "$corpus" rev-list --max-parents=0 HEAD | tail -1)
  echo "== $corpus: $(git -C "$corpus" rev-list --count HEAD) commits"
  # -i: a generated history may hold genuine role findings (exit 1).
  hyperfine -N -i --warmup "${WARMUP:-1}" --runs "${RUNS:-5}" \
    -n base "$BASE -C $corpus check -q --since $root" \
    -n new "$NEW -C $corpus check -q --since $root" \
    -n "git log -p" "git -C $corpus log -p --no-renames -- records"
  printf '%-12s %10s\n' command "peak MiB"
  for cmd in "base:$BASE -C $corpus check -q --since $root" \
    "new:$NEW -C $corpus check -q --since $root" \
    "git log -p:git -C $corpus log -p --no-renames -- records"; do
    # shellcheck disable=SC2086 # the command is split into words on purpose
    kib=$( (/usr/bin/time -f %M ${cmd#*:} 2>&1 >/dev/null || true) | tail -1)
    printf '%-12s %10s\n' "${cmd%%:*}" "$((kib / 1024))"
  done
done
