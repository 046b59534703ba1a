#!/usr/bin/env bash
# Regenerates docs/workflow-petition-v1.dot and .svg from the shipped definition (needs a build and
# Graphviz). A test fails when the committed .dot falls out of step with the definition.
set -euo pipefail
cd "$(dirname "$0")/.."
for file in schemas/workflows/*.yaml; do
  name=$(basename "$file" .yaml)
  build/server/petitiond workflow graph "$file" > "docs/workflow-$name.dot"
  dot -Tsvg "docs/workflow-$name.dot" -o "docs/workflow-$name.svg"
  echo "wrote docs/workflow-$name.dot and .svg"
done
