"""The test bed takes its Debian mirror from this machine's apt sources."""

from __future__ import annotations

import pytest

from testbed.apt_sources import debian_mirror


@pytest.fixture
def apt(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKYARD_DEBIAN_MIRROR", raising=False)
    (tmp_path / "sources.list.d").mkdir()
    return tmp_path


def test_deb822_sources_skip_security_and_updates(apt):
    (apt / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb deb-src\nURIs: http://mirror.example/debian/\nSuites: bookworm-updates bookworm\n"
        "Components: main\n"
    )
    assert debian_mirror(apt) == "http://mirror.example/debian"


def test_one_line_sources_with_options(apt):
    (apt / "sources.list").write_text(
        "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main\n"
    )
    assert debian_mirror(apt) == "http://one.example/debian"


def test_disabled_stanza_is_ignored(apt):
    (apt / "sources.list.d" / "a.sources").write_text(
        "Enabled: no\nTypes: deb\nURIs: http://off.example/debian\nSuites: bookworm\n\n"
        "Types: deb\nURIs: http://on.example/debian\nSuites: bookworm\n"
    )
    assert debian_mirror(apt) == "http://on.example/debian"


def test_no_source_is_a_clear_error(apt):
    with pytest.raises(RuntimeError, match="DOCKYARD_DEBIAN_MIRROR"):
        debian_mirror(apt)


def test_environment_overrides(apt, monkeypatch):
    monkeypatch.setenv("DOCKYARD_DEBIAN_MIRROR", "http://override.example/debian")
    assert debian_mirror(apt) == "http://override.example/debian"
