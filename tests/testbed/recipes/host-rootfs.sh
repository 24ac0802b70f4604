#!/usr/bin/env bash
# Build the root filesystem of a booting Debian test host and import it as a Docker image.
# usage: host-rootfs.sh SUITE MIRROR IMAGE_TAG RECIPE_HASH [ENGINE_SUITE]
# The host boots systemd as PID 1, runs sshd (host keys made at first boot, so no two hosts
# share them) and has a user `dockyard` with password-less sudo, as a freshly provisioned
# cloud server would.
set -euo pipefail
suite=$1 mirror=$2 tag=$3 recipe=$4 engine_suite=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/../../../scripts/lib.sh"

packages=systemd,systemd-sysv,dbus,python3,python3-apt,openssh-server,sudo,ca-certificates,iproute2,procps,gnupg,curl,less
work=$(mktemp -d /var/tmp/dockyard-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
debian_rootfs "$suite" "$mirror" "$packages" "$work"

root=$work/rootfs
# The image must stay small and boot cleanly in a container.
# No package lists: a fresh server has to `apt-get update` first, and apt must know it.
rm -rf "$root"/etc/ssh/ssh_host_* "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
mkdir -p "$root/var/lib/apt/lists/partial"
: > "$root/etc/machine-id"
echo "deb $mirror $suite main" > "$root/etc/apt/sources.list"
# ENGINE_SUITE: the engine's packages come from that (newer) suite, pinned above the host's own; the rest of
# it stays below them. Its Release file may be past its Valid-Until on a mirror, hence the option.
if [ -n "$engine_suite" ]; then
  echo "deb [check-valid-until=no] $mirror $engine_suite main" > "$root/etc/apt/sources.list.d/$engine_suite.list"
  cat > "$root/etc/apt/preferences.d/dockyard-engine" <<PREFS
Package: *
Pin: release n=$engine_suite
Pin-Priority: 100

Package: docker.io docker-cli containerd runc docker-compose python3-docker tini tini-static
Pin: release n=$engine_suite
Pin-Priority: 990
PREFS
fi
mkdir -p "$root/etc/systemd/system/ssh.service.d"
cat > "$root/etc/systemd/system/ssh.service.d/dockyard-hostkeys.conf" <<'UNIT'
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
UNIT
# Units that only make sense on a real console or kernel.
for unit in getty@tty1.service console-getty.service systemd-udevd.service systemd-udev-trigger.service \
            systemd-modules-load.service sys-kernel-config.mount sys-kernel-debug.mount; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
ln -sf /lib/systemd/system/ssh.service "$root/etc/systemd/system/multi-user.target.wants/ssh.service"
chroot "$root" useradd --create-home --shell /bin/bash --uid 1000 dockyard
install -d -m 0700 -o 1000 -g 1000 "$root/home/dockyard/.ssh"
echo 'dockyard ALL=(ALL) NOPASSWD: ALL' > "$root/etc/sudoers.d/dockyard"
chmod 0440 "$root/etc/sudoers.d/dockyard"

step "importing $tag"
tar -C "$root" -c . | docker import \
  --change 'CMD ["/sbin/init"]' \
  --change 'ENV container=docker' \
  --change "LABEL dockyard.testbed.recipe=$recipe" \
  - "$tag" > /dev/null
