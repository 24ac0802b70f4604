"""The ansible-core matrix: for each version the collection supports besides the main one (which the full suite
runs, requirements/test.txt), a virtualenv from requirements/ansible-<version>.txt, then ansible-test sanity with
that version, the unit tests, and the integration tests marked smoke.

    nox -s matrix                        every version
    nox -s "matrix(ansible='2.17')"      one

ansible-core 2.20 and later need Python 3.12 or newer on the controller; this machine's is 3.11, so they are not
in the matrix yet (see the README's support table).
"""

from __future__ import annotations

from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
VERSIONS = sorted(p.stem.removeprefix("ansible-") for p in (ROOT / "requirements").glob("ansible-*.txt"))

nox.options.sessions = ["matrix"]
nox.options.envdir = ".build/nox"  # beside the other build output, which no linter reads
nox.options.reuse_existing_virtualenvs = True


@nox.session(venv_backend="venv")
@nox.parametrize("ansible", VERSIONS)
def matrix(session: nox.Session, ansible: str) -> None:
    session.install("--disable-pip-version-check", "-r", f"requirements/ansible-{ansible}.txt")
    session.run("ansible", "--version")
    # scripts/sanity runs the virtualenv's ansible-test, given relative to the checkout.
    venv = Path(session.virtualenv.location).resolve().relative_to(ROOT)
    session.run("scripts/sanity", env={"DOCKYARD_VENV": str(venv)}, external=True)
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/unit")
    session.run("pytest", "-q", "-p", "no:cacheprovider", "-n", "4", "--dist", "loadfile", "--no-loadscope-reorder",
                "-m", "smoke", "tests/integration")  # fmt: skip
