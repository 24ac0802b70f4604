"""image_build against the local daemon: changed only when the image ID changes; errors reported."""

from __future__ import annotations

import functools
import http.server
import subprocess
import tarfile
import threading

import pytest

from ansible_run import local_module as module
from local_docker import forget, output_of

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


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


def test_an_inline_dockerfile_builds_with_no_context_or_over_a_directorys_own(
    docker_client, test_images, tmp_path, suffix
):
    name = f"dockyard-build-{suffix}:inline"
    inline = f"FROM {test_images['busybox']}\nRUN echo inline > /made-by\n"
    alone = module("image_build", {"name": name, "dockerfile_content": inline})
    assert alone["changed"] is True
    assert module("image_build", {"name": name, "dockerfile_content": inline})["changed"] is False
    (tmp_path / "payload").write_text("from the context\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")  # the directory's own, not used and not changed
    over = f"FROM {test_images['busybox']}\nCOPY payload /payload\n"
    built = module("image_build", {"name": name, "path": str(tmp_path), "dockerfile_content": over})
    assert built["changed"] is True and built["old_id"] == alone["image_id"]
    output = output_of(docker_client, name, ["cat", "/payload"])
    assert output == b"from the context\n" and (tmp_path / "Dockerfile").read_text() == "FROM scratch\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "payload"]
    forget(docker_client, name)


@pytest.fixture
def served(tmp_path):
    """A directory served over HTTP on this machine, where the daemon fetches remote contexts from."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_remote_tarball_and_a_git_repository_are_built_as_docker_build_url_does(
    docker_client, test_images, tmp_path, served, suffix
):
    root, url = served
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {test_images['busybox']}\nCOPY note /note\n")
    (context / "note").write_text("from the tarball\n")
    with tarfile.open(root / "context.tar.gz", "w:gz") as tar:
        tar.add(context, arcname=".")
    name = f"dockyard-build-{suffix}:remote"
    tarball = module("image_build", {"name": name, "context_url": f"{url}/context.tar.gz"})
    assert tarball["changed"] is True, tarball.get("msg")
    assert output_of(docker_client, name, ["cat", "/note"]) == b"from the tarball\n"
    assert module("image_build", {"name": name, "context_url": f"{url}/context.tar.gz"})["changed"] is False
    # A Git repository over git's plain HTTP protocol, with its Dockerfile in a subdirectory.
    work = tmp_path / "repo"
    (work / "app").mkdir(parents=True)
    (work / "app" / "Dockerfile").write_text(f"FROM {test_images['busybox']}\nCOPY note /note\n")
    (work / "app" / "note").write_text("from git\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "."], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-qm", "app"], check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / "repo.git")], check=True)
    subprocess.run(["git", "-C", str(root / "repo.git"), "update-server-info"], check=True)
    from_git = module("image_build", {"name": name, "context_url": f"{url}/repo.git#main:app"})
    assert from_git["changed"] is True, from_git.get("msg")
    assert output_of(docker_client, name, ["cat", "/note"]) == b"from git\n"
    forget(docker_client, name)


def test_a_context_url_that_is_not_one_is_named_before_the_daemon_is_asked(suffix):
    result = module("image_build", {"name": f"x-{suffix}", "context_url": "/srv/app"})
    assert result.failed and "context_url: '/srv/app' is not a Git repository or tarball URL" in result["msg"]
