"""container_commit against the local daemon: message, author and changes recorded once."""

from __future__ import annotations

import pytest

from ansible_run import local_module as module
from local_docker import forget, output_of

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_commit_records_message_author_and_changes_once(docker_client, test_images, suffix):
    container = docker_client.containers.run(test_images["busybox"], "sh -c 'echo state > /state'", detach=True)
    container.wait()
    name = f"committed-{suffix}:1"
    args = {
        "container": container.id,
        "name": name,
        "commit_message": "kept state",
        "author": "Dockyard <d@example.com>",
        "changes": ['CMD ["cat", "/state"]'],
    }
    assert module("container_commit", args, check=True)["changed"] is True
    first = module("container_commit", args)
    assert first["changed"] is True
    image = docker_client.images.get(name)
    assert image.attrs["Comment"] == "kept state" and image.attrs["Author"] == "Dockyard <d@example.com>"
    assert output_of(docker_client, name).decode().strip() == "state"
    assert module("container_commit", args)["changed"] is False
    assert module("container_commit", {**args, "force": True})["changed"] is True
    container.remove()
    forget(docker_client, name)
