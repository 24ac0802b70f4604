"""A rolling change over four booted hosts (site.yml, one host per batch) where the second host's daemon
refuses its setting: the first host has the change, the second is rolled back and still runs, the
last two are untouched, and the run says which host stopped the roll."""

from __future__ import annotations

import json

import yaml

from ansible_run import run_playbook
from engine_host import BASE, SITE, EngineHost

NEW_MIRROR = "https://mirror-two.example.com"


def test_a_roll_stops_at_the_host_that_refuses_and_leaves_the_rest_untouched(start_hosts, ssh_key):
    hosts, inventory = start_hosts("debian12", 4)
    engines = [EngineHost(host, inventory, ssh_key) for host in hosts]
    converged = run_playbook(SITE, inventory=inventory, extra_vars=BASE, env={"ANSIBLE_FORKS": "4"})
    assert converged.returncode == 0, converged.stdout[-3000:]
    before = [engine.daemon_json() for engine in engines]

    # The second host refuses: its daemon cannot start with a storage driver this host does not have.
    layout = yaml.safe_load(inventory.read_text())
    layout["all"]["children"]["docker_hosts"]["hosts"][hosts[1].name]["docker_storage_driver"] = "zfs"
    inventory.write_text(yaml.safe_dump(layout, sort_keys=False))
    mirrors = [*BASE["docker_registry_mirrors"], NEW_MIRROR]
    rolled = run_playbook(SITE, inventory=inventory, extra_vars={**BASE, "docker_registry_mirrors": mirrors,
                                                                 "docker_batch_size": 1})  # fmt: skip
    assert rolled.returncode != 0

    first, refusing, *rest = engines
    assert NEW_MIRROR + "/" in first.info()["RegistryConfig"]["Mirrors"]
    assert "previous daemon.json was restored" in rolled.stdout
    assert refusing.daemon_json() == before[1]
    assert refusing.sh("systemctl is-active docker").strip() == "active"
    for engine, old in zip(rest, before[2:]):
        assert engine.daemon_json() == old
        assert NEW_MIRROR not in json.dumps(engine.info())
        assert engine.host.name not in rolled.stdout.split("PLAY RECAP")[1]  # never reached, not even for facts
    names = [engine.host.name for engine in engines]
    stopped = f"ROLL STOPPED at {names[1]} (batch of {names[1]}); not reached: {names[2]}, {names[3]}."
    assert stopped in rolled.stdout, rolled.stdout[-3000:]
