# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files written whole: staged beside their destination and renamed over it, so that a reader sees
the old file or the new one, never half of one, and a private file is never readable on the way."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterable


def stage(directory: str, prefix: str, chunks: Iterable[bytes]) -> str:
    """Write ``chunks`` to a new temporary file (mode 0600) in ``directory``, so that a later move is atomic."""
    handle, staged = tempfile.mkstemp(dir=directory, prefix=prefix)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
    except BaseException:
        os.unlink(staged)
        raise
    return staged


def replace_file(path: str, data: bytes, mode: int, owner: tuple[int, int] | None = None) -> None:
    """Put ``data`` at ``path`` with ``mode`` (and ``owner`` uid, gid), set before the rename."""
    staged = stage(os.path.dirname(path) or ".", f".{os.path.basename(path)}.", [data])
    try:
        os.chmod(staged, mode)
        if owner:
            os.chown(staged, *owner)
        os.replace(staged, path)
    except BaseException:
        if os.path.exists(staged):
            os.unlink(staged)
        raise


def backup(path: str, keep: int) -> str:
    """A copy of ``path`` beside it, ``<name>.<pid>.<date@time>~`` as Ansible names backups, written whole
    or not at all (a full disk leaves no empty copy behind); then only the newest ``keep`` copies stay."""
    with open(path, "rb") as handle:
        data = handle.read()
    status = os.stat(path)
    name = f"{path}.{os.getpid()}.{time.strftime('%Y-%m-%d@%H:%M:%S')}~"
    replace_file(name, data, status.st_mode & 0o7777, (status.st_uid, status.st_gid))
    directory, base = os.path.split(path)
    pattern = re.compile(re.escape(base) + r"\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$")
    copies = sorted((f for f in os.listdir(directory or ".") if pattern.match(f)),
                    key=lambda f: (f.rsplit(".", 1)[1], os.path.getmtime(os.path.join(directory, f))))  # fmt: skip
    for old in copies[: max(len(copies) - keep, 0)]:
        os.unlink(os.path.join(directory, old))
    return name
