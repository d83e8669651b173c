#!/usr/bin/env bash
# Generates the provider's documentation with tfplugindocs from examples/ and templates/.
# Usage: tools/docs.sh [DOCS_DIR]   (default: docs/; `make docs` runs it)
#
# tfplugindocs builds and runs `terraform` itself unless given a schema, and a terraform
# symlink to tofu does not work (it lays plugins out under registry.terraform.io), so the
# schema comes from OpenTofu here: the provider is built into a temporary folder, a CLI
# config's dev_overrides points registry.terraform.io/hashicorp/ciem at it, and
# `tofu providers schema -json` (no init needed) writes the schema tfplugindocs reads.
# Generation runs in a temporary copy of examples/ and templates/, and only the files
# tfplugindocs owns (index.md, resources/, data-sources/, functions/, ...) are replaced
# in DOCS_DIR: other pages there (docs/policy-validation.md) are left alone.
# Needs bin/tofu and bin/tfplugindocs: make tools.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-docs}
for tool in tofu tfplugindocs; do
  [[ -x bin/$tool ]] || { echo "tools/docs.sh: bin/$tool missing: run make tools" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins" "$work/schema" "$work/site"

go build -o "$work/plugins/terraform-provider-ciem" .
cat >"$work/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/hashicorp/ciem" = "$work/plugins"
  }
  direct {}
}
RC
cat >"$work/schema/main.tf" <<'TF'
terraform {
  required_providers {
    ciem = { source = "registry.terraform.io/hashicorp/ciem" }
  }
}
TF
(cd "$work/schema" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" "$root/bin/tofu" providers schema -json) >"$work/schema.json" 2>"$work/tofu.err" ||
  { cat "$work/tofu.err" >&2; exit 1; }

cp -r examples templates "$work/site/"
# tfplugindocs needs a Go module at the provider dir only to build the provider, which the
# schema file makes unnecessary; it still reads the folder's name.
(cd "$work/site" && "$root/bin/tfplugindocs" generate --provider-name ciem --providers-schema "$work/schema.json" \
  --rendered-website-dir docs >"$work/tfplugindocs.log" 2>&1) ||
  { cat "$work/tfplugindocs.log" >&2; exit 1; }

mkdir -p "$out"
# What tfplugindocs owns (its managedWebsiteSubDirectories and managedWebsiteFiles).
for name in index.md data-sources guides resources functions ephemeral-resources actions list-resources state-stores; do
  rm -rf "${out:?}/$name"
done
cp -r "$work/site/docs"/. "$out/"
echo "tools/docs.sh: wrote $(cd "$work/site/docs" && find . -type f | sort | sed 's|^\./||' | tr '\n' ' ')into $out" >&2
