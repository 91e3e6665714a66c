#!/usr/bin/env bash
# Vendor plotly.js into static/vendor/plotly/ from the official npm partial bundle "cartesian" (scatter incl.
# fill:"toself", bar, heatmap, box, histogram, contour, pie, …: everything our charts use, no geo/3d/mapbox).
#
#   scripts/vendor_plotly.sh            # the pinned version below
#   scripts/vendor_plotly.sh 4.1.2      # another version (then update PLOTLY_VERSION and SOURCE.md's table)
#
# Keep the version equal to the plotly.js that the Python plotly package in requirements.txt bundles
# (python -c "from plotly.offline import get_plotlyjs_version as v; print(v())"), so figures built in
# Python use the attributes this bundle knows.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=plotly.js-cartesian-dist-min
PLOTLY_VERSION=${1:-4.1.1}
DEST=static/vendor/plotly

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
( cd "$TMP" && npm pack --silent "$PACKAGE@$PLOTLY_VERSION" >/dev/null && tar -xzf ./*.tgz )
PKG=$TMP/package
actual=$(node -p "require('$PKG/package.json').version")
[ "$actual" = "$PLOTLY_VERSION" ] || { echo "npm gave $actual, not $PLOTLY_VERSION" >&2; exit 1; }

mkdir -p "$DEST"
cp "$PKG/plotly-cartesian.min.js" "$DEST/plotly.min.js"
cp "$PKG/LICENSE" "$DEST/LICENSE"
sha=$(sha256sum "$DEST/plotly.min.js" | cut -d' ' -f1)
size=$(stat -c %s "$DEST/plotly.min.js")
integrity=$(cd "$TMP" && node -p "require('crypto').createHash('sha512').update(require('fs').readFileSync(require('fs').readdirSync('.').find(f => f.endsWith('.tgz')))).digest('base64')")

cat > "$DEST/SOURCE.md" <<EOF
# plotly.js (vendored)

| | |
|---|---|
| package | [\`$PACKAGE\`](https://www.npmjs.com/package/$PACKAGE) (official partial bundle "cartesian") |
| version | $PLOTLY_VERSION (the plotly.js bundled by the Python \`plotly\` package in requirements.txt) |
| file | \`plotly-cartesian.min.js\` from the package, saved as \`plotly.min.js\` ($size bytes) |
| sha256 | \`$sha\` |
| npm tarball integrity | \`sha512-$integrity\` |
| licence | MIT, \`LICENSE\` beside it (copied from the package) |

Trace types in the bundle (the package README): bar, box, contour, heatmap, histogram, histogram2d,
histogram2dcontour, image, pie, scatter, scatterternary and violin; no geo/choropleth, map, gl or 3d traces.
The pages use scatter (also \`fill: "toself"\` polygons on plain axes: the county map), bar and heatmap.

Templates load it as \`{% static 'vendor/plotly/plotly.min.js' %}\` with \`defer\`, before \`js/charts.js\`.

## Refresh

\`\`\`bash
scripts/vendor_plotly.sh            # re-creates this directory from npm (npm pack into a temp dir)
scripts/vendor_plotly.sh 4.2.0      # another version: edit PLOTLY_VERSION in the script to pin it
sha256sum static/vendor/plotly/plotly.min.js
\`\`\`

Only change the version together with the Python \`plotly\` package (see the script's header).
EOF
echo "$DEST/plotly.min.js: $PACKAGE@$PLOTLY_VERSION, $size bytes, sha256 $sha"
