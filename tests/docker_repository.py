"""A local apt repository laid out as Docker's is (download.docker.com/linux/debian), for the engine role's
docker and mirror package sources on booted hosts.

Docker's repository cannot be reached here, so its packages are rebuilt from Debian's binaries under
Docker's names and versions: docker-ce and docker-ce-cli 28.5.2 from forky's docker.io and docker-cli,
26.1.5 from trixie's; containerd.io from forky's containerd with bookworm's runc (forky's needs glibc
2.38); docker-compose-plugin and docker-buildx-plugin from forky. The units and maintainer scripts do
what Docker's do: start the engine on install, restart it on upgrade, stop it on removal. The Release
files are signed on the controller with a key made in the test, which ``Repository.rotate`` replaces.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

# codename -> (Debian release number, the docker-ce versions its tree holds)
TREES = {"bookworm": ("12", ("26.1.5", "28.5.2")), "trixie": ("13", ("28.5.2",))}
CONTAINERD, COMPOSE, BUILDX = "2.1.9", "2.40.3", "0.29.1"

# Run as root in a container of dockyard-testbed/debian12, which reaches this machine's Debian mirror;
# /out is the repository's root (what https://download.docker.com is).
BUILD = r"""set -eu
retry() { for pause in 5 10 20 40 0; do "$@" && return 0; [ "$pause" = 0 ] && return 1; sleep "$pause"; done; }
mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
echo "deb $mirror trixie main" > /etc/apt/sources.list.d/trixie.list
# forky's Release file is past its Valid-Until on some mirrors
echo "deb [check-valid-until=no] $mirror forky main" > /etc/apt/sources.list.d/forky.list
retry apt-get update -q >/dev/null
retry apt-get install -q -y --no-install-recommends apt-utils >/dev/null
mkdir -p /work/debs && cd /work/debs
retry apt-get download -q docker.io/forky docker-cli/forky containerd/forky docker-compose/forky \
  docker-buildx/forky docker.io/trixie docker-cli/trixie runc/bookworm tini/bookworm 2>/dev/null
cd /work
for name in engine-28.5.2:docker.io_28 cli-28.5.2:docker-cli_28 engine-26.1.5:docker.io_26 cli-26.1.5:docker-cli_26 \
    containerd:containerd_ runc:runc_ tini:tini_ compose:docker-compose_ buildx:docker-buildx_; do
  mkdir -p "x/${name%%:*}" && dpkg-deb -x debs/"${name#*:}"*.deb "x/${name%%:*}"
done
cat > docker.service <<'EOF'
[Unit]
Description=Docker Application Container Engine
After=network-online.target docker.socket firewalld.service containerd.service time-set.target
Wants=network-online.target containerd.service
Requires=docker.socket

[Service]
Type=notify
ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
ExecReload=/bin/kill -s HUP $MAINPID
TimeoutStartSec=0
RestartSec=2
Restart=always
StartLimitBurst=3
StartLimitInterval=60s
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
Delegate=yes
KillMode=process
OOMScoreAdjust=-500

[Install]
WantedBy=multi-user.target
EOF
cat > docker.socket <<'EOF'
[Unit]
Description=Docker Socket for the API

[Socket]
ListenStream=/run/docker.sock
SocketMode=0660
SocketUser=root
SocketGroup=docker

[Install]
WantedBy=sockets.target
EOF
# $1 package, $2 version, $3 root; the rest of the control file on stdin
pack() {
  mkdir -p "$3/DEBIAN"
  { printf 'Package: %s\nVersion: %s\nArchitecture: amd64\n' "$1" "$2"
    printf 'Maintainer: dockyard.docker tests <tests@dockyard.invalid>\n'
    cat
    printf 'Description: %s, rebuilt for the dockyard.docker tests from Debian binaries\n' "$1"; } > "$3/DEBIAN/control"
  dpkg-deb -Zgzip -z1 --root-owner-group -b "$3" "$pool/$1_${2#*:}_amd64.deb" >/dev/null
}
# $1 unit names to enable and start on install, restart on upgrade and stop on removal
scripts() {
  mkdir -p "$root/DEBIAN"
  printf '#!/bin/sh\nset -e\n[ "$1" = configure ] || exit 0\n%s\n[ -d /run/systemd/system ] || exit 0\n' \
    'getent group docker >/dev/null || groupadd --system docker' > "$root/DEBIAN/postinst"
  printf 'systemctl daemon-reload\nsystemctl enable %s >/dev/null 2>&1 || true\n' "$1" >> "$root/DEBIAN/postinst"
  printf 'if [ -n "${2:-}" ]; then systemctl restart %s; else systemctl start %s; fi\n' "$1" "$1" \
    >> "$root/DEBIAN/postinst"
  printf '#!/bin/sh\nset -e\n[ "$1" = remove ] && [ -d /run/systemd/system ] && systemctl stop %s || true\n' "$1" \
    > "$root/DEBIAN/prerm"
  chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm"
}
for tree in TREES; do
  codename=${tree%%:*} number=$(echo "$tree" | cut -d: -f2) versions=$(echo "$tree" | cut -d: -f3 | tr , ' ')
  suffix="1~debian.$number~$codename"
  pool="/out/linux/debian/dists/$codename/pool/stable/amd64"
  mkdir -p "$pool" "/out/linux/debian/dists/$codename/stable/binary-amd64"
  for version in $versions; do
    root="/work/pkg/docker-ce-$codename-$version" && mkdir -p "$root/usr/bin" "$root/usr/lib/systemd/system"
    cp "x/engine-$version/usr/sbin/dockerd" "x/engine-$version/usr/sbin/docker-proxy" "$root/usr/bin/"
    cp x/tini/usr/bin/tini-static "$root/usr/bin/docker-init"
    cp /work/docker.service /work/docker.socket "$root/usr/lib/systemd/system/"
    scripts "docker.socket docker.service"
    pack docker-ce "5:$version-$suffix" "$root" <<EOF
Depends: containerd.io (>= 1.7), docker-ce-cli, iptables, libc6 (>= 2.34), libsystemd0
Conflicts: docker.io, docker-engine
Replaces: docker.io, docker-engine
EOF
    root="/work/pkg/docker-ce-cli-$codename-$version" && mkdir -p "$root/usr/bin"
    cp "x/cli-$version/usr/bin/docker" "$root/usr/bin/"
    pack docker-ce-cli "5:$version-$suffix" "$root" <<EOF
Depends: libc6 (>= 2.34)
Conflicts: docker-cli, docker.io
Replaces: docker-cli, docker.io
EOF
  done
  root="/work/pkg/containerd-$codename" && mkdir -p "$root/usr/bin" "$root/usr/lib/systemd/system"
  for binary in containerd containerd-shim-runc-v2 ctr; do cp "x/containerd/usr/bin/$binary" "$root/usr/bin/"; done
  cp x/runc/usr/sbin/runc "$root/usr/bin/runc"
  cp x/containerd/usr/lib/systemd/system/containerd.service "$root/usr/lib/systemd/system/"
  scripts containerd.service
  pack containerd.io "CONTAINERD-1" "$root" <<EOF
Depends: libc6 (>= 2.34), libseccomp2
Provides: containerd, runc
Conflicts: containerd, runc
Replaces: containerd, runc
EOF
  for plugin in compose:docker-compose-plugin:COMPOSE buildx:docker-buildx-plugin:BUILDX; do
    root="/work/pkg/$plugin-$codename" && mkdir -p "$root/usr/libexec/docker/cli-plugins"
    cp "x/${plugin%%:*}/usr/libexec/docker/cli-plugins/docker-${plugin%%:*}" "$root/usr/libexec/docker/cli-plugins/"
    name=$(echo "$plugin" | cut -d: -f2) && pack "$name" "${plugin##*:}-$suffix" "$root" </dev/null
  done
  cd /out/linux/debian
  apt-ftparchive packages "dists/$codename/pool/stable/amd64" > "dists/$codename/stable/binary-amd64/Packages"
  gzip -k -f "dists/$codename/stable/binary-amd64/Packages"
  apt-ftparchive -o APT::FTPArchive::Release::Origin=Docker -o APT::FTPArchive::Release::Label=Docker \
    -o APT::FTPArchive::Release::Suite="$codename" -o APT::FTPArchive::Release::Codename="$codename" \
    -o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=stable \
    release "dists/$codename" > /work/Release && mv /work/Release "dists/$codename/Release"
  cd /work
done
"""


def build_script() -> str:
    trees = " ".join(f"{name}:{number}:{','.join(versions)}" for name, (number, versions) in TREES.items())
    return (
        BUILD.replace("for tree in TREES", f"for tree in {trees}")
        .replace("CONTAINERD-1", f"{CONTAINERD}-1")
        .replace("docker-compose-plugin:COMPOSE", f"docker-compose-plugin:{COMPOSE}")
        .replace("docker-buildx-plugin:BUILDX", f"docker-buildx-plugin:{BUILDX}")
    )


def version(docker_ce: str, codename: str) -> str:
    """docker-ce's full version in the tree of ``codename``: 5:28.5.2-1~debian.12~bookworm."""
    return f"5:{docker_ce}-1~debian.{TREES[codename][0]}~{codename}"


@dataclass
class Repository:
    """The tree on the controller, its signing key, and the servers that publish it."""

    root: Path
    work: Path
    generation: int = 0
    servers: list = field(default_factory=list)

    @property
    def key(self) -> Path:
        return self.root / "linux" / "debian" / "gpg"

    def rotate(self) -> None:
        """A new signing key: every Release signed again with it, and published at linux/debian/gpg."""
        self.generation += 1
        home = self.work / f"gnupg-{self.generation}"
        home.mkdir(mode=0o700)
        gpg = ["gpg", "--homedir", str(home), "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", ""]
        uid = f"dockyard test repository {self.generation} <repository-{self.generation}@dockyard.invalid>"
        subprocess.run([*gpg, "--quick-gen-key", uid, "ed25519", "sign", "never"], check=True, capture_output=True)
        for release in sorted(self.root.glob("linux/debian/dists/*/Release")):
            for signed, how in (("InRelease", "--clearsign"), ("Release.gpg", "--detach-sign")):
                (release.parent / signed).unlink(missing_ok=True)
                subprocess.run([*gpg, "--armor", how, "--output", str(release.parent / signed), str(release)],
                               check=True, capture_output=True)  # fmt: skip
        exported = subprocess.run([*gpg, "--armor", "--export"], check=True, capture_output=True).stdout
        self.key.write_bytes(exported)

    def serve(self, address: str, port: int = 0, certificate: tuple[Path, Path] | None = None) -> int:
        """Publish the tree over HTTP (or HTTPS with ``certificate``: cert and key files); returns the port."""
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        server = http.server.ThreadingHTTPServer((address, port), handler)
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(certificate[0]), str(certificate[1]))
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)
        return server.server_address[1]

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def build(docker_client, out: Path) -> Repository:
    """Build the tree into ``out``/root (in a container of the Debian 12 test image), signed with a first key."""
    root, work = out / "root", out / "work"
    root.mkdir(parents=True)
    work.mkdir()
    docker_client.containers.run(
        "dockyard-testbed/debian12", ["bash", "-c", build_script()],
        volumes={str(root): {"bind": "/out", "mode": "rw"}}, remove=True,
    )  # fmt: skip
    if not shutil.which("gpg"):
        raise RuntimeError("gpg is needed to sign the test repository (apt-get install gpg)")
    repository = Repository(root, work)
    repository.rotate()
    return repository
