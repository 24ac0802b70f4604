#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_copy
short_description: Copy files into a container or out of it, as docker cp does, only when their content differs
version_added: 0.3.0
description:
  - Into the container, with O(src) (a file or a directory on the target) or O(content) (the text of one file), the
    result is O(path) in the container; out of it, with O(dest), O(path) is copied to O(dest) on the target.
  - Only what differs is a change; each file's content, mode and (into the container) owner are compared with
    what is already there, so a second run changes nothing. As with C(docker cp), a directory is merged into
    one that exists; files that are only on the receiving side are left alone.
  - Works on running and stopped containers.
options:
  container:
    description: The container, by name or ID.
    type: str
    required: true
  path:
    description: The absolute path in the container, of the file or directory that is copied in (its parent must
      exist) or out.
    type: str
    required: true
  src:
    description: A file or directory on the target to copy into the container as O(path).
    type: path
  content:
    description: The text of the file O(path) in the container.
    type: str
  dest:
    description: Where on the target O(path) is copied out to (its parent directory must exist).
    type: path
  mode:
    description: The mode of the files copied into the container, for example C("0640"); without it, a file from
      O(src) keeps its own and O(content) is C(0644).
    type: raw
  owner:
    description: The numeric user ID that owns what is copied into the container.
    type: int
    default: 0
  group:
    description: The numeric group ID of what is copied into the container.
    type: int
    default: 0
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Compares and says what would change; copies nothing.
  diff_mode:
    support: none
    description: RV(files) names the files that differ.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Put the proxy's configuration in place, then make it read it
  dockyard.docker.container_copy:
    container: proxy
    content: "{{ lookup('ansible.builtin.template', 'nginx.conf.j2') }}"
    path: /etc/nginx/nginx.conf
  notify: Reload the proxy

- name: Fetch the report the job wrote
  dockyard.docker.container_copy:
    container: nightly-report
    path: /out/report.csv
    dest: /srv/reports/latest.csv
"""

RETURN = r"""
files:
  description: The files and directories (relative to O(path)'s parent) that differed and were copied, or would be.
  returned: always
  type: list
  elements: str
  sample: [nginx.conf]
"""

import hashlib
import io
import os
import posixpath
import re
import shutil
import tarfile
import tempfile

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, NotFound, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.resources import inspected

SPOOL_BYTES = 16 << 20  # archives above this go to a temporary file


def manifest(archive: tarfile.TarFile, owners: bool) -> dict[str, tuple]:
    """Member name -> what makes it the same: kind, mode, content digest or link target, and the owner."""
    found = {}
    for member in archive.getmembers():
        name = member.name.rstrip("/")
        if member.isfile():
            digest = hashlib.sha256(archive.extractfile(member).read()).hexdigest()
            what: tuple = ("file", member.mode & 0o7777, digest)
        elif member.isdir():
            what = ("dir", member.mode & 0o7777, None)
        elif member.issym() or member.islnk():
            what = ("link", None, member.linkname)
        else:
            what = ("other", member.mode & 0o7777, None)
        found[name] = (*what, (member.uid, member.gid) if owners else None)
    return found


def renamed(name: str, old_top: str, new_top: str) -> str:
    head, sep, rest = name.partition("/")
    return new_top + sep + rest if head == old_top else name


def container_archive(client, container: str, path: str):
    """The tar of ``path`` in the container (a spooled file), or None when it is not there."""
    try:
        stream, _stat = client.get_archive(container, path)
    except NotFound:
        return None
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    for chunk in stream:
        spool.write(chunk)
    spool.seek(0)
    return spool


def file_mode(value) -> int | None:
    """A mode as Ansible's file modules take it: an octal string, or the number YAML read from 0644."""
    if value is None or isinstance(value, int):
        return value
    if not re.fullmatch(r"0?[0-7]{3,4}", str(value).strip()):
        raise TaskError(f"mode: {value!r} is not an octal mode such as '0644'")
    return int(str(value).strip(), 8)


def outgoing_archive(p: dict, top: str):
    """The tar to send into the container: O(src) or O(content) as ``top``, with the task's owner and mode."""
    mode = file_mode(p["mode"])

    def owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid, info.gid, info.uname, info.gname = p["owner"], p["group"], "", ""
        if mode is not None and info.isfile():
            info.mode = mode
        return info

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with tarfile.open(fileobj=spool, mode="w") as archive:
        if p["content"] is not None:
            data = p["content"].encode("utf-8")
            info = owned(tarfile.TarInfo(top))
            info.size, info.mode = len(data), mode if mode is not None else 0o644
            archive.addfile(info, io.BytesIO(data))
        else:
            archive.add(p["src"], arcname=top, filter=owned)
    spool.seek(0)
    return spool


def differing(wanted: dict[str, tuple], present: dict[str, tuple]) -> list[str]:
    return sorted(name for name, what in wanted.items() if present.get(name) != what)


def copy_in(dm: DockerModule, p: dict, container: dict) -> list[str]:
    parent, top = posixpath.split(p["path"].rstrip("/"))
    with outgoing_archive(p, top) as outgoing:
        with tarfile.open(fileobj=outgoing, mode="r") as archive:
            wanted = manifest(archive, owners=True)
        held = container_archive(dm.client, container["Id"], p["path"])
        present = {}
        if held is not None:
            with held, tarfile.open(fileobj=held, mode="r") as archive:
                present = manifest(archive, owners=True)
        files = differing(wanted, present)
        if files and not dm.module.check_mode:
            outgoing.seek(0)
            try:
                dm.client.put_archive(container["Id"], parent or "/", outgoing.read())
            except NotFound:
                raise TaskError(f"path: the directory {parent or '/'} does not exist in {p['container']!r}") from None
    return files


def copy_out(dm: DockerModule, p: dict, container: dict) -> list[str]:
    held = container_archive(dm.client, container["Id"], p["path"])
    if held is None:
        raise TaskError(f"path: {p['path']} does not exist in {p['container']!r}")
    dest = p["dest"].rstrip("/") or "/"
    parent, top = os.path.split(dest)
    if not os.path.isdir(parent or "."):
        raise TaskError(f"dest: the directory {parent} does not exist on the target")
    with held, tarfile.open(fileobj=held, mode="r") as archive:
        members = archive.getmembers()
        old_top = members[0].name.split("/")[0] if members else top
        wanted = {renamed(name, old_top, top): what for name, what in manifest(archive, owners=False).items()}
        present = {}
        if os.path.lexists(dest):
            local = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
            with tarfile.open(fileobj=local, mode="w") as out:
                out.add(dest, arcname=top)
            local.seek(0)
            with local, tarfile.open(fileobj=local, mode="r") as mine:
                present = manifest(mine, owners=False)
        files = differing(wanted, present)
        if files and not dm.module.check_mode:
            extract(archive, members, old_top, top, parent or ".")
    return files


def extract(archive: tarfile.TarFile, members: list, old_top: str, top: str, parent: str) -> None:
    """The container's files under ``parent`` with the top renamed, owned by whoever runs the task (as the
    CLI does); a name that would land outside ``parent`` is refused."""
    staging = tempfile.mkdtemp(prefix=".dockyard-copy-", dir=parent)
    try:
        for member in members:
            member.name = renamed(member.name, old_top, top)
            if member.name.startswith("/") or ".." in member.name.split("/"):
                raise TaskError(
                    f"path: the container's archive holds {member.name!r}, which would land outside {parent}"
                )
            member.uid, member.gid = os.getuid(), os.getgid()
        archive.extractall(staging, members=members, **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
        staged = os.path.join(staging, top)
        target = os.path.join(parent, top)
        if os.path.isdir(staged) and os.path.isdir(target):
            shutil.copytree(staged, target, symlinks=True, dirs_exist_ok=True)  # merged, as docker cp does
        else:
            os.replace(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "container": {"type": "str", "required": True},
            "path": {"type": "str", "required": True},
            "src": {"type": "path"},
            "content": {"type": "str"},
            "dest": {"type": "path"},
            "mode": {"type": "raw"},
            "owner": {"type": "int", "default": 0},
            "group": {"type": "int", "default": 0},
        },
        mutually_exclusive=[("src", "content", "dest")],
        required_one_of=[("src", "content", "dest")],
        supports_check_mode=True,
    )
    p = dm.params
    with dm.failing():
        if not p["path"].startswith("/") or p["path"].rstrip("/") == "":
            raise TaskError(f"path: {p['path']!r} is not an absolute path below / in the container")
        file_mode(p["mode"])
        if p["src"] is not None and not os.path.exists(p["src"]):
            raise TaskError(f"src: {p['src']} does not exist on the target")
        container = inspected(dm.client.inspect_container, p["container"])
        if container is None:
            raise TaskError(f"container: no container {p['container']!r} on this host")
        files = copy_out(dm, p, container) if p["dest"] else copy_in(dm, p, container)
    dm.exit(changed=bool(files), files=files)


if __name__ == "__main__":
    main()
