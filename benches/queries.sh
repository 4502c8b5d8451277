#!/usr/bin/env bash
# Time the supervisors' queries against `casework check` on one corpus, in
# the same run, interleaved: each round runs every command once, so a
# machine that slows down mid-run slows all of them alike.
#
#   benches/queries.sh BIN CORPUS [ROUNDS]      # ROUNDS defaults to 5
#
# Prints, per command, the median CPU time (perf stat task-clock) and wall
# time over the rounds, each as a ratio to `check -q`, and the peak RSS of
# one run (GNU time). CASEWORK_NOW is fixed so every run judges the same
# clocks. Needs perf and GNU time (/usr/bin/time).
set -euo pipefail

bin=${1:?usage: benches/queries.sh BIN CORPUS [ROUNDS]}
corpus=${2:?usage: benches/queries.sh BIN CORPUS [ROUNDS]}
rounds=${3:-5}
export CASEWORK_NOW=${CASEWORK_NOW:-2026-11-23T12:00:00Z}

commands=(
  "check -q"
  "due --format json"
  "list"
  "list --format json"
  "lessons --format json"
  "sample complaint --period 2026-10 --size 20"
  "report --period 2026-10 --format json"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for ((r = 1; r <= rounds; r++)); do
  for i in "${!commands[@]}"; do
    # shellcheck disable=SC2086
    perf stat -x, -e task-clock -o "$tmp/stat" \
      "$bin" -C "$corpus" ${commands[$i]} >/dev/null 2>&1 || true
    cpu=$(awk -F, '/task-clock/ {print $1}' "$tmp/stat")
    /usr/bin/time -f %e -o "$tmp/time" "$bin" -C "$corpus" ${commands[$i]} >/dev/null 2>&1 || true
    wall=$(tail -1 "$tmp/time")
    echo "$cpu $wall" >>"$tmp/$i"
  done
done

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

base_cpu=$(cut -d' ' -f1 "$tmp/0" | median)
base_wall=$(cut -d' ' -f2 "$tmp/0" | median)
printf '%-46s %10s %6s %8s %6s %10s\n' command "CPU ms" "/check" "wall s" "/check" "peak RSS"
for i in "${!commands[@]}"; do
  cpu=$(cut -d' ' -f1 "$tmp/$i" | median)
  wall=$(cut -d' ' -f2 "$tmp/$i" | median)
  # shellcheck disable=SC2086
  /usr/bin/time -f %M -o "$tmp/time" "$bin" -C "$corpus" ${commands[$i]} >/dev/null 2>&1 || true
  rss=$(tail -1 "$tmp/time")
  printf '%-46s %10.0f %6.2f %8.2f %6.2f %7d MiB\n' "${commands[$i]}" "$cpu" \
    "$(echo "$cpu / $base_cpu" | bc -l)" "$wall" "$(echo "$wall / $base_wall" | bc -l)" "$((rss / 1024))"
done
