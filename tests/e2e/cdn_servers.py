"""Varnish and nginx from Debian's packages, started in front of a test's ogplatform server.

Each proxy runs as a child process on a free loopback port with every file in the test's
folder (never the system services), configured from the files in ``cache/`` with only the
ports and paths replaced. :class:`OriginLog` tells which requests reached the origin, by the
``X-Request-ID`` every :meth:`Proxy.get` sends and the origin logs on its access line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
VCL = REPO / "cache" / "varnish" / "default.vcl"
NGINX_CONF = REPO / "cache" / "nginx" / "ogplatform.conf"
NGINX_JS_DIR = REPO / "cache" / "nginx"
DEADLINE = 30.0  # seconds for a proxy to answer, or for a log line to appear


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require(thing: str, found: str | None, install: str) -> str:
    """The path found, or fail (in CI) / skip (elsewhere, saying why) when it is missing."""
    if found:
        return found
    reason = f"{thing} is not installed (apt-get install {install})"
    if in_ci():
        pytest.fail(f"{reason}; CI must provide it (.ci/run installs it)", pytrace=False)
    print(f"\nSKIP: {reason}")
    pytest.skip(reason)


def binary(name: str, package: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    return require(name, path, package)


def poll(condition: Any, what: str, deadline: float = DEADLINE, interval: float = 0.1) -> Any:
    """Call ``condition()`` until it returns something truthy; fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > end:
            pytest.fail(f"gave up after {deadline}s waiting for {what}")
        time.sleep(interval)  # polling for a condition, bounded by the deadline above


def render(template: Path, replacements: dict[str, str]) -> str:
    """The shipped file with exact substitutions; each must match once, so drift fails loudly."""
    text = template.read_text()
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{template.name}: expected {old!r} exactly once"
        text = text.replace(old, new)
    return text


class Proxy:
    """A running cache in front of the origin, reached over HTTP."""

    def __init__(self, name: str, base_url: str, workdir: Path, log: Path) -> None:
        self.name = name
        self.base_url = base_url
        self.workdir = workdir
        self.log = log

    def get(self, path: str, headers: dict[str, str] | None = None, *, method: str = "GET",
            transport: httpx.HTTPTransport | None = None) -> httpx.Response:  # fmt: skip
        """One request with its own ``X-Request-ID`` (see ``request_id``), on a new connection."""
        request_id = f"{self.name}-{uuid.uuid4().hex[:16]}"
        with httpx.Client(transport=transport, timeout=30) as client:
            headers = {"X-Request-ID": request_id, **(headers or {})}
            return client.request(method, f"{self.base_url}{path}", headers=headers)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __repr__(self) -> str:
        return self.name


def request_id(response: httpx.Response) -> str:
    return response.request.headers["x-request-id"]


class OriginLog:
    """The requests that reached the origin, from its access log (one JSON line per request)."""

    def __init__(self, server: Any) -> None:
        self.server = server  # tests/e2e/conftest.py RunningServer

    def entries(self) -> list[dict[str, Any]]:
        found = []
        for line in self.server.output().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("event") == "request":
                found.append(entry)
        return found

    def settle(self) -> list[dict[str, Any]]:
        """Every request the origin finished before now is logged: send a marker and wait for it.

        The access line is written just after the response, so a proxied request that reached
        the origin is in the log once a marker sent later is.
        """
        marker = f"barrier-{uuid.uuid4().hex[:16]}"
        self.server.get("/healthz", headers={"X-Request-ID": marker})

        def logged() -> list[dict[str, Any]] | None:
            entries = self.entries()
            return entries if any(e.get("request_id") == marker for e in entries) else None

        return poll(logged, f"the origin to log {marker}")

    def reached(self, response: httpx.Response) -> bool:
        """Did the request that got this response reach the origin?"""
        rid = request_id(response)
        return any(e.get("request_id") == rid for e in self.settle())

    def statuses(self, response: httpx.Response) -> list[int]:
        rid = request_id(response)
        return [e["status"] for e in self.settle() if e.get("request_id") == rid]

    def wait_for(self, responses: list[httpx.Response], what: str) -> dict[str, Any]:
        """The origin's access line for any of these requests (background fetches come late)."""
        ids = {request_id(r) for r in responses}
        return poll(lambda: next((e for e in self.entries() if e.get("request_id") in ids), None),
                    what)  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def _serving(name: str, argv: list[str], port: int, workdir: Path, log: Path) -> Iterator[Proxy]:
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, cwd=workdir, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    proxy = Proxy(name, f"http://127.0.0.1:{port}", workdir, log)
    try:

        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{proxy.output()}")
            try:
                return proxy.get("/healthz").status_code == 200
            except httpx.TransportError:
                return False

        poll(answers, f"{name} to answer /healthz through to the origin", interval=0.2)
        yield proxy
    finally:
        _stop(process)


@contextmanager
def run_varnish(origin_port: int, workdir: Path, port: int | None = None) -> Iterator[Proxy]:
    """varnishd -F with cache/varnish/default.vcl, its backend pointed at the origin."""
    varnishd = binary("varnishd", "varnish")
    require("vmod xkey", _xkey_vmod(), "varnish-modules")
    workdir.mkdir(parents=True, exist_ok=True)
    vcl = workdir / "default.vcl"
    vcl.write_text(render(VCL, {'.port = "8000";': f'.port = "{origin_port}";'}))
    port = port or free_port()
    argv = [varnishd, "-F", "-j", "none",  # no privilege drop: every file is in the tmp folder
            "-a", f"127.0.0.1:{port}", "-T", "127.0.0.1:0", "-n", str(workdir / "state"),
            "-f", str(vcl), "-s", "malloc,64m"]  # fmt: skip
    with _serving("varnish", argv, port, workdir, workdir / "varnishd.log") as proxy:
        yield proxy


def varnish_backend_health(proxy: Proxy) -> str:
    """ "healthy" or "sick": what the VCL's probe thinks of the origin now."""
    varnishadm = binary("varnishadm", "varnish")
    result = subprocess.run([varnishadm, "-n", str(proxy.workdir / "state"), "backend.list", "-j"],
                            capture_output=True, text=True, timeout=10, check=True)  # fmt: skip
    backends = json.loads(result.stdout)[3]
    [origin] = [v for k, v in backends.items() if k.endswith(".origin")]
    return str(origin["probe_message"][2])


def _xkey_vmod() -> str | None:
    for found in sorted(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so")):
        return str(found)
    return None


@contextmanager
def run_nginx(origin_port: int, workdir: Path, port: int | None = None) -> Iterator[Proxy]:
    """nginx -g 'daemon off;' including cache/nginx/ogplatform.conf, with njs loaded."""
    nginx = binary("nginx", "nginx")
    njs = require("nginx njs module", _njs_module(nginx), "libnginx-mod-http-js")
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    site = workdir / "ogplatform.conf"
    site.write_text(render(NGINX_CONF, {
        "listen 80;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{origin_port};",
        "/var/cache/nginx/ogplatform": str(workdir / "cache"),
        'js_path "/etc/nginx/njs/";': f'js_path "{NGINX_JS_DIR}/";',
    }))  # fmt: skip
    # As root, nginx's workers would drop to "nobody", who cannot enter pytest's tmp folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"  {kind}_temp_path {workdir / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    conf = workdir / "nginx.conf"
    conf.write_text(f"""load_module {njs};
{user}worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} notice;
events {{ worker_connections 256; }}
http {{
  access_log {workdir / "access.log"};
{temp}
  include {site};
}}
""")
    argv = [nginx, "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "error.log"),
            "-g", "daemon off;"]  # fmt: skip
    with _serving("nginx", argv, port, workdir, workdir / "nginx.log") as proxy:
        yield proxy


def _njs_module(nginx: str) -> str | None:
    result = subprocess.run([nginx, "-V"], capture_output=True, text=True, timeout=10)
    match = re.search(r"--modules-path=(\S+)", result.stderr)
    for folder in ([match.group(1)] if match else []) + ["/usr/lib/nginx/modules"]:
        module = Path(folder) / "ngx_http_js_module.so"
        if module.exists():
            return str(module)
    return None
