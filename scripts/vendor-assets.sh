#!/usr/bin/env bash
# Refresh the vendored front-end assets from the npm registry.
#
#   scripts/vendor-assets.sh                 newest Bootstrap 5.3.x and axe-core 4.x
#   BOOTSTRAP_SPEC=bootstrap@5.3.8 scripts/vendor-assets.sh   a specific release
#
# Bootstrap goes to static/vendor/bootstrap/ (served to users, committed).
# axe-core goes to tests/e2e/vendor/axe-core/ (browser accessibility tests only).
# Each folder gets a VERSION file (package, version, npm integrity). Review the
# diff, update the table in static/vendor/README.md and commit.
set -euo pipefail

BOOTSTRAP_SPEC="${BOOTSTRAP_SPEC:-bootstrap@5.3}"
AXE_SPEC="${AXE_SPEC:-axe-core@4}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v npm >/dev/null || { echo "vendor-assets: npm is required" >&2; exit 1; }

# fetch SPEC -> extracts the package into $work/<name>/package and sets
# pkg_version / pkg_integrity for the tarball npm verified.
fetch() {
    local spec="$1" name="$2" meta
    mkdir -p "$work/$name"
    meta="$(cd "$work/$name" && npm pack --json --silent "$spec" 2>/dev/null)"
    pkg_version="$(node -e 'const m=JSON.parse(process.argv[1]);console.log(m[m.length-1].version)' "$meta")"
    pkg_integrity="$(node -e 'const m=JSON.parse(process.argv[1]);console.log(m[m.length-1].integrity)' "$meta")"
    local tarball
    tarball="$(node -e 'const m=JSON.parse(process.argv[1]);console.log(m[m.length-1].filename)' "$meta")"
    tar -xzf "$work/$name/$tarball" -C "$work/$name"
}

record() {
    local dest="$1" name="$2"
    printf '%s %s\n%s\n' "$name" "$pkg_version" "$pkg_integrity" >"$dest/VERSION"
    echo "vendored $name $pkg_version -> ${dest#"$root"/}"
}

# Bootstrap: compiled CSS and the JS bundle (includes Popper), with source maps.
fetch "$BOOTSTRAP_SPEC" bootstrap
src="$work/bootstrap/package"
dest="$root/static/vendor/bootstrap"
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/dist/css/bootstrap.min.css" \
   "$src/dist/css/bootstrap.min.css.map" \
   "$src/dist/js/bootstrap.bundle.min.js" \
   "$src/dist/js/bootstrap.bundle.min.js.map" \
   "$src/LICENSE" "$dest/"
record "$dest" bootstrap

# axe-core: the minified engine injected by the browser accessibility tests.
fetch "$AXE_SPEC" axe-core
src="$work/axe-core/package"
dest="$root/tests/e2e/vendor/axe-core"
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/axe.min.js" "$dest/"
# axe-core ships its licence as LICENSE (MPL-2.0); keep the name whatever it is.
for f in "$src"/LICENSE*; do cp "$f" "$dest/"; done
record "$dest" axe-core
