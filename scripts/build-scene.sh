#!/usr/bin/env bash
# Bundle the experience scene (our code + three.js from node_modules, tree-shaken) with esbuild
# into the git-ignored static/vendor/experience.js. Run by scripts/vendor.sh at `make setup`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/src/commonpot/static/vendor"
"$root/node_modules/.bin/esbuild" "$root/src/commonpot/experiences/scene/main.js" \
  --bundle --minify --format=esm --target=es2020 --legal-comments=none \
  --outfile="$root/src/commonpot/static/vendor/experience.js" --log-level=warning
