# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""apt's sources as a host has them: engine_facts reads the files (``read``), the engine plan parses them
(``entries``) on the controller to find an earlier Docker source that would clash with the role's.

apt refuses to work ("Conflicting values set for option Signed-By") when two entries name the same
repository with different keys: the role's docker.sources beside a docker.list that an install script,
geerlingguy.docker or Docker's older instructions wrote. Both formats are read: one-line entries in
sources.list and sources.list.d/*.list, deb822 stanzas in sources.list.d/*.sources.
"""

from __future__ import annotations

import glob
import os
import re

APT_DIR = "/etc/apt"
# Where keys for Docker's repository are found: the old global keyring directory apt trusts for every
# source, and the keyring directories that entries name with signed-by.
KEY_GLOBS = ("trusted.gpg.d/*docker*", "keyrings/*docker*", "/usr/share/keyrings/*docker*")
_OPTIONS = re.compile(r"^\[([^\]]*)\]\s*")


def read(apt_dir: str = APT_DIR) -> dict:
    """The text of every sources file, and the paths of Docker keys (by name)."""
    paths = [os.path.join(apt_dir, "sources.list")]
    paths += sorted(glob.glob(os.path.join(apt_dir, "sources.list.d", "*.list")))
    paths += sorted(glob.glob(os.path.join(apt_dir, "sources.list.d", "*.sources")))
    files = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                files[path] = handle.read()
        except OSError:
            continue
    keys = sorted({path for pattern in KEY_GLOBS for path in glob.glob(os.path.join(apt_dir, pattern))})
    return {"files": files, "keyrings": keys}


def entries(path: str, text: str) -> list[dict]:
    """Each enabled entry of one file: its line (one-line format) or stanza (deb822), the URIs and the
    Signed-By it names ("" when none, "inline" for a key written into the stanza)."""
    return _deb822(path, text) if path.endswith(".sources") else _one_line(path, text)


def _one_line(path: str, text: str) -> list[dict]:
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        words = line.split(None, 1)
        if len(words) < 2 or words[0] not in ("deb", "deb-src"):
            continue
        rest = words[1].strip()
        signed_by = ""
        options = _OPTIONS.match(rest)
        if options:
            for option in options.group(1).split():
                if option.startswith("signed-by="):
                    signed_by = option[len("signed-by=") :]
            rest = rest[options.end() :]
        uri = rest.split()[0] if rest.split() else ""
        found.append({"path": path, "line": number, "text": raw, "uris": [uri], "signed_by": signed_by})
    return found


def _deb822(path: str, text: str) -> list[dict]:
    found = []
    for number, stanza in enumerate(re.split(r"\n\s*\n", text), start=1):
        fields: dict[str, str] = {}
        name = ""
        for raw in stanza.splitlines():
            if raw.startswith("#"):
                continue
            if raw[:1] in (" ", "\t") and name:  # a continuation line (an inline key)
                fields[name] += "\n" + raw.strip()
                continue
            name, sep, value = raw.partition(":")
            if not sep:
                name = ""
                continue
            name = name.strip().lower()
            fields[name] = value.strip()
        if not fields.get("uris") or fields.get("enabled", "yes").lower() == "no":
            continue
        signed_by = fields.get("signed-by", "")
        if "\n" in signed_by or "BEGIN PGP" in signed_by:
            signed_by = "inline"
        found.append({"path": path, "stanza": number, "text": stanza, "uris": fields["uris"].split(),
                      "signed_by": signed_by})  # fmt: skip
    return found
