# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The options of one container (module_utils/container_spec.py CONTAINER_ARGS)."""

    DOCUMENTATION = r"""
options:
  name:
    description: The container's name.
    type: str
    required: true
  state:
    description:
      - V(started) creates the container when needed and keeps it running; V(present) creates it and leaves
        it as it is (a running container that has to be recreated is started again).
      - V(stopped) creates it when needed and stops it. V(restarted) always restarts it (or starts it).
      - V(healthy) is V(started) and then waits up to O(healthy_timeout) seconds for the healthcheck to pass.
      - V(absent) removes it (with its anonymous volumes when O(remove_volumes)).
    type: str
    default: started
    choices: [present, started, stopped, restarted, absent, healthy]
  image:
    description:
      - The image, by reference or ID. Needed to create the container; when left out, an existing
        container keeps its image.
      - The container is recreated when the image this reference names on the host has another ID
        than the container's; with O(pull=always) that happens when the registry has a new image.
    type: str
  pull:
    description:
      - V(missing) pulls the image only when the host lacks it; V(always) asks the registry every time
        (in check mode, for the digest only, to predict a recreation); V(never) fails when the image is missing.
    type: str
    default: missing
    choices: [missing, always, never]
  pull_retries:
    description: How many more times a pull is tried, with backoff, when the registry does not answer.
    type: int
    default: 3
  command:
    description: The command, as a list of arguments or a string split as a shell would. Replaces the image's CMD.
    type: raw
  entrypoint:
    description: The entrypoint, as a list or a string. Replaces the image's ENTRYPOINT.
    type: raw
  env:
    description:
      - Environment variables. Values are strings; C(true) and C(false) are written in lower case.
      - The image's own variables count as wanted, so they cause no change.
      - In the reported differences and in diff mode, the values of variables whose names contain
        PASS, SECRET, TOKEN, KEY, CREDENTIAL or AUTH are masked. The task's own arguments are shown
        with C(-v); hide them with C(no_log) on the task.
    type: dict
  env_file:
    description: A file on the target of C(KEY=VALUE) lines, read as C(docker run --env-file) does. O(env) wins over it.
    type: path
  labels:
    description: Labels. The image's own labels count as wanted.
    type: dict
  ports:
    description:
      - Published ports as C(docker run -p) writes them, for example C(8080:80), C(127.0.0.1:8080:80),
        C(127.0.0.1::80) (a host port Docker chooses), C(53:53/udp), C(8000-8002:80-82), C([::1]:8080:80).
      - The host port Docker chose is in RV(container.ports).
    type: list
    elements: str
    aliases: [published_ports]
  expose:
    description: Ports exposed without publishing them, for example C(9000) or C(9000-9002/udp).
    type: list
    elements: str
  volumes:
    description:
      - C(/host/path:/container/path[:ro]) binds a host directory (the path must be absolute),
        C(name:/container/path[:ro]) mounts a named volume, and C(/container/path) alone makes an
        anonymous volume. Options after the second colon are V(ro), V(rw), V(z), V(Z), V(nocopy) or a propagation.
    type: list
    elements: str
  volumes_from:
    description: Containers whose volumes this one mounts, as C(name) or C(name:ro).
    type: list
    elements: str
  network_mode:
    description:
      - V(bridge) (the default network), V(host), V(none), C(container:<name>), or a network's name.
      - Without it and with O(networks), the container starts on the first of O(networks).
    type: str
  networks:
    description:
      - The networks the container is on. Missing ones are connected and changed ones reconnected,
        without recreating the container. With the default rule (V(exact)), networks not listed are
        disconnected; set O(comparisons) C(networks) to V(allow_more) to leave them.
    type: list
    elements: dict
    suboptions:
      name:
        description: The network.
        type: str
        required: true
      aliases:
        description: Extra names the container answers to on this network.
        type: list
        elements: str
      ipv4_address:
        description: A static IPv4 address in the network's subnet.
        type: str
      ipv6_address:
        description: A static IPv6 address in the network's subnet.
        type: str
  restart_policy:
    description: When the daemon restarts the container. Changed in place, without recreating it.
    type: str
    choices: ["no", always, on-failure, unless-stopped]
  restart_retries:
    description: With O(restart_policy=on-failure), how many times to restart.
    type: int
  user:
    description: The user (and group) the command runs as, C(name), C(uid) or C(uid:gid).
    type: str
  working_dir:
    description: The working directory of the command.
    type: str
  hostname:
    description: The container's host name.
    type: str
  healthcheck:
    description: How the daemon checks the container is healthy, as C(HEALTHCHECK) in a Dockerfile.
    type: dict
    suboptions:
      test:
        description:
          - A shell command (string), or a list run directly; C(CMD) is put in front unless the list
            starts with C(CMD), C(CMD-SHELL) or C(NONE).
        type: raw
      interval:
        description: Time between checks, for example C(30s) or C(1m30s).
        type: str
      timeout:
        description: Time one check may take.
        type: str
      start_period:
        description: Time after start during which failures do not count.
        type: str
      retries:
        description: Failures in a row before the container is unhealthy.
        type: int
      disable:
        description: Turn off the image's healthcheck.
        type: bool
        default: false
  memory:
    description: Memory limit, for example C(512m) or C(2g). Changed in place.
    type: str
  memory_swap:
    description:
      - Memory plus swap limit (C(-1) is unlimited swap). Changed in place.
      - Ignored with a warning on a host whose kernel does not account swap.
    type: str
  memory_reservation:
    description: Soft memory limit. Changed in place.
    type: str
  cpus:
    description: How many CPUs the container may use, for example C(1.5). Changed in place.
    type: float
  cpu_shares:
    description: Relative CPU weight. Changed in place.
    type: int
  log_driver:
    description: The logging driver, for example C(json-file), C(local) or C(journald); else the daemon's default.
    type: str
  log_options:
    description:
      - Options of the logging driver, for example C(max-size). Compared with V(allow_more) by default,
        because the daemon adds its own default options.
    type: dict
  init:
    description: Run an init process as PID 1 that reaps zombies and forwards signals.
    type: bool
  privileged:
    description: Give the container all capabilities and devices. Prefer O(cap_add).
    type: bool
  read_only:
    description: Mount the container's root file system read-only.
    type: bool
  cap_add:
    description: Capabilities to add, with or without C(CAP_), for example C(NET_ADMIN).
    type: list
    elements: str
  cap_drop:
    description: Capabilities to drop, for example C(ALL) or C(MKNOD).
    type: list
    elements: str
  tmpfs:
    description: tmpfs mounts as C(/path) or C(/path:size=64m,mode=1777).
    type: list
    elements: str
  comparisons:
    description:
      - How an option set in the task is compared with the container, by option name (or C(*) for all);
        V(exact) (the default), V(allow_more) (the container may hold more list items or keys than
        asked), or V(ignore). Options the task does not set are never compared.
      - Names are those of the options, plus C(anonymous_volumes) for volumes without a source.
    type: dict
  recreate:
    description: Recreate the container even when it matches.
    type: bool
    default: false
  remove_volumes:
    description: When removing or recreating the container, remove its anonymous volumes too.
    type: bool
    default: false
  stop_timeout:
    description: Seconds to wait for the container to stop before it is killed. The daemon's default (10) when not set.
    type: int
  healthy_timeout:
    description: With O(state=healthy), how many seconds to wait for the healthcheck to pass.
    type: int
    default: 120
"""
