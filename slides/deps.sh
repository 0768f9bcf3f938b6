#!/bin/sh
# Install what `make slides` needs, if any is missing: Graphviz and fonts from Debian, and Node.js
# with npm (Debian's nodejs and npm, unless a node >= 18 with npm is already on PATH).
# `deps.sh --chromium` also installs Debian's chromium, which PDF output and the slide tests need.
# Packages are installed by the kit's grader/deps.sh (as root, with sudo, or it prints the command).
set -u
here=$(dirname "$0")
packages="graphviz fonts-dejavu-core"
[ "${1:-}" = "--chromium" ] && packages="$packages chromium"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    packages="$packages nodejs npm"
fi
"$here/../grader/deps.sh" $packages || exit 1
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
    echo "slides: Marp CLI needs Node.js 18 or newer; this node is $(node --version)" >&2
    exit 1
fi
