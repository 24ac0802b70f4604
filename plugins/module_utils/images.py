# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the image modules share: looking images up, pulling with retries, reading the SDK's streams."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
import time
from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.client import APIError, TaskError, daemon_words
from ansible_collections.dockyard.docker.plugins.module_utils.image_ref import ImageReferenceError, parse
from ansible_collections.dockyard.docker.plugins.module_utils.resources import inspected
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

# The options every module that talks to a registry takes, documented in the registry_auth fragment.
AUTH_ARGS: dict[str, dict[str, Any]] = {
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
}


# The options of the modules that write an archive on the target.
ARCHIVE_ARGS: dict[str, dict[str, Any]] = {
    "path": {"type": "path", "required": True},
    "mode": {"type": "raw", "default": "0644"},
}


class StreamError(Exception):
    """An error the daemon reported inside a pull or push stream (the SDK does not raise these)."""


def checked_reference(reference: str, option: str = "name") -> dict[str, Any]:
    """The parsed reference; SpecError names the option and what is wrong, before anything is touched."""
    try:
        return parse(reference)
    except ImageReferenceError as exc:
        raise SpecError(f"{option}: {exc}") from None


def find_image(client, reference: str) -> dict[str, Any] | None:
    return inspected(client.inspect_image, reference)


def repo_digest(image: dict[str, Any] | None, ref: dict[str, Any]) -> str | None:
    """The digest the registry gave ``image`` under ``ref``'s repository, if it came from there."""
    for digest in (image or {}).get("RepoDigests") or []:
        if digest.split("@")[0] in (ref["name"], ref["familiar"].split(":")[0].split("@")[0]):
            return digest.split("@", 1)[1]
    return None


def image_summary(image: dict[str, Any] | None) -> dict[str, Any] | None:
    if image is None:
        return None
    config = image.get("Config") or {}
    return {
        "id": image.get("Id"),
        "tags": image.get("RepoTags") or [],
        "digests": image.get("RepoDigests") or [],
        "created": image.get("Created"),
        "size": image.get("Size"),
        "architecture": image.get("Architecture"),
        "os": image.get("Os"),
        "labels": config.get("Labels") or {},
        "cmd": config.get("Cmd"),
        "entrypoint": config.get("Entrypoint"),
        "env": config.get("Env") or [],
    }


def auth_config(params: dict[str, Any]) -> dict[str, str] | None:
    if params.get("username"):
        return {"username": params["username"], "password": params.get("password") or ""}
    return None


def consume(stream) -> list[dict[str, Any]]:
    """Read a decoded pull/push stream to its end; raise StreamError on an error line."""
    lines = []
    for line in stream:
        if "error" in line or "errorDetail" in line:
            detail = line.get("errorDetail") or {}
            raise StreamError(detail.get("message") or line.get("error"))
        lines.append(line)
    return lines


# containerd's image store fails a commit that runs beside another commit of containers of the same image
# ("failed to export layer: ... already exists" or "... lease does not exist", moby#44450); a later try goes through.
CONCURRENT_COMMIT = re.compile(r"failed to export layer: .*(already exists|lease does not exist)")
COMMIT_TRIES = 3


def commit(client, container_id: str, **options: Any) -> dict[str, Any]:
    """``client.commit`` (the API client), tried again when it meets the engine's concurrent-commit failure."""
    for attempt in range(COMMIT_TRIES):
        try:
            return client.commit(container_id, **options)
        except APIError as exc:
            if attempt + 1 == COMMIT_TRIES or not CONCURRENT_COMMIT.search(daemon_words(exc)):
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def retrying(action: Callable[[], Any], retries: int, failures: list[str] | None = None) -> Any:
    """``action()``; when the registry does not answer (or goes away mid-transfer), tried ``retries`` more
    times with backoff. Each failed attempt's reason is added to ``failures``."""
    delay = 1.0
    for attempt in range(retries + 1):
        try:
            return action()
        except (APIError, StreamError, OSError) as exc:
            if failures is not None:
                failures.append(daemon_words(exc))
            if attempt == retries or not _transient(exc):
                raise
            time.sleep(delay)
            delay *= 2
    return None  # unreachable: the last attempt returns or raises


def transfer_failed(doing: str, target: str, exc: Exception, failures: list[str]) -> TaskError:
    """The error for a pull or push that failed (``doing``: "pulling"), with how many tries it took."""
    why = daemon_words(exc)
    tries = f" after {len(failures)} attempts" if len(failures) > 1 else ""
    return TaskError(f"{doing} {target} failed{tries}: {why}", attempts=len(failures))


def pull(
    client,
    ref: dict[str, Any],
    platform: str | None,
    auth: dict[str, str] | None,
    retries: int,
    failures: list[str] | None = None,
) -> None:
    """Pull ``ref`` (by digest when it has one), retrying a registry that does not answer."""
    tag = ref["digest"] or ref["tag"]
    retrying(
        lambda: consume(
            client.pull(ref["name"], tag=tag, stream=True, decode=True, platform=platform, auth_config=auth)
        ),
        retries,
        failures,
    )


def _transient(exc: Exception) -> bool:
    """Worth another try: the registry did not answer. Not: it answered no (auth, unknown image)."""
    text = str(exc).lower()
    permanent = ("unauthorized", "denied", "not found", "manifest unknown", "no basic auth", "authentication required")
    return not any(word in text for word in permanent)


def archive_manifest(path: str) -> list[dict[str, Any]]:
    """[{"id": "sha256:...", "ids": [...], "tags": [...]}] of a `docker save` archive (classic or OCI layout).

    ``id`` is the image's config digest, its ID in the classic store; ``ids`` adds the digests of the
    manifests (and indexes) that lead to that config, one of which is its ID in the containerd image store."""
    with tarfile.open(path) as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise ValueError(f"{path} has no manifest.json; it is not a docker save archive")
        manifest = json.load(member)
        leads_to = _oci_digests(archive)
        images = []
        for entry in manifest:
            config = "sha256:" + os.path.basename(entry["Config"]).replace(".json", "")
            ids = [config, *sorted(leads_to.get(config, ()))]
            image = {"id": config, "ids": ids, "tags": sorted(entry.get("RepoTags") or [])}
            images.append({**image, "identity": _identity(json.load(archive.extractfile(entry["Config"])))})
    return images


# What the containerd image store shows of an image loaded from an archive without the manifest it gives it
# an ID by: the layers, when and for which platform it was built, and how it runs.
IDENTITY_KEYS = ("Cmd", "Entrypoint", "Env", "Labels", "User", "WorkingDir")


def _identity(config: dict) -> dict:
    run = config.get("config") or {}
    return {
        "layers": (config.get("rootfs") or {}).get("diff_ids") or [],
        "created": config.get("created") or "",
        "platform": [config.get("architecture") or "", config.get("os") or ""],
        "run": {key: run.get(key) or None for key in IDENTITY_KEYS},
    }


def shown(images: list[dict]) -> list[dict]:
    """archive_manifest's images as the modules return them: IDs and tags."""
    return [{key: image[key] for key in ("id", "ids", "tags")} for image in images]


def same_image(found: dict | None, image: dict) -> bool:
    """Whether the image a tag names locally (inspect output) is the archive's ``image``: by ID in either
    store; in the containerd store, an image loaded from an archive without an OCI index gets the ID of a
    manifest made on load, so it is known by what the archive's config says instead."""
    if not found:
        return False
    if found.get("Id") in image["ids"]:
        return True
    identity = image.get("identity") or {}
    run = found.get("Config") or {}
    return bool(identity.get("layers")) and identity == {
        "layers": (found.get("RootFS") or {}).get("Layers") or [],
        "created": found.get("Created") or "",
        "platform": [found.get("Architecture") or "", found.get("Os") or ""],
        "run": {key: run.get(key) or None for key in IDENTITY_KEYS},
    }


def _oci_digests(archive: tarfile.TarFile) -> dict[str, set[str]]:
    """Config digest -> the digests of the index.json entries and manifests that lead to it."""

    def blob(digest: str) -> dict | None:
        try:
            member = archive.extractfile("blobs/" + digest.replace(":", "/", 1))
        except KeyError:
            return None
        return json.load(member) if member else None

    def configs(digest: str, depth: int = 0) -> set[str]:
        found = blob(digest) or {}
        if "config" in found:
            return {found["config"].get("digest", "")}
        if depth > 3:  # an index of indexes goes no deeper in practice
            return set()
        return {c for m in found.get("manifests") or [] for c in configs(m.get("digest", ""), depth + 1)}

    try:
        member = archive.extractfile("index.json")
    except KeyError:
        return {}
    leads_to: dict[str, set[str]] = {}
    for top in (json.load(member) if member else {}).get("manifests") or []:
        for config in configs(top.get("digest", "")):
            chain = {top.get("digest", "")}
            index = blob(top.get("digest", "")) or {}
            chain |= {
                m.get("digest", "") for m in index.get("manifests") or [] if config in configs(m.get("digest", ""), 1)
            }
            leads_to.setdefault(config, set()).update(d for d in chain if d)
    return leads_to


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_directory(path: str) -> str:
    """The directory an archive goes to; SpecError, before anything is written, when it is missing."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise SpecError(f"path: the directory {directory} does not exist")
    return directory


def replace_unless_same(module, staged: str, path: str, mode, same: bool) -> bool:
    """Move ``staged`` over ``path`` unless it holds the same (or in check mode); return whether it would change."""
    if same or module.check_mode:
        os.unlink(staged)
        return not same
    module.atomic_move(staged, path)
    module.set_mode_if_different(path, mode, False)
    return True
