"""A Compose project as a Swarm stack: the specs the engine gets, named and labelled as docker stack deploy does."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.stack_spec import SPEC_LABEL, Stack, resolve
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

SHOP = {
    "services": {
        "web": {
            "image": "shop/web:1",
            "command": "httpd -f",
            "environment": {"MODE": "prod", "DEBUG": False},
            "ports": [{"target": 8080, "published": 80, "mode": "host"}],
            "secrets": ["token", {"source": "cert", "target": "tls.pem", "mode": "0400"}],
            "configs": [{"source": "app", "target": "/etc/app.conf"}],
            "volumes": ["data:/var/lib/web", "/srv/static:/static:ro"],
            "networks": {"front": {"aliases": ["www"]}},
            "deploy": {
                "mode": "global",
                "endpoint_mode": "dnsrr",
                "placement": {
                    "constraints": ["node.labels.zone == a"],
                    "preferences": [{"spread": "node.labels.rack"}],
                },
                "resources": {"limits": {"cpus": "0.5", "memory": "64m"}, "reservations": {"memory": "32m"}},
                "restart_policy": {"condition": "on-failure", "delay": "5s", "max_attempts": 3},
                "update_config": {
                    "parallelism": 2,
                    "delay": "10s",
                    "order": "start-first",
                    "failure_action": "rollback",
                },
                "labels": {"team": "shop"},
            },
            "healthcheck": {"test": "wget -qO- localhost:8080", "interval": "30s", "retries": 3},
        },
        "worker": {"image": "shop/worker:1", "deploy": {"replicas": 3}},
    },
    "networks": {"front": {}, "shared": {"external": True, "name": "traefik"}},
    "volumes": {"data": {}},
    "secrets": {"token": {"content": "s3cret"}, "cert": {"external": True}},
    "configs": {"app": {"content": "a=1"}},
}


def test_services_networks_and_objects_are_named_and_labelled_as_docker_stack_names_them():
    stack = Stack(SHOP, "shop")
    assert sorted(stack.services) == ["shop_web", "shop_worker"]
    assert sorted(stack.networks) == ["shop_default", "shop_front"]  # worker has no networks: the default one
    assert stack.networks["shop_front"] == {"Name": "shop_front", "Driver": "overlay",
                                            "Labels": {"com.docker.stack.namespace": "shop"}}  # fmt: skip
    web = stack.services["shop_web"]
    assert web["Labels"]["com.docker.stack.namespace"] == "shop"
    assert web["Labels"]["com.docker.stack.image"] == "shop/web:1"
    assert web["Labels"]["team"] == "shop"
    assert web["TaskTemplate"]["ContainerSpec"]["Labels"] == {"com.docker.stack.namespace": "shop"}
    assert web["TaskTemplate"]["Networks"] == [{"Target": "shop_front", "Aliases": ["web", "www"]}]
    assert stack.secrets["token"]["name"].startswith("shop_token_")
    assert base64.b64decode(stack.secrets["token"]["data"]) == b"s3cret"
    assert stack.secrets["cert"] == {"name": "cert", "external": True}


def test_deploy_becomes_the_service_spec():
    web = Stack(SHOP, "shop").services["shop_web"]
    task = web["TaskTemplate"]
    assert web["Mode"] == {"Global": {}}
    assert web["EndpointSpec"] == {"Mode": "dnsrr", "Ports": [
        {"Protocol": "tcp", "TargetPort": 8080, "PublishedPort": 80, "PublishMode": "host"}]}  # fmt: skip
    assert task["Placement"] == {"Constraints": ["node.labels.zone == a"],
                                 "Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.rack"}}]}  # fmt: skip
    assert task["Resources"] == {"Limits": {"NanoCPUs": 500_000_000, "MemoryBytes": 64 << 20},
                                 "Reservations": {"MemoryBytes": 32 << 20}}  # fmt: skip
    assert task["RestartPolicy"] == {"Condition": "on-failure", "Delay": 5_000_000_000, "MaxAttempts": 3}
    assert web["UpdateConfig"] == {"Parallelism": 2, "Delay": 10_000_000_000, "FailureAction": "rollback",
                                   "Order": "start-first"}  # fmt: skip
    container = task["ContainerSpec"]
    assert container["Args"] == ["httpd", "-f"]
    assert container["Env"] == ["DEBUG=false", "MODE=prod"]
    assert container["Healthcheck"] == {"Test": ["CMD-SHELL", "wget -qO- localhost:8080"], "Interval": 30_000_000_000,
                                        "Retries": 3}  # fmt: skip
    assert container["Mounts"] == [
        {"Type": "volume", "Target": "/var/lib/web", "ReadOnly": False, "Source": "shop_data",
         "VolumeOptions": {"Labels": {"com.docker.stack.namespace": "shop"}}},
        {"Type": "bind", "Target": "/static", "ReadOnly": True, "Source": "/srv/static"},
    ]  # fmt: skip
    assert container["Secrets"][1]["File"] == {"Name": "/run/secrets/tls.pem", "UID": "0", "GID": "0", "Mode": 0o400}
    assert container["Configs"][0]["File"]["Name"] == "/etc/app.conf"
    assert Stack(SHOP, "shop").services["shop_worker"]["Mode"] == {"Replicated": {"Replicas": 3}}


def test_the_digest_follows_the_spec_and_a_new_secret_version_changes_it():
    first = Stack(SHOP, "shop").services["shop_web"]["Labels"][SPEC_LABEL]
    assert Stack(SHOP, "shop").services["shop_web"]["Labels"][SPEC_LABEL] == first
    rotated = {**SHOP, "secrets": {**SHOP["secrets"], "token": {"content": "n3w"}}}
    assert Stack(rotated, "shop").services["shop_web"]["Labels"][SPEC_LABEL] != first
    worker = Stack(SHOP, "shop").services["shop_worker"]["Labels"][SPEC_LABEL]
    assert Stack(rotated, "shop").services["shop_worker"]["Labels"][SPEC_LABEL] == worker


def test_resolve_adds_the_ids_the_engine_wants():
    stack = Stack(SHOP, "shop")
    ids = {o["name"]: f"id-{k}" for k, o in [*stack.secrets.items(), *stack.configs.items()]}
    container = resolve(stack.services["shop_web"], ids)["TaskTemplate"]["ContainerSpec"]
    assert [s["SecretID"] for s in container["Secrets"]] == ["id-token", "id-cert"]
    assert container["Configs"][0]["ConfigID"] == "id-app"
    assert "SecretID" not in stack.services["shop_web"]["TaskTemplate"]["ContainerSpec"]["Secrets"][0]


def test_the_stack_travels_from_the_controller_with_its_contents_apart():
    stack = Stack(SHOP, "shop")
    data, contents = stack.carried()
    token = stack.secrets["token"]
    assert "data" not in data["secrets"]["token"] and contents[token["name"]] == token["data"]
    again = Stack.from_carried(data, contents)
    assert again.services == stack.services and again.secrets == stack.secrets and again.networks == stack.networks


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"devices": ["/dev/fuse"]}, "services.web.devices: not a service key stacks support here"),
        ({"deploy": {"mode": "daemon"}}, "services.web.deploy.mode: 'daemon' is not replicated or global"),
        ({"deploy": {"endpoint_mode": "dnsrr"}, "ports": ["80:80"]},
         "services.web.ports: endpoint_mode dnsrr cannot publish through the ingress routing mesh"),
        ({"ports": ["127.0.0.1:80:80"]}, "services.web.ports[0]: '127.0.0.1:80:80' is not PUBLISHED:TARGET"),
        ({"secrets": ["nope"]}, "services.web.secrets[0]: 'nope' is not in the top-level secrets"),
        ({"volumes": ["./data:/data"]}, "services.web.volumes[0]: './data' is relative"),
        ({"networks": ["back"]}, "services.web.networks: 'back' is not in the top-level networks"),
        ({"deploy": {"restart_policy": {"condition": "always"}}},
         "services.web.deploy.restart_policy.condition: 'always' is not one of none, on-failure, any"),
        ({"image": None}, "services.web.image: a swarm service needs an image"),
    ],
)  # fmt: skip
def test_what_a_swarm_cannot_do_is_refused_with_its_path(change, message):
    config = {"services": {"web": {"image": "web:1", **change}}, "secrets": {"token": {"content": "x"}}}
    with pytest.raises(SpecError, match=None) as caught:
        Stack(config, "shop")
    assert str(caught.value).startswith(message), str(caught.value)


def test_what_docker_stack_deploy_ignores_is_ignored_with_a_warning():
    config = {"services": {"web": {"image": "web:1", "build": ".", "restart": "always", "depends_on": ["db"]},
                           "db": {"image": "db:1", "container_name": "db"}}}  # fmt: skip
    stack = Stack(config, "shop")
    assert stack.warnings == [
        "services.web: build, depends_on, restart ignored, as docker stack deploy ignores them",
        "services.db: container_name ignored, as docker stack deploy ignores them",
    ]
    assert "Build" not in str(stack.services["shop_web"])
    assert Stack.from_carried(*stack.carried()).warnings == stack.warnings


def test_a_lone_service_is_named_as_given_and_uses_the_swarms_own_objects():
    lone = Stack.lone_service(
        "proxy",
        {
            "image": "proxy:2",
            "networks": ["front"],
            "secrets": [{"source": "tls_key", "target": "key.pem"}],
            "volumes": ["cache:/var/cache", "/srv/conf:/etc/proxy:ro"],
            "deploy": {"replicas": 2},
        },
    )
    spec = lone.services["proxy"]
    assert spec["Name"] == "proxy"
    assert set(spec["Labels"]) == {SPEC_LABEL}  # no stack's labels
    task = spec["TaskTemplate"]
    assert task["Networks"] == [{"Target": "front", "Aliases": ["proxy"]}]
    assert task["ContainerSpec"]["Secrets"][0]["SecretName"] == "tls_key"
    assert task["ContainerSpec"]["Secrets"][0]["File"]["Name"] == "/run/secrets/key.pem"
    assert [m.get("Source") for m in task["ContainerSpec"]["Mounts"]] == ["cache", "/srv/conf"]
    assert spec["Mode"] == {"Replicated": {"Replicas": 2}}
    assert lone.networks == {} and lone.external_networks == ["front"]
    assert lone.secrets == {"tls_key": {"name": "tls_key", "external": True}}


def test_a_lone_service_without_networks_attaches_to_none():
    assert "Networks" not in Stack.lone_service("one", {"image": "busybox"}).services["one"]["TaskTemplate"]


def test_a_lone_services_mistakes_are_named_as_the_definitions():
    with pytest.raises(SpecError, match=r"^definition\.image: a swarm service needs an image"):
        Stack.lone_service("proxy", {"command": "true"})
    with pytest.raises(SpecError, match=r"^definition\.deploy\.mode: 'sometimes'"):
        Stack.lone_service("proxy", {"image": "busybox", "deploy": {"mode": "sometimes"}})
    with pytest.raises(SpecError, match=r"^definition: a mapping"):
        Stack.lone_service("proxy", "image: busybox")
