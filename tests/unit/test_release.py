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


def test_requires_ansible_is_the_oldest_version_the_matrix_tests_and_the_readme_lists_each():
    tested = sorted((p.stem.removeprefix("ansible-") for p in (ROOT / "requirements").glob("ansible-*.txt")),
                    key=LooseVersion)  # fmt: skip
    main = re.search(r"^ansible-core==(\d+\.\d+)\.", (ROOT / "requirements/controller.txt").read_text(), re.M)
    runtime = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())
    assert runtime["requires_ansible"] == f">={min([*tested, main.group(1)], key=LooseVersion)}.0"
    readme = (ROOT / "README.md").read_text()
    for version in [*tested, main.group(1)]:
        assert re.search(rf"^\| {re.escape(version)} \| ", readme, re.M), version
        pinned = (ROOT / f"requirements/ansible-{version}.txt") if version in tested else None
        assert pinned is None or f"ansible-core=={version}." in pinned.read_text()
