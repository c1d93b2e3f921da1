#!/usr/bin/env bash
# Re-fetches the vendored Swagger UI (the npm package swagger-ui-dist, pinned below) and
# keeps only the files the gateway serves at /docs (crates/cmp-gateway/src/console.rs
# compiles them in with include_bytes!). The checksums in SHA256SUMS are verified, so a
# re-fetch of the same version changes nothing; to move to another version, change
# VERSION, run with --update to rewrite SHA256SUMS, and review the diff.
#
#   bash crates/cmp-gateway/assets/swagger-ui/fetch.sh [--update]
set -euo pipefail
cd "$(dirname "$0")"

VERSION=5.35.0
FILES=(swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null && tar xzf "swagger-ui-dist-$VERSION.tgz")
for f in "${FILES[@]}"; do
    cp "$work/package/$f" "$f"
done
echo "$VERSION" > VERSION
if [[ "${1:-}" == "--update" ]]; then
    sha256sum "${FILES[@]}" > SHA256SUMS
fi
sha256sum -c --quiet SHA256SUMS
echo "swagger-ui-dist $VERSION: ${FILES[*]}"
