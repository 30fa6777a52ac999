#!/usr/bin/env bash
# Copy the pinned front-end libraries from node_modules into the git-ignored static/vendor.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/node_modules"
dst="$root/src/commonpot/static/vendor"
rm -rf "$dst"
mkdir -p "$dst/htmx" "$dst/leaflet" "$dst/chartjs" "$dst/axe" "$dst/swagger-ui"
cp "$src/htmx.org/dist/htmx.min.js" "$dst/htmx/"
cp -r "$src/leaflet/dist/leaflet.js" "$src/leaflet/dist/leaflet.css" "$src/leaflet/dist/images" "$dst/leaflet/"
cp "$src/chart.js/dist/chart.umd.min.js" "$dst/chartjs/chart.umd.js"
cp "$src/axe-core/axe.min.js" "$dst/axe/"
cp "$src/swagger-ui-dist/swagger-ui-bundle.js" "$src/swagger-ui-dist/swagger-ui.css" "$src/swagger-ui-dist/LICENSE" "$dst/swagger-ui/"
"$root/scripts/build-scene.sh"
