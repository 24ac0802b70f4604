# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a registry keeps its blobs: the role's registry_storage* and registry_s3_* variables turned into the
storage driver and its settings as the registry's config.yml writes them (``storage.<driver>``), with every bad
value named by its variable. The registry role (through the registry_storage filter) and the
registry_storage_copy module read the same settings, so that a bucket means one thing to both.
"""

from __future__ import annotations

import re
from typing import Any

# The blobs and repositories of a registry, under its root, on every driver.
TREE = "docker/registry/v2"
# S3 takes no multipart part under 5 MiB.
S3_MIN_CHUNK = 5 << 20
# A bucket name as S3 takes it (3-63 lowercase letters, digits, dots and dashes).
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Settings that belong to config.yml's storage section, not to a driver's.
NOT_DRIVERS = ("delete", "maintenance", "cache", "redirect")


def _s3(v: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    bucket, endpoint = str(v.get("registry_s3_bucket") or ""), str(v.get("registry_s3_endpoint") or "")
    if not bucket:
        problems.append("registry_storage: s3 needs registry_s3_bucket")
    elif not BUCKET.match(bucket):
        problems.append(f"registry_s3_bucket: {bucket!r} is not a bucket name (3-63 lowercase letters, digits, . -)")
    if endpoint and not re.match(r"^https?://[^/ ]+/?$", endpoint):
        problems.append(f"registry_s3_endpoint: {endpoint!r} is not a URL; write https://host[:port]")
    access, secret = v.get("registry_s3_access_key") or "", v.get("registry_s3_secret_key") or ""
    if bool(access) != bool(secret):
        problems.append("registry_s3_access_key and registry_s3_secret_key go together (or neither, for the host's"
                        " own credentials)")  # fmt: skip
    chunk = v.get("registry_s3_chunk_size") or 0
    if not str(chunk).isdigit() or 0 < int(chunk) < S3_MIN_CHUNK:
        problems.append(f"registry_s3_chunk_size: {chunk!r} is under S3's 5 MiB ({S3_MIN_CHUNK}); 0 for the default")
    settings = {"region": str(v.get("registry_s3_region") or "us-east-1"), "bucket": bucket}
    optional = {
        "regionendpoint": endpoint.rstrip("/"),
        "forcepathstyle": bool(v.get("registry_s3_path_style")),
        "accesskey": access,
        "secretkey": secret,
        "encrypt": bool(v.get("registry_s3_encrypt")),
        "chunksize": int(chunk) if str(chunk).isdigit() else 0,
        "rootdirectory": str(v.get("registry_s3_root_directory") or ""),
    }
    settings.update({key: value for key, value in optional.items() if value})
    return settings


def storage_plan(v: dict[str, Any]) -> dict[str, Any]:
    """{driver, settings, problems, current}: what config.yml's storage section names, from the role's variables;
    ``current`` the driver the registry's config.yml names now (``storage_now``, its storage section), if any."""
    driver = str(v.get("registry_storage") or "filesystem")
    problems: list[str] = []
    options = v.get("registry_storage_options") or {}
    if driver == "filesystem":
        settings: dict[str, Any] = {"rootdirectory": "/var/lib/registry"}
    elif driver == "s3":
        settings = _s3(v, problems)
    elif not re.match(r"^[a-z][a-z0-9_-]*$", driver) or driver in NOT_DRIVERS:
        problems.append(f"registry_storage: {driver!r} is not a storage driver (filesystem, s3, or one the registry"
                        " image has, with registry_storage_options)")  # fmt: skip
        settings = {}
    elif not isinstance(options, dict) or not options:
        problems.append(f"registry_storage: {driver} needs its settings in registry_storage_options (a mapping)")
        settings = {}
    else:
        settings = dict(options)
    if v.get("registry_storage_volume") and driver != "filesystem":
        problems.append(f"registry_storage_volume: a volume holds filesystem storage; registry_storage is {driver}")
    now = v.get("storage_now") or {}
    current = next((key for key in now if key not in NOT_DRIVERS), None)
    return {"driver": driver, "settings": settings, "problems": problems, "current": current}


def object_key(settings: dict[str, Any], relative: str) -> str:
    """The S3 key of a file of the registry's tree (``relative`` to its root), as the s3 driver names it."""
    prefix = str(settings.get("rootdirectory") or "").strip("/")
    return f"{prefix}/{relative}" if prefix else relative
