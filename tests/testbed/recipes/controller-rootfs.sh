#!/usr/bin/env bash
# Build a controller image: a Debian release whose Python is newer than this machine's, with the tools the test
# suite runs on a controller, for the ansible-core versions that need that Python (scripts/testbed controller).
# usage: controller-rootfs.sh SUITE MIRROR IMAGE_TAG RECIPE_HASH
set -euo pipefail
suite=$1 mirror=$2 tag=$3 recipe=$4
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/../../../scripts/lib.sh"

# python3-venv: the pinned set per version; openssh-client: reaching booted hosts; git, rsync, shellcheck:
# ansible-test sanity; apache2-utils, openssl, gnupg, iproute2: what the tests' fixtures call.
packages=python3,python3-venv,ca-certificates,openssh-client,git,rsync,shellcheck,apache2-utils,openssl,gnupg,iproute2
work=$(mktemp -d /var/tmp/dockyard-controller.XXXXXX)
trap 'rm -rf "$work"' EXIT
debian_rootfs "$suite" "$mirror" "$packages" "$work"
root=$work/rootfs
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

step "importing $tag"
tar -C "$root" -c . | docker import \
  --change "LABEL dockyard.testbed.recipe=$recipe" \
  - "$tag" > /dev/null
