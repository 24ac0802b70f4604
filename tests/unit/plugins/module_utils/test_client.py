"""Connection options and error translation, without a daemon."""

from __future__ import annotations

import ssl

import docker
import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.client import (
    CONNECTION_ARGS,
    DEFAULT_DOCKER_HOST,
    client_kwargs,
    explain,
    sdk_too_old,
)


def params(**overrides):
    base = {name: spec.get("default") for name, spec in CONNECTION_ARGS.items()}
    base.update(overrides)
    return base


def test_defaults_talk_to_the_local_socket_and_ask_the_daemon_for_its_api_version():
    kwargs = client_kwargs(params())
    assert kwargs == {"base_url": DEFAULT_DOCKER_HOST, "version": "auto", "timeout": 60}


def test_cert_path_supplies_docker_cli_file_names(tmp_path):
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("x")
    tls = client_kwargs(params(docker_host="tcp://h:2376", validate_certs=True, cert_path=str(tmp_path)))["tls"]
    assert tls.ca_cert == str(tmp_path / "ca.pem")
    assert tls.cert == (str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))
    assert tls.verify is True


def test_explicit_ca_wins_over_cert_path(tmp_path):
    for name in ("ca.pem", "cert.pem", "key.pem", "other-ca.pem"):
        (tmp_path / name).write_text("x")
    tls = client_kwargs(params(validate_certs=True, cert_path=str(tmp_path), ca_path=str(tmp_path / "other-ca.pem")))
    assert tls["tls"].ca_cert == str(tmp_path / "other-ca.pem")


def test_no_tls_without_tls_options():
    assert "tls" not in client_kwargs(params(docker_host="tcp://h:2375"))


def test_missing_socket_asks_whether_dockerd_runs(tmp_path):
    host = f"unix://{tmp_path}/docker.sock"
    with pytest.raises(docker.errors.DockerException) as raised:
        docker.APIClient(base_url=host, version="auto")
    message = explain(raised.value, params(docker_host=host))
    assert f"{tmp_path}/docker.sock does not exist" in message
    assert "Is dockerd running?" in message


def _wrapped(inner: BaseException) -> BaseException:
    """An exception as the SDK raises it: the OS error several causes deep."""
    try:
        try:
            raise inner
        except BaseException as exc:
            raise docker.errors.DockerException("Error while fetching server API version") from exc
    except docker.errors.DockerException as outer:
        return outer


def test_permission_denied_names_the_docker_group():
    message = explain(_wrapped(PermissionError(13, "Permission denied")), params())
    assert "/var/run/docker.sock" in message
    assert "'docker' group" in message and "become: true" in message


def test_tls_failure_names_the_certificate_options():
    message = explain(_wrapped(ssl.SSLError(1, "certificate verify failed")), params(docker_host="tcp://h:2376"))
    assert "TLS with the Docker daemon at tcp://h:2376 failed" in message
    assert "ca_path" in message and "DOCKER_CERT_PATH" in message


def test_plain_http_to_a_tls_port_says_to_enable_tls():
    exc = docker.errors.APIError("400 Client Error: Client sent an HTTP request to an HTTPS server.")
    assert "expects TLS" in explain(exc, params(docker_host="tcp://h:2376"))


def test_api_errors_carry_the_daemon_explanation():
    exc = docker.errors.APIError("500 Server Error", explanation="no such image: nope:latest")
    assert "no such image: nope:latest" in explain(exc, params())


def test_an_sdk_below_the_minimum_is_named_with_the_way_up_and_the_minimum_itself_serves():
    message = sdk_too_old("3.7.3")
    assert "is 3.7.3, older than 4.1.0" in message and "pip install 'docker>=4.1.0'" in message
    assert sdk_too_old("4.1.0") is None
    assert sdk_too_old("7.1.0") is None
    assert sdk_too_old("10.0.0") is None
    assert "4.0.2" in sdk_too_old("4.0.2")
