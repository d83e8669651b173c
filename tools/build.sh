#!/usr/bin/env bash
# Builds a test tool once per version into the user cache and links it into bin/.
# Usage: tools/build.sh tofu|vaultdev|tfplugindocs
# A fresh clone (CI's) finds the cached binary and does not rebuild it; a new version
# (tools/<name>/VERSION or its go.sum changed) builds into a new cache folder.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: tools/build.sh NAME}
dir=tools/$name
[ -d "$dir" ] || { echo "tools/build.sh: no tool '$name' in tools/" >&2; exit 2; }
# The cache key is the tool's module definition: any change to go.mod/go.sum/sources rebuilds.
key=$(cat "$dir"/go.mod "$dir"/go.sum $(find "$dir" -name '*.go' | sort) 2>/dev/null | sha256sum | cut -c1-12)
cache=${CIEM_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ciem/tools}/$name-$key
mkdir -p bin
if [ ! -x "$cache/$name" ]; then
  echo "tools/build.sh: building $name into $cache (first time only; OpenTofu takes 5-12 minutes on 2 cores)" >&2
  mkdir -p "$cache"
  case $name in
    tofu) pkg=github.com/opentofu/opentofu/cmd/tofu ;;
    tfplugindocs) pkg=github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs ;;
    *)    pkg=. ;;
  esac
  (cd "$dir" && go build -trimpath -o "$cache/$name.tmp" "$pkg")
  mv "$cache/$name.tmp" "$cache/$name"
fi
ln -sf "$cache/$name" "bin/$name"
echo "bin/$name -> $cache/$name"
