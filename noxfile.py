"""The ansible-core matrix: for each version the collection supports besides the main one (which the full suite
runs, requirements/test.txt), a virtualenv from requirements/ansible-<version>.txt, then ansible-test sanity with
that version, the unit tests, and the integration tests marked smoke.

    nox -s matrix                        every version
    nox -s "matrix(ansible='2.21')"      one

A version whose controller Python is newer than the one running nox (2.20 and later need 3.12, 2.22 needs 3.13;
this machine has 3.11) runs the same session on a controller with Debian 13's Python 3.13 (`scripts/testbed
controller`), against this machine's Docker daemon and booted hosts. A pre-release pin is allowed to fail: its
result is reported, and the matrix passes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nox
from nox.command import CommandFailed
from packaging.version import Version

ROOT = Path(__file__).resolve().parent
VERSIONS = sorted((p.stem.removeprefix("ansible-") for p in (ROOT / "requirements").glob("ansible-*.txt")),
                  key=Version)  # fmt: skip
# The oldest controller Python of each version (its Requires-Python on PyPI).
CONTROLLER_PYTHON = {"2.17": (3, 10), "2.18": (3, 11), "2.19": (3, 11), "2.20": (3, 12), "2.21": (3, 12),
                     "2.22": (3, 13)}  # fmt: skip
# Set in the session that runs on the controller: its result is reported by the session that started it.
NESTED = "DOCKYARD_MATRIX_ON_CONTROLLER"

nox.options.sessions = ["matrix"]
nox.options.envdir = ".build/nox"  # beside the other build output, which no linter reads
nox.options.reuse_existing_virtualenvs = True


def pinned(ansible: str, package: str) -> str:
    """The version of ``package`` that requirements/ansible-<ansible>.txt (or test.txt) pins."""
    name = f"ansible-{ansible}.txt" if ansible else "test.txt"
    found = re.search(rf"^{re.escape(package)}==(\S+)", (ROOT / "requirements" / name).read_text(), re.M)
    if not found:
        raise ValueError(f"requirements/{name} pins no {package}")
    return found.group(1)


@nox.session(venv_backend="venv")
@nox.parametrize("ansible", VERSIONS)
def matrix(session: nox.Session, ansible: str) -> None:
    release = pinned(ansible, "ansible-core")
    allowed_to_fail = Version(release).is_prerelease and not os.environ.get(NESTED)
    try:
        if sys.version_info[:2] < CONTROLLER_PYTHON[ansible]:
            on_controller(session, ansible)
        else:
            matrix_slice(session, ansible)
    except CommandFailed:
        if not allowed_to_fail:
            raise
        session.warn(f"ansible-core {release} (a pre-release) FAILED the matrix slice; allowed, see above")


def matrix_slice(session: nox.Session, ansible: str) -> None:
    session.install("--disable-pip-version-check", "-r", f"requirements/ansible-{ansible}.txt")
    session.run("ansible", "--version")
    # scripts/sanity runs the virtualenv's ansible-test, given relative to the checkout.
    venv = Path(session.virtualenv.location).resolve().relative_to(ROOT)
    skipped = []
    if Version(pinned(ansible, "ansible-core")).is_prerelease:
        # A pre-release's pylint requirements may name unreleased tools by a GitHub archive (2.22.0rc1's name dill's),
        # which this machine cannot reach; the other sanity tests run.
        skipped = ["--skip-test", "pylint"]
        session.warn("ansible-test sanity: pylint skipped for a pre-release")
    session.run("scripts/sanity", *skipped, env={"DOCKYARD_VENV": str(venv)}, external=True)
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/unit")
    session.run("pytest", "-q", "-p", "no:cacheprovider", "-n", "4", "--dist", "loadfile", "--no-loadscope-reorder",
                "-m", "smoke", "tests/integration")  # fmt: skip


def on_controller(session: nox.Session, ansible: str) -> None:
    """The same session, run by nox on the controller image (whose virtualenvs live in its own home)."""
    wanted = ".".join(map(str, CONTROLLER_PYTHON[ansible]))
    session.log(f"ansible-core {ansible} needs Python {wanted}+ on the controller; this is {sys.version.split()[0]}")
    runner = (
        'python3 -m venv "$HOME/nox" && "$HOME/nox/bin/pip" install -q --disable-pip-version-check "nox==$1" '
        '&& exec "$HOME/nox/bin/nox" -s "matrix(ansible=\'$2\')"'
    )
    argv = ["scripts/testbed", "controller", "--", "bash", "-c", runner, "nox", pinned("", "nox"), ansible]
    session.log(" ".join(argv))
    # Not session.run: nox would hide the exit status of a pre-release's failure, which is reported instead.
    status = subprocess.run(argv, env={**os.environ, NESTED: "1"}, check=False).returncode
    if status:
        raise CommandFailed(f"the {ansible} slice on the controller exited {status}")
