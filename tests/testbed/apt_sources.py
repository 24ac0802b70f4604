"""Find the Debian mirror this machine's own apt sources use, so debootstrap fetches from it."""

from __future__ import annotations

import os
import re
from pathlib import Path

APT = Path("/etc/apt")


def _one_line_entries(text: str):
    for line in text.splitlines():
        # drop [arch=... signed-by=...]
        words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
        if len(words) >= 3 and words[0] == "deb":
            yield words[1], words[2]


def _deb822_entries(text: str):
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if ":" in line and not line.startswith(("#", " ")):
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes") == "no":
            continue
        for uri in fields.get("uris", "").split():
            for suite in fields.get("suites", "").split():
                yield uri, suite


def apt_entries(root: Path = APT):
    """(uri, suite) for every enabled binary source on this machine."""
    files = [root / "sources.list", *sorted((root / "sources.list.d").glob("*"))]
    for path in files:
        if not path.is_file():
            continue
        if path.suffix == ".list" or path.name == "sources.list":
            yield from _one_line_entries(path.read_text())
        elif path.suffix == ".sources":
            yield from _deb822_entries(path.read_text())


def debian_mirror(root: Path = APT) -> str:
    """The archive mirror (not the security or updates suite) this machine installs Debian from.

    ``DOCKYARD_DEBIAN_MIRROR`` overrides it.
    """
    override = os.environ.get("DOCKYARD_DEBIAN_MIRROR")
    if override:
        return override
    for uri, suite in apt_entries(root):
        if "-" not in suite and "security" not in uri:
            return uri.rstrip("/")
    raise RuntimeError(
        f"no Debian archive found in {root}/sources.list or sources.list.d; "
        "set DOCKYARD_DEBIAN_MIRROR to a Debian mirror URL"
    )
