"""The registry role on object storage, against moto's S3 server (a testing server: the only S3 implementation
this machine runs) on this machine, reached from booted Debian 12 hosts over the bridge: a registry moved from
its directory into a bucket without losing an image, a bucket the registry cannot use refused before switching,
a second host serving the same digests from the same bucket, garbage collection on the bucket."""

from __future__ import annotations

import json
import subprocess

import pytest

from ansible_run import ROOT, recap, run_module, run_playbook
from local_docker import bridge_address
from s3_server import ACCESS_KEY, SECRET_KEY, start_s3_server
from testbed.hosts import ssh_command

PLAYBOOK = ROOT / "tests/integration/playbooks/registry.yml"
BASE = {"registry_image": "dockyard-testbed/registry:2", "registry_tls": "off", "registry_delete_enabled": True}
ADDRESS = "127.0.0.1:5000"  # plain HTTP: Docker allows it on loopback
BUCKET = "images"
TREE = "docker/registry/v2"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    server = start_s3_server(tmp_path_factory.mktemp("moto") / "moto.log")
    server.client().create_bucket(Bucket=BUCKET)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def registry_hosts(start_hosts, ssh_key, load_images):
    hosts, inventory = start_hosts("debian12", 2, docker_io=True)
    load_images(inventory, "registry", "busybox")

    def on(host):
        def sh(command: str) -> str:
            argv = ssh_command(host, ssh_key, "sudo", "sh", "-c", repr(command))
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
            return done.stdout

        return sh

    return hosts, inventory, [on(host) for host in hosts]


def s3_settings(s3, docker_client, bucket: str = BUCKET) -> dict:
    return {"registry_storage": "s3", "registry_s3_bucket": bucket, "registry_s3_path_style": True,
            "registry_s3_endpoint": f"http://{bridge_address(docker_client)}:{s3.port}",
            "registry_s3_access_key": ACCESS_KEY, "registry_s3_secret_key": SECRET_KEY}  # fmt: skip


def test_a_registry_moves_into_a_bucket_keeps_every_image_and_a_second_host_serves_the_same_digests(
    registry_hosts, s3, docker_client, test_images
):
    hosts, inventory, (sh_a, sh_b) = registry_hosts
    first, second = hosts[0].name, hosts[1].name

    def apply(host: str, **settings):
        return run_playbook(PLAYBOOK, inventory=inventory, extra_vars={**BASE, **settings}, limit=host)

    started = apply(first)
    assert started.returncode == 0, started.stdout
    for tag in ("t/busybox:1", "t/tools:2"):
        sh_a(f"docker tag {test_images['busybox']} {ADDRESS}/{tag} && docker push -q {ADDRESS}/{tag}")
    digests = {tag: sh_a(f"docker inspect -f '{{{{index .RepoDigests 0}}}}' {ADDRESS}/{tag}").strip().split("@")[1]
               for tag in ("t/busybox:1", "t/tools:2")}  # fmt: skip
    before = sh_a("docker inspect -f '{{.Id}}' registry")

    # A bucket the registry cannot use: refused with the registry's own reason, before anything is switched.
    refused = apply(first, **s3_settings(s3, docker_client, "no-such-bucket"))
    assert_nothing_switched(refused, sh_a, before)

    # The move: copied, switched, every tag checked; the old directory kept.
    moved = apply(first, **s3_settings(s3, docker_client))
    assert moved.returncode == 0, moved.stdout
    assert SECRET_KEY not in moved.stdout + moved.stderr
    assert "copied from /var/lib/docker-registry/registry into the bucket; 2 tags to check" in moved.stdout
    held = s3.keys(BUCKET, TREE)
    assert any(key.startswith(f"{TREE}/blobs/sha256/") for key in held), held
    assert f"{TREE}/repositories/t/tools/_manifests/tags/2/current/link" in held
    mounts = json.loads(sh_a("docker inspect -f '{{json .Mounts}}' registry"))
    binds = [m["Source"] for m in mounts if m["Type"] == "bind"]
    assert binds == ["/etc/docker-registry/registry"], mounts  # the host's storage directory is no longer read
    assert sh_a("stat -c %a /etc/docker-registry/registry/config.yml") == "600\n"
    assert sh_a("test -d /var/lib/docker-registry/registry/docker && echo kept") == "kept\n"
    for tag, digest in digests.items():
        sh_a(f"docker rmi -f {ADDRESS}/{tag} >/dev/null && docker pull -q {ADDRESS}/{tag}")
        assert sh_a(f"docker inspect -f '{{{{index .RepoDigests 0}}}}' {ADDRESS}/{tag}").strip().endswith(digest)
    again = apply(first, **s3_settings(s3, docker_client))
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout

    # A push lands in the bucket, and another host's registry on the same bucket serves what the first holds.
    sh_a(f"docker tag {test_images['busybox']} {ADDRESS}/t/busybox:3 && docker push -q {ADDRESS}/t/busybox:3")
    assert f"{TREE}/repositories/t/busybox/_manifests/tags/3/current/link" in s3.keys(BUCKET, TREE)
    fresh = apply(second, **s3_settings(s3, docker_client))
    assert fresh.returncode == 0, fresh.stdout
    info = run_module("dockyard.docker.registry_info", {"registry": f"http://{ADDRESS}", "repository": "t/busybox",
                      "tag": "3"}, inventory=inventory, hosts=second)[second]  # fmt: skip
    assert info["manifest"]["digest"] == digests["t/busybox:1"], info
    sh_b(f"docker rmi -f {test_images['busybox']} >/dev/null && docker pull -q {ADDRESS}/t/tools:2")

    # Garbage collection on the bucket: a deleted image's blobs go.
    collect_garbage(apply, sh_a, s3, docker_client, inventory, first, test_images["busybox"])

    # Back to the host's directory would hide what was pushed since the move: refused unless confirmed.
    back = apply(first)
    assert back.returncode != 0 and "registry_storage: filesystem, but registry reads s3 storage now" in back.stdout
    assert "s3:" in sh_a("cat /etc/docker-registry/registry/config.yml")

    # The old directory goes when asked, and only then.
    removed = apply(first, **s3_settings(s3, docker_client), registry_storage_remove_old=True)
    assert removed.returncode == 0 and recap(removed.stdout)["changed"] >= 1, removed.stdout
    assert sh_a("test -e /var/lib/docker-registry/registry && echo there || echo gone") == "gone\n"


def assert_nothing_switched(refused, sh, container_id: str) -> None:
    assert refused.returncode != 0
    assert "registry_storage: the registry cannot use the s3 storage no-such-bucket" in refused.stdout, refused.stdout
    assert "NoSuchBucket" in refused.stdout and SECRET_KEY not in refused.stdout + refused.stderr
    assert sh("docker inspect -f '{{.Id}}' registry") == container_id
    assert "filesystem" in sh("cat /etc/docker-registry/registry/config.yml")
    assert sh("docker ps -aq --filter name=registry-storage-check") == ""


def collect_garbage(apply, sh, s3, docker_client, inventory, host: str, image: str) -> None:
    """A pruned image's blobs leave the bucket when the role collects garbage; what is kept still pulls."""
    sh(
        f"docker run --name junk {image} sh -c 'head -c 200000 /dev/urandom > /noise'"
        f" && docker commit junk {ADDRESS}/t/junk:1 >/dev/null && docker rm junk && docker push -q {ADDRESS}/t/junk:1"
    )
    with_junk = s3.keys(BUCKET, f"{TREE}/blobs")
    prune = {"registry": f"http://{ADDRESS}", "repositories": ["t/junk"], "keep_last": 0, "protect": []}
    pruned = run_module("dockyard.docker.registry_prune", prune, inventory=inventory, hosts=host)[host]
    assert not pruned.failed, pruned.get("msg")
    collected = apply(host, **s3_settings(s3, docker_client), registry_garbage_collect=True)
    assert collected.returncode == 0, collected.stdout
    assert len(s3.keys(BUCKET, f"{TREE}/blobs")) < len(with_junk)
    sh(f"docker pull -q {ADDRESS}/t/busybox:1")
