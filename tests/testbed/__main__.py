"""Command line for the test bed, for people and for CI.

scripts/testbed images                 build (or reuse) every test image
scripts/testbed start 2 debian12       start two booted hosts; writes .testbed/inventory.yml
scripts/testbed stop                   remove the hosts this command started
scripts/testbed sweep                  remove every test host, whoever started it
scripts/testbed store start            start Docker 28.5 on containerd's image store beside the main daemon
                                       (an empty store each time); prints its DOCKER_HOST
scripts/testbed store stop             stop it
scripts/testbed controller -- CMD...   run CMD here on a controller with Debian 13's Python (testbed/controller.py)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import docker

from . import controller, store_daemon
from .hosts import ensure_key, start_hosts, sweep, write_inventory
from .images import DEFAULT_IMAGES, HOST_RELEASES, RECIPES_BY_NAME, ensure_images, say

STATE = Path(__file__).resolve().parents[2] / ".testbed"
CLI_SESSION = "cli"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/testbed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="verb", required=True)
    images = sub.add_parser("images", help="build or reuse test images")
    images.add_argument(
        "names", nargs="*", metavar="NAME", help=f"one of {', '.join(RECIPES_BY_NAME)}; default all but the controller"
    )
    start = sub.add_parser("start", help="start booted hosts and write an inventory")
    start.add_argument("count", type=int)
    start.add_argument("release", choices=sorted(HOST_RELEASES))
    start.add_argument("--session", default=CLI_SESSION, help="label to group these hosts under")
    start.add_argument("--inventory", type=Path, default=STATE / "inventory.yml")
    start.add_argument("--docker-io", action="store_true", help="hosts with the release's docker.io installed already")
    stop = sub.add_parser("stop", help="remove the hosts of a session")
    stop.add_argument("--session", default=CLI_SESSION)
    sub.add_parser("sweep", help="remove every test host")
    store = sub.add_parser("store", help="a second engine on containerd's image store")
    store.add_argument("action", choices=["start", "stop"])
    on_controller = sub.add_parser("controller", help="run a command on a controller with a newer Python")
    on_controller.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.verb == "store":
        if args.action == "start":
            print(store_daemon.start())
        else:
            store_daemon.stop()
        return 0

    client = docker.from_env()
    if args.verb == "controller":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("controller: name a command to run")
        return controller.run(client, command)
    if args.verb == "images":
        unknown = set(args.names) - set(RECIPES_BY_NAME)
        if unknown:
            parser.error(f"unknown image {sorted(unknown)}; use {', '.join(RECIPES_BY_NAME)}")
        ensure_images(client, args.names or DEFAULT_IMAGES)
    elif args.verb == "start":
        key = ensure_key(STATE)
        hosts = start_hosts(client, args.release, args.count, key, session=args.session, docker_io=args.docker_io)
        write_inventory(hosts, key, args.inventory)
        say(f"inventory: {args.inventory}")
    elif args.verb == "stop":
        say(f"removed {sweep(client, session=args.session)} host(s) of session {args.session}")
    else:
        say(f"removed {sweep(client)} host(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
