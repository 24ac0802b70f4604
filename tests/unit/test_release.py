"""The collection's version, its changelog and its plugins agree, so that an installed copy is never stale."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from ansible.module_utils.compat.version import LooseVersion

ROOT = Path(__file__).resolve().parents[2]


def test_galaxy_version_is_the_newest_release_in_the_changelog():
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    releases = yaml.safe_load((ROOT / "changelogs/changelog.yaml").read_text())["releases"]
    assert max(releases, key=LooseVersion) == version
    assert f"\nv{version}\n" in (ROOT / "CHANGELOG.rst").read_text()


def test_no_plugin_claims_a_version_after_the_next_release():
    version = LooseVersion(yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"])
    ahead = {}
    for path in sorted((ROOT / "plugins").glob("*/*.py")):
        for added in re.findall(r"^version_added: ['\"]?([0-9.]+)", path.read_text(), re.MULTILINE):
            if LooseVersion(added) > version:
                ahead[path.name] = added
    # A plugin added after the newest release says the next version; bump galaxy.yml with the release.
    assert not ahead or set(ahead.values()) == {_next(version)}, ahead


def _next(version: LooseVersion) -> str:
    major, minor, *_rest = version.version
    return f"{major}.{minor + 1}.0"
