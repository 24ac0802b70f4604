"""An S3-compatible server for the tests: moto's (from PyPI), a testing server, the only S3 implementation this
machine can run (no MinIO or Ceph in Debian's archive here); the tests that use it say so in their names. It
listens on every address, so that booted hosts (and the registries they run) reach it through the bridge."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass

from ansible_run import VENV_BIN

ACCESS_KEY, SECRET_KEY, REGION = "dockyard-test-key", "dockyard-test-secret-4f1e", "us-east-1"


@dataclass
class S3Server:
    process: subprocess.Popen
    port: int

    def client(self):
        import boto3  # noqa: PLC0415 - only where S3 is tested (the matrix's slices have no boto3)
        from botocore.config import Config  # noqa: PLC0415

        return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.port}", region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=Config(s3={"addressing_style": "path"}))  # fmt: skip

    def keys(self, bucket: str, prefix: str = "") -> dict[str, int]:
        """Key -> size of every object under ``prefix``."""
        found = {}
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.update({item["Key"]: item["Size"] for item in page.get("Contents") or []})
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        return probe.getsockname()[1]


def start_s3_server(log_path) -> S3Server:
    port = _free_port()
    with open(log_path, "w") as log:  # the server keeps its own copy of the descriptor
        process = subprocess.Popen([str(VENV_BIN / "moto_server"), "-H", "0.0.0.0", "-p", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    server = S3Server(process, port)
    deadline = time.monotonic() + 30
    while True:
        try:
            server.client().list_buckets()
            return server
        except Exception:  # noqa: BLE001 - not answering yet
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not answer on port {port}; see {log_path}") from None
            time.sleep(0.3)
