"""What a converged host looks like from the inside (testinfra, over the molecule inventory)."""

import json


def test_docker_service_is_running_and_enabled(host):
    service = host.service("docker")
    assert service.is_running
    assert service.is_enabled


def test_engine_answers_and_runs_on_overlay2(host):
    with host.sudo():
        info = json.loads(host.check_output("docker info --format '{{json .}}'"))
    assert info["Driver"] == "overlay2"
    assert info["DockerRootDir"] == "/var/lib/docker"


def test_sdk_is_importable_by_the_system_python(host):
    assert host.run("python3 -c 'import docker'").rc == 0


def test_login_user_reaches_the_host_over_ssh_and_can_become_root(host):
    assert host.user().name == "dockyard"
    with host.sudo():
        assert host.user().name == "root"
