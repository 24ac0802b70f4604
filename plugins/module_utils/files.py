# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files written whole: staged beside their destination and renamed over it, so that a reader sees
the old file or the new one, never half of one, and a private file is never readable on the way."""

from __future__ import annotations

import os
import tempfile
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
