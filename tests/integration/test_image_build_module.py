"""image_build against the local daemon: changed only when the image ID changes; errors reported."""

from __future__ import annotations

from ansible_run import local_module as module
from local_docker import forget


def test_build_is_changed_only_when_the_image_id_changes(docker_client, test_images, tmp_path, suffix):
    dockerfile = [
        f"FROM {test_images['busybox']} AS app",
        "ARG GREETING=hello",
        "RUN echo $GREETING > /greeting",
        "FROM scratch AS unused",  # the last stage: only target picks app
    ]
    (tmp_path / "Dockerfile").write_text("\n".join(dockerfile) + "\n")
    name = f"dockyard-build-{suffix}:1"
    args = {"path": str(tmp_path), "name": name, "build_args": {"GREETING": "hi"}, "target": "app",
            "labels": {"team": "web"}}  # fmt: skip
    assert module("image_build", args, check=True)["changed"] is True
    first = module("image_build", args)
    assert first["changed"] is True, first
    built = docker_client.images.get(name)
    assert built.id == first["image_id"] and built.labels["team"] == "web"
    again = module("image_build", args)
    assert again["changed"] is False and again["image_id"] == first["image_id"]
    changed = module("image_build", {**args, "build_args": {"GREETING": "bonjour"}})
    assert changed["changed"] is True and changed["old_id"] == first["image_id"]
    forget(docker_client, name)


def test_build_errors_are_reported(tmp_path, suffix):
    (tmp_path / "Dockerfile").write_text("FROM dockyard-testbed/busybox:latest\nRUN exit 3\n")
    result = module("image_build", {"path": str(tmp_path), "name": f"broken-{suffix}"})
    assert result.failed and f"building docker.io/library/broken-{suffix}:latest failed" in result["msg"]
    missing = module("image_build", {"path": str(tmp_path / "nowhere"), "name": "x"})
    assert missing.failed and "does not exist" in missing["msg"]
