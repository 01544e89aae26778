"""End-to-end fixtures: ogplatform started as a real server process, reached over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent
STARTUP_DEADLINE = 60.0  # seconds; a cold start on a loaded 2-core machine takes a few


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningServer:
    def __init__(self, process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.log = log

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(f"{self.base_url}{path}", timeout=10, **kwargs)  # type: ignore[arg-type]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def run_server(argv: Sequence[str], port: int, cwd: Path, env: dict[str, str] | None = None
               ) -> Iterator[RunningServer]:  # fmt: skip
    """Start a server command, wait until /healthz answers, stop it with SIGTERM at the end."""
    log = cwd / f"server-{port}.log"
    environment = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", **(env or {})}
    environment.pop("OGP_CONFIG", None)
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT,
                                   env=environment, start_new_session=True)  # fmt: skip
    server = RunningServer(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}:\n{server.output()}")
            try:
                if server.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server not answering after {STARTUP_DEADLINE}s:\n{server.output()}")
            time.sleep(0.2)  # polling for a condition, bounded by the deadline above
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder holding a litestar.toml with the embedded defaults, as a newcomer would have."""
    repo = Path(__file__).resolve().parents[2]
    (tmp_path / "litestar.toml").write_text((repo / "litestar.toml").read_text())
    return tmp_path


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def start_server():
    """``with start_server(argv, port, cwd) as server:`` — see :func:`run_server`."""
    return run_server
