"""apt's sources as engine_facts reads them and the engine plan parses them: both formats, the options
of a one-line entry, disabled and commented entries, a key written into a stanza."""

from __future__ import annotations

from ansible_collections.dockyard.docker.plugins.module_utils import apt_sources


def test_one_line_entries_with_options_and_comments():
    text = (
        "# deb https://download.docker.com/linux/debian bookworm stable\n"
        "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg]"
        " https://download.docker.com/linux/debian bookworm stable\n"
        "deb-src http://deb.debian.org/debian bookworm main # sources too\n"
    )
    found = apt_sources.entries("/etc/apt/sources.list.d/docker.list", text)
    assert [(e["line"], e["uris"], e["signed_by"]) for e in found] == [
        (2, ["https://download.docker.com/linux/debian"], "/etc/apt/keyrings/docker.gpg"),
        (3, ["http://deb.debian.org/debian"], ""),
    ]
    assert found[0]["text"] == text.splitlines()[1]


def test_deb822_stanzas_disabled_ones_and_an_inline_key():
    text = (
        "Types: deb\nURIs: https://download.docker.com/linux/debian\nSuites: trixie\n"
        "Signed-By: /etc/apt/keyrings/docker.asc\n"
        "\n"
        "Types: deb\nURIs: http://a.example/debian http://b.example/debian\nSuites: trixie\nEnabled: no\n"
        "\n"
        "Types: deb\nURIs: http://c.example/debian\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc\n"
    )
    found = apt_sources.entries("/etc/apt/sources.list.d/x.sources", text)
    assert [(e["stanza"], e["uris"], e["signed_by"]) for e in found] == [
        (1, ["https://download.docker.com/linux/debian"], "/etc/apt/keyrings/docker.asc"),
        (3, ["http://c.example/debian"], "inline"),
    ]


def test_read_returns_every_sources_file_and_the_docker_keys(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "trusted.gpg.d").mkdir()
    (tmp_path / "sources.list").write_text("deb http://deb.debian.org/debian bookworm main\n")
    (tmp_path / "sources.list.d" / "docker.list").write_text(
        "deb https://download.docker.com/linux/debian bookworm stable\n"
    )
    (tmp_path / "sources.list.d" / "notes.txt").write_text("not a source")
    (tmp_path / "trusted.gpg.d" / "docker-ce.gpg").write_bytes(b"\x99")
    (tmp_path / "trusted.gpg.d" / "debian.gpg").write_bytes(b"\x99")
    found = apt_sources.read(str(tmp_path))
    assert sorted(found["files"]) == [str(tmp_path / "sources.list"), str(tmp_path / "sources.list.d" / "docker.list")]
    assert str(tmp_path / "trusted.gpg.d" / "docker-ce.gpg") in found["keyrings"]
    assert str(tmp_path / "trusted.gpg.d" / "debian.gpg") not in found["keyrings"]
