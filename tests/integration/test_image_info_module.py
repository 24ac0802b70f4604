"""image_info against the local daemon: names inspected, missing ones reported."""

from __future__ import annotations

import pytest

from ansible_run import local_module as module

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_image_info_inspects_names_and_reports_missing_ones(test_images):
    result = module("image_info", {"names": [test_images["busybox"], "dockyard/not-here:1"], "history": True})
    assert not result.failed, result
    assert len(result["images"]) == 1 and test_images["busybox"] in result["images"][0]["tags"]
    assert result["images"][0]["cmd"] == ["sh"]
    assert result["images"][0]["history"]
    assert result["missing"] == ["dockyard/not-here:1"]
    listed = module("image_info", {"filters": {"reference": test_images["busybox"]}})
    assert [test_images["busybox"] in i["tags"] for i in listed["images"]] == [True]
