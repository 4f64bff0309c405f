"""A real ``redis-server`` on a free loopback port, for the shared run store's tests.

No persistence (``--save '' --appendonly no``), its files in a temporary
folder; started and stopped by the test (``stop()`` kills it as a crash
would, ``start()`` brings it back on the same port, empty). Waits are on
PING with a generous deadline, never on a fixed sleep.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    def __init__(self, folder: Path) -> None:
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(executable).exists():
            pytest.fail("redis-server is not installed; `make test` installs it (as root: apt-get install -y --no-install-recommends redis-server)")
        self.executable = executable
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.folder)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1) as client:
                    if client.ping():
                        return
            except redis.ConnectionError:
                pass
            if self.process.poll() is not None:
                raise AssertionError(f"redis-server exited with {self.process.returncode} (port {self.port})")
            if time.monotonic() > deadline:
                raise AssertionError(f"redis-server did not answer PING within {START_TIMEOUT_S} s")
            time.sleep(0.02)  # polling PING against a deadline, not waiting a fixed time

    def stop(self) -> None:
        """Kill it (as a crash would) and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)
