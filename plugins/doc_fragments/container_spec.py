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
      - V(paused) is V(started), then frozen (C(docker pause)); V(started) (or any other running state) on a
        paused container thaws it (C(docker unpause)).
      - V(healthy) is V(started) and then waits up to O(healthy_timeout) seconds for the healthcheck to pass.
      - V(absent) removes it (with its anonymous volumes when O(remove_volumes)).
      - V(completed) runs a job to its end (a migration, a backup, a data container's C(true)) and returns its
        RV(exit_code), RV(stdout) and RV(stderr). It runs once; on later runs the container is left as it is, and
        the output of that run is returned, until the spec changes, O(recreate) is set, or the last run
        ended with an exit code not in O(expected_exit_codes) (then it runs again). A code not in
        O(expected_exit_codes) fails the task.
      - With V(started) (and V(restarted)), a container that has already exited when the task ends is
        reported with its exit code and last log lines, as a failure when the code is not 0, else as a
        warning (a shell with no O(tty) and no O(interactive) exits at once).
    type: str
    default: started
    choices: [present, started, stopped, restarted, absent, healthy, completed, paused]
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
  platform:
    description:
      - The platform the container's image must be for, C(os/architecture[/variant]) (C(linux/arm64/v8)), as
        C(docker run --platform). An image of another platform under the name is pulled for this one (or, with
        O(pull=never), refused with both platforms named); a container of another platform's image is recreated.
    type: str
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
  pids_limit:
    description: How many processes the container may hold at once (C(docker run --pids-limit)); C(0) or C(-1) for
      no limit. Changed in place.
    type: int
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
  tty:
    description: Give the container a terminal (C(docker run -t)). With O(interactive), a shell stays up.
    type: bool
  interactive:
    description: Keep the container's standard input open (C(docker run -i)).
    type: bool
  auto_remove:
    description:
      - Remove the container when it stops (C(docker run --rm)).
      - Such a container is gone after it exits, so every later run with O(state=started) creates it
        again and reports a change. Not with a restart policy, nor with O(state=completed), which keeps
        the container to know that it ran.
    type: bool
  devices:
    description: Host devices as C(/dev/host[:/dev/container][:permissions]), permissions of C(r), C(w), C(m).
    type: list
    elements: str
  dns:
    description: DNS servers of the container, by IP address (C(--dns)).
    type: list
    elements: str
  dns_search:
    description: DNS search domains (C(--dns-search)).
    type: list
    elements: str
  dns_options:
    description: Resolver options (C(--dns-option)), for example C(ndots:2).
    type: list
    elements: str
  extra_hosts:
    description: Host name to IP address lines for the container's C(/etc/hosts) (C(--add-host)); the address
      V(host-gateway) is the host.
    type: dict
  ulimits:
    description: Resource limits as C(name=soft[:hard]) (C(--ulimit)), for example C(nofile=1024:2048).
    type: list
    elements: str
  security_opts:
    description:
      - C(--security-opt) values, for example C(no-new-privileges), C(apparmor=unconfined), C(label=disable).
      - C(seccomp=/path/profile.json) reads the profile on the managed host and sends it, as the CLI does.
    type: list
    elements: str
  pid_mode:
    description: The PID namespace, V(host) or C(container:NAME).
    type: str
  ipc_mode:
    description: The IPC namespace, V(none), V(private), V(shareable), V(host) or C(container:NAME).
    type: str
  shm_size:
    description: The size of C(/dev/shm), for example C(256m).
    type: str
  publish_all_ports:
    description: Publish every exposed port on a port the daemon picks (C(docker run -P)).
    type: bool
  sysctls:
    description: Namespaced kernel parameters, for example C(net.ipv4.ip_unprivileged_port_start=0).
    type: dict
  stop_signal:
    description: The signal that stops the container, as C(SIGTERM), C(TERM) or a number.
    type: str
  links:
    description:
      - Not supported; a task that sets it fails, saying to use a user-defined network
        (M(dockyard.docker.network)) and O(networks[].aliases), as Docker itself advises.
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
    description:
      - Seconds to wait for the container to stop before it is killed; set on the container too
        (C(docker run --stop-timeout)), so that C(docker stop) and a daemon shutdown wait as long.
      - When not set, the container's own value, else Docker's 10.
    type: int
  healthy_timeout:
    description: With O(state=healthy), how many seconds to wait for the healthcheck to pass.
    type: int
    default: 120
  completed_timeout:
    description: With O(state=completed), how many seconds the run may take; a run still going then fails the
      task and is left running (the next run waits for it again).
    type: int
    default: 600
  expected_exit_codes:
    description: With O(state=completed), the exit codes of a run that succeeded.
    type: list
    elements: int
    default: [0]
"""
