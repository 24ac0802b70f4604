# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The images a Compose project builds (services with ``build:``), built only when what goes into them changed.

Whether an image is built again is decided by a fingerprint: a SHA-256 of the build settings (the Dockerfile's
text, args, target, labels, network, extra hosts, shm size, cache_from) and of every file the build context sends
(its path, mode and content, with the context's .dockerignore applied as the engine applies it; a remote context
by its URL alone). The fingerprint is kept on the image, as the label ``dockyard.docker.build-fingerprint``: a run
that finds it on the image of the service's name builds nothing. A rebuild still has the engine's layer cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, byte_size, key_value_pairs

FINGERPRINT_LABEL = "dockyard.docker.build-fingerprint"
KEYS = ("context", "dockerfile", "dockerfile_inline", "args", "target", "labels", "network", "extra_hosts",
        "shm_size", "cache_from", "no_cache", "pull")  # fmt: skip
# Build keys that only BuildKit (docker buildx) gives; the engine's own builder, which the SDK drives, has none.
BUILDKIT_ONLY = ("ssh", "secrets", "platforms", "additional_contexts", "cache_to", "tags", "privileged",
                 "entitlements", "provenance", "sbom", "ulimits", "isolation")  # fmt: skip
REMOTE_CONTEXT = re.compile(r"^(https?://|git://|git@|github\.com/)")


def build_settings(value: Any, image: str, directory: str, path: str) -> dict[str, Any]:
    """A service's ``build`` (a context, or a mapping) as the settings a build takes, checked before anything is
    touched: a relative context from the project's directory, which must hold the Dockerfile."""
    given = {"context": value} if isinstance(value, str) else value
    if not isinstance(given, dict):
        raise SpecError(f"{path}: {value!r} is neither a context nor a mapping")
    for key in given:
        if key in BUILDKIT_ONLY:
            raise SpecError(f"{path}.{key}: needs BuildKit (docker buildx), which this module does not drive; "
                            f"build the image with docker buildx bake and name it in image")  # fmt: skip
        if key not in KEYS:
            raise SpecError(f"{path}.{key}: not a build key this module supports ({', '.join(KEYS)})")
    context = str(given.get("context") or ".")
    remote = bool(REMOTE_CONTEXT.match(context))
    if not remote:
        if not os.path.isabs(context) and not directory:
            raise SpecError(f"{path}.context: {context!r} is relative, and a definition has no project directory")
        context = os.path.normpath(os.path.join(directory, os.path.expanduser(context)))
        if not os.path.isdir(context):
            raise SpecError(f"{path}.context: {context} does not exist or is not a directory")
    dockerfile = str(given.get("dockerfile") or "Dockerfile")
    if given.get("dockerfile_inline") is not None and given.get("dockerfile"):
        raise SpecError(f"{path}: give dockerfile or dockerfile_inline, not both")
    if not remote and given.get("dockerfile_inline") is None:
        if not os.path.isfile(os.path.join(context, dockerfile)):
            raise SpecError(f"{path}.dockerfile: {os.path.join(context, dockerfile)} does not exist")
    return {
        "image": image,
        "where": path,
        "context": context,
        "remote": remote,
        "dockerfile": dockerfile,
        "dockerfile_inline": None if given.get("dockerfile_inline") is None else str(given["dockerfile_inline"]),
        "args": key_value_pairs(given.get("args") or {}, f"{path}.args"),
        "target": given.get("target"),
        "labels": key_value_pairs(given.get("labels") or {}, f"{path}.labels"),
        "network": given.get("network"),
        "extra_hosts": key_value_pairs(given.get("extra_hosts") or {}, f"{path}.extra_hosts", ":"),
        "shm_size": byte_size(given["shm_size"], f"{path}.shm_size") if given.get("shm_size") else None,
        "cache_from": [str(c) for c in given.get("cache_from") or []],
        "no_cache": bool(given.get("no_cache")),
        "pull": bool(given.get("pull")),
    }


def _sdk_build_utils():
    """The SDK's reading of a context (.dockerignore as the engine reads it); on the controller it may be missing."""
    try:
        from docker.api import build as api_build  # noqa: PLC0415
        from docker.utils import build as utils_build  # noqa: PLC0415
    except ImportError:
        raise SpecError("building from a context on the controller needs the Docker SDK for Python there (pip install"
                        " docker), which reads .dockerignore as the engine does; or keep the project on the host"
                        " (remote_src: true)") from None  # fmt: skip
    return api_build, utils_build


def ignore_patterns(context: str) -> list[str]:
    """The context's .dockerignore patterns, read as the SDK reads them before it sends the context."""
    ignore = os.path.join(context, ".dockerignore")
    if not os.path.isfile(ignore):
        return []
    with open(ignore, encoding="utf-8") as handle:
        return [line.strip() for line in handle.read().splitlines() if line.strip() and not line.strip()[0] == "#"]


def _context_digest(context: str, dockerfile: str) -> str:
    """Every file and directory the context sends, by path, mode and content (.dockerignore applied)."""
    _api, utils_build = _sdk_build_utils()
    digest = hashlib.sha256()
    for relative in sorted(utils_build.exclude_paths(context, ignore_patterns(context), dockerfile=dockerfile)):
        full = os.path.join(context, relative)
        info = os.lstat(full)
        digest.update(f"{relative}\0{stat.S_IMODE(info.st_mode):o}\0".encode())
        if stat.S_ISLNK(info.st_mode):
            digest.update(os.readlink(full).encode())
        elif stat.S_ISREG(info.st_mode):
            with open(full, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def fingerprint(build: dict[str, Any]) -> str:
    """What the image is built from, as one digest (see the module's docstring)."""
    settings = {k: v for k, v in build.items() if k not in ("image", "where", "no_cache", "pull", "always")}
    if not build["remote"]:
        settings["files"] = _context_digest(build["context"], build["dockerfile"])
        if build["dockerfile_inline"] is None:  # the Dockerfile may sit outside the context, or be ignored by it
            with open(os.path.join(build["context"], build["dockerfile"]), "rb") as handle:
                settings["dockerfile_text"] = hashlib.sha256(handle.read()).hexdigest()
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def context_archive(settings: dict[str, Any], out) -> str:
    """Write the build's context to ``out`` as the SDK sends it to the engine (.dockerignore applied, a Dockerfile
    from outside the context or inline added to it), for a build whose context is on the controller; the
    Dockerfile's name inside the archive."""
    api_build, utils_build = _sdk_build_utils()
    context = settings["context"]
    if settings["dockerfile_inline"] is not None:
        name = ".dockerfile." + hashlib.sha256(settings["dockerfile_inline"].encode()).hexdigest()[:40]
        dockerfile = (name, settings["dockerfile_inline"])
    else:
        dockerfile = api_build.process_dockerfile(settings["dockerfile"], context)
    utils_build.tar(context, exclude=ignore_patterns(context), dockerfile=dockerfile, fileobj=out)
    return dockerfile[0]
