"""Test images, built here (nothing can be pulled) and cached by a hash of their recipe.

Each image carries the label ``dockyard.testbed.recipe``; an image is rebuilt only when the hash
of the files and parameters that make it differs from that label.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker
from docker.errors import ImageNotFound

from .apt_sources import debian_mirror

RECIPES = Path(__file__).resolve().parent / "recipes"
RECIPE_LABEL = "dockyard.testbed.recipe"
_print_lock = threading.Lock()


def say(message: str) -> None:
    with _print_lock:
        print(f"testbed: {message}", flush=True)


@dataclass(frozen=True)
class Recipe:
    """How to make one image: the files it is built from, the parameters that matter, and the image it is built on
    (whose recipe is then part of this one's)."""

    tag: str
    files: tuple[str, ...]
    params: tuple[str, ...] = field(default=())
    base: str | None = None

    def digest(self) -> str:
        h = hashlib.sha256()
        for name in self.files:
            h.update(name.encode() + b"\0" + (RECIPES / name).read_bytes() + b"\0")
        for param in self.params:
            h.update(param.encode() + b"\0")
        return h.hexdigest()[:16]


HOST_RELEASES = {"debian11": "bullseye", "debian12": "bookworm", "debian13": "trixie", "debian13-docker28": "trixie"}
# Hosts whose engine comes from a newer suite by apt pinning: Debian 14's docker.io 28.5 with containerd 2.1
# runs on Debian 13 (forky's systemd cannot boot on this machine's cgroup v1 kernel; its engine can).
ENGINE_SUITES = {"debian13-docker28": "forky"}

RECIPES_BY_NAME: dict[str, Recipe] = {
    **{
        name: Recipe(f"dockyard-testbed/{name}:latest", ("host-rootfs.sh",), (suite, ENGINE_SUITES.get(name, "")))
        for name, suite in HOST_RELEASES.items()
    },
    # The busybox and registry images take their binaries from this machine's Debian packages;
    # the package versions are part of the recipe.
    "busybox": Recipe("dockyard-testbed/busybox:latest", ("busybox/Dockerfile",), ("pkg:busybox-static",)),
    "registry": Recipe(
        "dockyard-testbed/registry:2",
        ("registry/Dockerfile", "registry/config.yml"),
        ("pkg:docker-registry", "pkg:busybox-static"),
    ),
    # A controller whose Python (Debian 13's 3.13) runs the ansible-core versions this machine's 3.11 cannot.
    "controller": Recipe("dockyard-testbed/controller:trixie", ("controller-rootfs.sh",), ("trixie",)),
}
# A host with its release's docker.io and Docker SDK already installed (the daemon enabled, started at boot): the
# set-up of tests about something else than installing the engine, made once here instead of by apt on each host.
# The package lists are removed after, as on the base image. Debian 13's also carry its Compose v2 and PyYAML.
DOCKER_IO = "+docker.io"
DOCKER_IO_PACKAGES = {
    "debian11": ("docker.io", "python3-docker"),
    "debian12": ("docker.io", "python3-docker"),
    "debian13": ("docker.io", "python3-docker", "docker-cli", "docker-compose", "python3-yaml"),
    "debian13-docker28": ("docker.io", "python3-docker", "docker-cli", "docker-compose", "python3-yaml"),
}
RECIPES_BY_NAME.update(
    {
        f"{base}{DOCKER_IO}": Recipe(f"dockyard-testbed/{base}-docker.io:latest", (), packages, base=base)
        for base, packages in DOCKER_IO_PACKAGES.items()
    }
)
# What `scripts/testbed images` builds by default: the controller only when the matrix asks for it.
DEFAULT_IMAGES = [name for name in RECIPES_BY_NAME if name != "controller"]
# Set by `scripts/testbed controller`: the images were made on the machine before the controller started (which
# has neither debootstrap nor the packages a recipe names), and are used as they are.
PREBUILT = "DOCKYARD_TESTBED_PREBUILT"


def _package_version(package: str) -> str:
    return subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], check=True, capture_output=True, text=True
    ).stdout


def recipe_hash(name: str) -> str:
    recipe = RECIPES_BY_NAME[name]
    params = tuple(f"{p}={_package_version(p[4:])}" if p.startswith("pkg:") else p for p in recipe.params)
    if recipe.base:
        params = (f"base:{recipe.base}={recipe_hash(recipe.base)}", *params)
    return Recipe(recipe.tag, recipe.files, params).digest()


def _docker_build(client: docker.DockerClient, tag: str, digest: str, **source) -> None:
    """Build ``tag`` from a context (path=) or a lone Dockerfile (fileobj=), labelled with its recipe's digest.

    The low-level call: the SDK's images.build looks the result up by the short ID the build prints, which the
    containerd image store does not know the image by.
    """
    for chunk in client.api.build(tag=tag, labels={RECIPE_LABEL: digest}, rm=True, forcerm=True, decode=True,
                                  **source):  # fmt: skip
        if "error" in chunk:
            raise RuntimeError(f"building {tag}: {chunk['error']}")


def _cached(client: docker.DockerClient, tag: str, digest: str) -> bool:
    try:
        image = client.images.get(tag)
    except ImageNotFound:
        return False
    return (image.labels or {}).get(RECIPE_LABEL) == digest


def _build_host(name: str, digest: str) -> None:
    suite = HOST_RELEASES[name]
    argv = ["bash", str(RECIPES / "host-rootfs.sh"), suite, debian_mirror(), RECIPES_BY_NAME[name].tag, digest]
    subprocess.run([*argv, ENGINE_SUITES.get(name, "")], check=True)


def _build_controller(name: str, digest: str) -> None:
    suite = RECIPES_BY_NAME[name].params[0]
    argv = ["bash", str(RECIPES / "controller-rootfs.sh"), suite, debian_mirror(), RECIPES_BY_NAME[name].tag, digest]
    subprocess.run(argv, check=True)


def _build_with_docker_io(client: docker.DockerClient, name: str, digest: str) -> None:
    """The base host image with the release's engine packages installed by apt (retried: the network)."""
    recipe = RECIPES_BY_NAME[name]
    packages = " ".join(recipe.params)
    install = (
        "for try in 1 2 3 4; do apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
        f"--no-install-recommends {packages} && break; [ $try = 4 ] && exit 1; sleep $((try * 5)); done"
        " && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb && mkdir -p /var/lib/apt/lists/partial"
    )
    dockerfile = f"FROM {RECIPES_BY_NAME[recipe.base].tag}\nRUN {install}\n"
    _docker_build(client, recipe.tag, digest, fileobj=io.BytesIO(dockerfile.encode()))


def _build_from_dockerfile(client: docker.DockerClient, name: str, digest: str) -> None:
    recipe = RECIPES_BY_NAME[name]
    with tempfile.TemporaryDirectory(prefix=f"dockyard-{name}-") as ctx:
        context = Path(ctx)
        for file in recipe.files:
            shutil.copy(RECIPES / file, context / Path(file).name)
        if name == "busybox":
            shutil.copy("/bin/busybox", context / "busybox")
        else:
            _registry_rootfs(context / "rootfs")
        _docker_build(client, recipe.tag, digest, path=str(context))


def _registry_rootfs(root: Path) -> None:
    """The registry binary, the C library it links against, busybox, and our config."""
    binary = Path("/usr/bin/docker-registry")
    libs = subprocess.run(["ldd", str(binary)], check=True, capture_output=True, text=True).stdout
    paths = [binary, Path("/bin/busybox"), RECIPES / "registry" / "config.yml"]
    targets = [binary, Path("/bin/busybox"), Path("/etc/docker/registry/config.yml")]
    for line in libs.splitlines():
        lib = next((part for part in line.split() if part.startswith("/")), None)
        if lib:
            paths.append(Path(lib))
            targets.append(Path(lib))
    for source, target in zip(paths, targets):
        dest = root / target.relative_to("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, dest)
    for directory in ("tmp", "var/lib/registry", "etc/ssl/certs"):
        (root / directory).mkdir(parents=True, exist_ok=True)


def ensure_images(client: docker.DockerClient, names: list[str]) -> dict[str, str]:
    """Build whichever of ``names`` is missing or stale; return name -> tag.

    Host images (debootstrap, mostly network-bound) are built in parallel. Test workers that start together
    take turns (a lock file): two builds of one tag at once fail on containerd's image store ("already exists").
    """
    with (Path(tempfile.gettempdir()) / "dockyard-testbed-images.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            return _ensure_images(client, names)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_images(client: docker.DockerClient, names: list[str], bases_made: bool = False) -> dict[str, str]:
    if os.environ.get(PREBUILT):
        return _prebuilt(client, names)
    # An image built on another needs that one first: the others and the bases are made (in parallel), then what is
    # built on them.
    built_on = [name for name in names if RECIPES_BY_NAME[name].base]
    if built_on and not bases_made:
        bases = (RECIPES_BY_NAME[name].base for name in built_on)
        first = list(dict.fromkeys([*(n for n in names if n not in built_on), *bases]))
        return {**_ensure_images(client, first), **_ensure_images(client, built_on, bases_made=True)}
    todo = {}
    for name in names:
        digest = recipe_hash(name)
        if _cached(client, RECIPES_BY_NAME[name].tag, digest):
            say(f"image {name}: cached ({digest})")
        else:
            todo[name] = digest

    def build(name: str) -> None:
        say(f"image {name}: building ({todo[name]})")
        if RECIPES_BY_NAME[name].base:
            _build_with_docker_io(client, name, todo[name])
        elif name in HOST_RELEASES:
            _build_host(name, todo[name])
        elif name == "controller":
            _build_controller(name, todo[name])
        else:
            _build_from_dockerfile(client, name, todo[name])
        say(f"image {name}: built")

    workers = int(os.environ.get("DOCKYARD_BUILD_JOBS", "3"))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(build, name) for name in todo]:
            future.result()
    return {name: RECIPES_BY_NAME[name].tag for name in names}


def _prebuilt(client: docker.DockerClient, names: list[str]) -> dict[str, str]:
    tags = {name: RECIPES_BY_NAME[name].tag for name in names}
    for name, tag in tags.items():
        try:
            client.images.get(tag)
        except ImageNotFound:
            raise RuntimeError(f"image {name} ({tag}) was not built before the controller started") from None
    return tags
