"""Where a data root may move: the mount a target lands on, filesystems overlay2 refuses, the room the
data needs, and what counts as lost."""

from __future__ import annotations

import os

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils import data_root
from ansible_collections.dockyard.docker.plugins.module_utils.data_root import Inventory, Mount

MOUNTINFO = """\
22 1 0:21 / / rw,relatime shared:1 - overlay overlay rw,lowerdir=/a
30 22 8:1 / /srv rw,relatime shared:2 - ext4 /dev/sda1 rw
31 22 0:40 / /srv/nfs rw,relatime shared:3 - nfs4 server:/export rw
32 22 8:2 / /srv/data\\040disk rw,relatime shared:4 - xfs /dev/sdb1 rw
33 22 0:41 / /run rw shared:5 - tmpfs tmpfs rw
"""


@pytest.mark.parametrize(
    ("path", "point", "fstype"),
    [("/srv/docker", "/srv", "ext4"), ("/srv/nfs/docker/new", "/srv/nfs", "nfs4"),
     ("/srv/data disk/docker", "/srv/data disk", "xfs"), ("/srvx", "/", "overlay"), ("/run/docker", "/run", "tmpfs")],
)  # fmt: skip
def test_a_target_is_on_the_longest_mount_above_it(monkeypatch, path, point, fstype):
    monkeypatch.setattr(data_root, "nearest_existing", lambda given: given)
    mount = data_root.mount_of(path, MOUNTINFO)
    assert (mount.point, mount.fstype) == (point, fstype)


@pytest.mark.parametrize(
    ("fstype", "ftype", "reason"),
    [("nfs4", 1, "NFS cannot hold"), ("cifs", 1, "CIFS/SMB"), ("overlay", 1, "cannot stack on an overlay"),
     ("tmpfs", 1, "emptied at every boot"), ("fuse.sshfs", 1, "(FUSE)"), ("xfs", 0, "without ftype=1"),
     ("xfs", 1, None), ("xfs", None, None), ("ext4", 1, None), ("btrfs", 1, None)],
)  # fmt: skip
def test_filesystems_overlay2_cannot_use_are_named_with_the_reason(fstype, ftype, reason):
    problem = data_root.filesystem_problem(Mount("/data", fstype, "dev"), lambda point: ftype)
    if reason is None:
        assert problem is None
    else:
        assert problem.startswith(f"/data is {fstype}") and reason in problem


def test_room_counts_the_data_and_a_margin():
    needed = 10 * 1024**3
    assert data_root.space_problem("/srv/docker", needed, needed + data_root.SPARE_BYTES) is None
    problem = data_root.space_problem("/srv/docker", needed, needed)
    assert problem == "/srv/docker has 10.0 GiB free and the data needs 10.0 GiB (and 64.0 MiB to spare)"


def test_space_used_counts_a_hard_linked_file_once_and_a_sparse_file_by_its_blocks(tmp_path):
    (tmp_path / "blob").write_bytes(os.urandom(256 * 1024))
    os.link(tmp_path / "blob", tmp_path / "blob-link")
    with open(tmp_path / "sparse", "wb") as handle:
        handle.seek(512 * 1024 * 1024)
        handle.write(b"end")
    used = data_root.bytes_used(str(tmp_path))
    assert 256 * 1024 <= used < 2 * 256 * 1024 + 64 * 1024  # not 512 KiB of blob, not 512 MiB of holes


def test_a_target_must_be_new_or_empty_and_apart_from_the_current_root(tmp_path):
    source, target = tmp_path / "docker", tmp_path / "new"
    source.mkdir()
    assert data_root.target_problems(str(source), str(target)) == []
    target.mkdir()
    assert data_root.target_problems(str(source), str(target)) == []
    for name in "abcdefg":
        (target / name).touch()
    assert data_root.target_problems(str(source), str(target)) == [
        f"{target} is not empty (a, b, c, d, e, ...): give a new or empty directory, so nothing is overwritten"
    ]
    assert "is inside the current data root" in data_root.target_problems(str(source), str(source / "x"))[0]
    assert "holds the current data root" in data_root.target_problems(str(source), str(tmp_path))[0]
    (tmp_path / "file").touch()
    assert data_root.target_problems(str(source), str(tmp_path / "file")) == [
        f"{tmp_path / 'file'} exists and is not a directory"
    ]


def test_what_is_missing_after_a_move_is_named():
    before = Inventory({"sha256:a", "sha256:b"}, {"c1": True, "c2": False}, {"c1": "web", "c2": "data"}, {"v"})
    after = Inventory({"sha256:a"}, {"c1": False}, {"c1": "web"}, set())
    assert data_root.missing(before, after) == ["image sha256:b", "container data", "volume v"]
    assert data_root.missing(before, before) == []
    assert before.running == ["c1"]


def test_an_engine_on_containerds_image_store_is_recognised():
    assert data_root.in_containerd_store({"DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]})
    assert not data_root.in_containerd_store({"DriverStatus": [["Backing Filesystem", "extfs"]]})
    assert not data_root.in_containerd_store({})


@pytest.mark.parametrize(
    ("config", "root"),
    [(None, "/var/lib/containerd"), ('version = 3\nroot = "/srv/containerd"\n', "/srv/containerd"),
     ("version = 2\n[plugins.foo]\n  root = '/elsewhere'\n", "/var/lib/containerd"),
     ("# root = '/commented'\nroot='/data/ctr'\n", "/data/ctr")],
)  # fmt: skip
def test_containerds_root_is_the_top_level_root_of_its_config_else_its_default(config, root):
    assert data_root.containerd_root(config) == root
