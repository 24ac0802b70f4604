"""Where a project on the controller is: found as copy finds its src, and refused when it is no directory."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.compose_read import controller_directory
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError


def test_the_project_is_looked_for_as_copy_looks_for_files(tmp_path):
    asked = []

    def find_needle(dirname: str, needle: str) -> str:
        asked.append((dirname, needle))
        return str(tmp_path)

    assert controller_directory(find_needle, "shop") == str(tmp_path)
    assert asked == [("files", "shop")]


def test_a_file_is_no_project_directory(tmp_path):
    compose = tmp_path / "compose.yaml"
    compose.write_text("services: {}\n")
    with pytest.raises(SpecError, match=rf"^project_src: {compose} is not a directory on the controller$"):
        controller_directory(lambda _dirname, _needle: str(compose), "compose.yaml")
