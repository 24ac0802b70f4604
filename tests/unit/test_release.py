"""The collection's version, its changelog and its plugins agree, so that an installed copy is never stale."""

from __future__ import annotations

import ast
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
    needs = _literal(ROOT / "noxfile.py", "CONTROLLER_PYTHON")
    for version in [*tested, main.group(1)]:
        row = re.search(rf"^\| {re.escape(version)} \| (\S+) \| ", readme, re.M)
        assert row, version
        # The controller Python the row names is the one the matrix runs that version on.
        assert row.group(1) == "{}.{}+".format(*needs[version]), version
        pinned = (ROOT / f"requirements/ansible-{version}.txt") if version in tested else None
        assert pinned is None or f"ansible-core=={version}." in pinned.read_text()


def test_the_readme_names_the_managed_hosts_python_and_docker_sdk_the_tests_run_and_the_minimum_modules_accept():
    readme = (ROOT / "README.md").read_text()
    packaged = _literal(ROOT / "tests/integration/test_target_hosts.py", "PACKAGED")
    names = {"debian11": "Debian 11", "debian12": "Debian 12", "debian13": "Debian 13",
             "debian13-docker28": "Debian 13 with Debian 14's engine"}  # fmt: skip
    for release, (python, sdk) in packaged.items():
        assert re.search(rf"^\| {re.escape(names[release])} \| {re.escape(python)} \| {re.escape(sdk)}\b", readme, re.M)
    minimum = ".".join(map(str, _literal(ROOT / "plugins/module_utils/client.py", "MIN_DOCKER_SDK")))
    oldest_python, oldest_sdk = min(packaged.values(), key=lambda found: LooseVersion(found[1]))
    assert minimum.startswith(oldest_sdk + ".")  # the minimum is what the oldest host packages, and is tested
    assert f"Python {oldest_python} or newer and the Docker SDK for Python {minimum} or newer" in readme


def _literal(path: Path, name: str):
    """The value of the literal assigned to ``name`` at the top of ``path`` (read, not imported)."""
    for node in ast.parse(path.read_text()).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path} assigns no {name}")
