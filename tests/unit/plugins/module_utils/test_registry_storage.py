"""The registry role's storage variables as config.yml's storage section, every bad value named by its variable."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.registry_storage import (
    object_key,
    storage_plan,
)


def test_the_default_is_the_directory_config_yml_always_had():
    assert storage_plan({}) == {"driver": "filesystem", "settings": {"rootdirectory": "/var/lib/registry"},
                                "problems": [], "current": None}  # fmt: skip


def test_s3_settings_are_written_as_the_s3_driver_reads_them_and_only_those_given():
    plan = storage_plan({"registry_storage": "s3", "registry_s3_bucket": "team-images", "registry_s3_region": "eu-1",
                         "registry_s3_endpoint": "http://10.0.0.5:9000/", "registry_s3_path_style": True,
                         "registry_s3_access_key": "AK", "registry_s3_secret_key": "SK",
                         "registry_s3_chunk_size": 10 << 20, "registry_s3_root_directory": "/prod"})  # fmt: skip
    assert plan == {"driver": "s3", "problems": [], "current": None, "settings": {
        "region": "eu-1", "bucket": "team-images", "regionendpoint": "http://10.0.0.5:9000", "forcepathstyle": True,
        "accesskey": "AK", "secretkey": "SK", "chunksize": 10 << 20, "rootdirectory": "/prod"}}  # fmt: skip
    assert storage_plan({"registry_storage": "s3", "registry_s3_bucket": "b12"})["settings"] == {
        "region": "us-east-1", "bucket": "b12"}  # fmt: skip


@pytest.mark.parametrize(
    ("given", "problem"),
    [({"registry_storage": "s3"}, "registry_storage: s3 needs registry_s3_bucket"),
     ({"registry_storage": "s3", "registry_s3_bucket": "Team_Images"}, "registry_s3_bucket: 'Team_Images' is not"),
     ({"registry_storage": "s3", "registry_s3_bucket": "b12", "registry_s3_endpoint": "minio:9000"},
      "registry_s3_endpoint: 'minio:9000' is not a URL"),
     ({"registry_storage": "s3", "registry_s3_bucket": "b12", "registry_s3_access_key": "AK"},
      "registry_s3_access_key and registry_s3_secret_key go together"),
     ({"registry_storage": "s3", "registry_s3_bucket": "b12", "registry_s3_chunk_size": 1024},
      "registry_s3_chunk_size: 1024 is under S3's 5 MiB"),
     ({"registry_storage": "gcs"}, "registry_storage: gcs needs its settings in registry_storage_options"),
     ({"registry_storage": "delete"}, "registry_storage: 'delete' is not a storage driver"),
     ({"registry_storage": "s3", "registry_s3_bucket": "b12", "registry_storage_volume": "v"},
      "registry_storage_volume: a volume holds filesystem storage; registry_storage is s3")],
)  # fmt: skip
def test_bad_storage_variables_are_named(given, problem):
    problems = storage_plan(given)["problems"]
    assert any(p.startswith(problem) for p in problems), problems


def test_another_driver_takes_its_settings_as_given_and_keys_take_the_root_directory():
    plan = storage_plan({"registry_storage": "gcs", "registry_storage_options": {"bucket": "b", "keyfile": "/k"}})
    assert plan == {"driver": "gcs", "settings": {"bucket": "b", "keyfile": "/k"}, "problems": [], "current": None}
    now = {"delete": {"enabled": True}, "s3": {"bucket": "b"}}
    assert storage_plan({"storage_now": now})["current"] == "s3"  # config.yml's other storage keys are no driver
    assert object_key({"rootdirectory": "/prod/"}, "docker/registry/v2/x") == "prod/docker/registry/v2/x"
    assert object_key({}, "docker/registry/v2/x") == "docker/registry/v2/x"
