#!/bin/sh
# Add the sandbox's fixed host names (netlab-*.test, from grader/sandbox/hosts) to this machine's
# /etc/hosts, for graders that cannot run bubblewrap (Gradescope's and GitHub's containers). Needs
# root; does nothing when the names are there already.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if grep -q 'netlab-multi\.test' /etc/hosts; then
    exit 0
fi
sed -E -n 's/ (localhost|ip6-localhost|ip6-loopback)//g; /netlab-/p' "$here/sandbox/hosts" >> /etc/hosts
