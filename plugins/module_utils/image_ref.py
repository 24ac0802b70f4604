# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Image references as Docker reads them: `[registry[:port]/][namespace/]name[:tag][@digest]`.

The rules are Docker's own (the distribution reference grammar and its normalisation): the first
component is a registry only when it has a dot or a port or is `localhost`; no registry means
Docker Hub (`docker.io`), whose one-component names live under `library/`; no tag and no digest
means `latest`.
"""

from __future__ import annotations

import re
from typing import Any

DEFAULT_REGISTRY = "docker.io"
LEGACY_REGISTRIES = ("index.docker.io", "registry-1.docker.io")
OFFICIAL_NAMESPACE = "library"
DEFAULT_TAG = "latest"
NAME_MAX = 255

_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Fa-f0-9]{32,}$")
_DOMAIN = re.compile(
    r"^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
    r"(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*)(?::[0-9]+)?$"
)


class ImageReferenceError(ValueError):
    """A reference Docker would refuse; the message names it and says why."""


def _is_registry(first: str) -> bool:
    # Docker's rule: a dot, a port, localhost, or any uppercase (repository names are lowercase).
    return "." in first or ":" in first or first == "localhost" or first.lower() != first or first.startswith("[")


def _split_suffixes(reference: str) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of ``reference``, each checked."""
    ref, digest = reference, None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        if not _DIGEST.match(digest):
            raise ImageReferenceError(f"{reference!r}: {digest!r} is not a digest; write sha256: and 64 hex digits")
    tag = None
    colon = ref.rfind(":")
    if colon > ref.rfind("/"):
        ref, tag = ref[:colon], ref[colon + 1 :]
        if not _TAG.match(tag):
            raise ImageReferenceError(
                f"{reference!r}: {tag!r} is not a valid tag "
                "(letters, digits, _ . -, up to 128 characters, not starting with . or -)"
            )
    return ref, tag, digest


def _split_registry(reference: str, name: str) -> tuple[str, list[str]]:
    """(registry, path components), with Docker Hub's defaults applied."""
    parts = name.split("/")
    registry = DEFAULT_REGISTRY
    if len(parts) > 1 and _is_registry(parts[0]):
        registry = parts.pop(0)
        if not _DOMAIN.match(registry):
            raise ImageReferenceError(f"{reference!r}: {registry!r} is not a registry host[:port]")
    if registry in LEGACY_REGISTRIES:
        registry = DEFAULT_REGISTRY
    for component in parts:
        if not _COMPONENT.match(component):
            why = "must be lowercase" if component.lower() != component else "has characters Docker does not allow"
            raise ImageReferenceError(f"{reference!r}: repository name component {component!r} {why}")
    if registry == DEFAULT_REGISTRY and len(parts) == 1:
        parts.insert(0, OFFICIAL_NAMESPACE)
    return registry, parts


def _familiar(registry: str, parts: list[str]) -> str:
    """How `docker images` prints a name: no docker.io/, and no library/ for official images."""
    if registry != DEFAULT_REGISTRY:
        return "/".join([registry, *parts])
    if len(parts) == 2 and parts[0] == OFFICIAL_NAMESPACE:
        return parts[1]
    return "/".join(parts)


def parse(reference: Any) -> dict[str, Any]:
    """Split and normalise ``reference``; raise ImageReferenceError when Docker would refuse it."""
    if not isinstance(reference, str) or not reference:
        raise ImageReferenceError(f"{reference!r} is not an image reference; write name[:tag], like nginx:1.27")
    bare, tag, digest = _split_suffixes(reference)
    registry, parts = _split_registry(reference, bare)
    path = "/".join(parts)
    name = f"{registry}/{path}"
    if len(name) > NAME_MAX:
        raise ImageReferenceError(f"{reference!r}: the repository name is longer than {NAME_MAX} characters")
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    suffix = (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    return {
        "registry": registry,
        "namespace": "/".join(parts[:-1]),
        "repository": parts[-1],
        "path": path,
        "name": name,
        "tag": tag,
        "digest": digest,
        "full": name + suffix,
        "familiar": _familiar(registry, parts) + suffix,
    }
