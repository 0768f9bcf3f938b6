#!/bin/sh
# Install the Debian packages the kit needs, if any is missing (`make deps`).
# As root it runs apt-get; with passwordless sudo it uses sudo; otherwise it prints the one
# command to run and exits 1. Extra packages for one target (slides, say) can be passed as arguments.
set -u
PACKAGES="build-essential pkg-config check valgrind libssl-dev openssl python3 python3-pytest
python3-pytest-timeout python3-pytest-xdist python3-yaml pyflakes3 bubblewrap patch socat netcat-openbsd clang nginx
libclang-rt-14-dev git curl python3-cryptography $*"

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: this kit expects Debian 12 (or a derivative); install these packages:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "deps: missing packages:$missing" >&2
    echo "deps: run this once, then try again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || exit 1
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2 || exit 1
