#!/usr/bin/env bash
# Time `casework build` side by side with Hugo rendering the same Markdown
# files with a minimal layout, in one hyperfine run per corpus.
#
#   benches/site.sh BIN CORPUS... [RUNS=3]
#
# Each full build starts from no output folder (hyperfine --prepare removes
# it, and casework's build caches in the git directory), for casework and
# Hugo alike. Then casework's rebuilds: with no change, and after one record
# changed (restored afterwards). Peak RSS of one full
# build each (GNU time). Needs hyperfine, hugo and GNU time (Debian packages).
set -euo pipefail
bin=$(realpath "${1:?usage: benches/site.sh BIN CORPUS...}"); shift
runs=${RUNS:-3}
work=${TMPDIR:-/var/tmp}/casework-site-bench
mkdir -p "$work"
export CASEWORK_NOW=${CASEWORK_NOW:-2026-11-23T12:00:00Z}
for corpus in "$@"; do
  corpus=$(realpath "$corpus"); name=$(basename "$corpus")
  hugo_site=$work/hugo-$name
  if [ ! -d "$hugo_site/content" ]; then
    mkdir -p "$hugo_site/layouts/_default"
    printf 'baseURL = "https://example.org/"\ntitle = "records"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' >"$hugo_site/hugo.toml"
    printf '<!doctype html><title>{{ .Title }}</title><h1>{{ .Title }}</h1><p>{{ .Params.id }} {{ .Params.status }} {{ .Params.owner }}</p>{{ .Content }}\n' \
      >"$hugo_site/layouts/_default/single.html"
    printf '<!doctype html><title>{{ .Title }}</title><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>\n' \
      >"$hugo_site/layouts/_default/list.html"
    cp -r "$corpus/records" "$hugo_site/content"
  fi
  cw_out=$work/cw-$name hugo_out=$work/hugo-out-$name
  echo "== $name: full builds"
  hyperfine -N --runs "$runs" --style basic \
    --prepare "rm -rf $cw_out $hugo_out $corpus/.git/casework" \
    -n "casework build" "$bin -C $corpus build -q --out $cw_out" \
    -n "hugo" "hugo --quiet -s $hugo_site -d $hugo_out"
  echo "== $name: casework rebuilds"
  "$bin" -C "$corpus" build -q --out "$cw_out" >/dev/null
  rec=$(find "$corpus/records" -name '*.md' | sort | sed -n 1p)
  cp "$rec" "$work/saved.md"
  # Two runs of hyperfine: a single --prepare applies to every command of one.
  hyperfine -N --runs "$runs" --style basic \
    -n "no change" "$bin -C $corpus build -q --out $cw_out"
  hyperfine -N --runs "$runs" --style basic \
    -n "one record changed" --prepare "sh -c 'date +%N >> $rec'" "$bin -C $corpus build -q --out $cw_out"
  cp "$work/saved.md" "$rec"
  echo "== $name: peak RSS of a full build"
  rm -rf "$cw_out" "$hugo_out"
  /usr/bin/time -f "casework build %M KB" "$bin" -C "$corpus" build -q --out "$cw_out" >/dev/null
  /usr/bin/time -f "hugo %M KB" hugo --quiet -s "$hugo_site" -d "$hugo_out" >/dev/null
done
