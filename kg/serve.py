"""A SPARQL endpoint over the built store: the Oxigraph server, read-only, at ``/query``.

The ``oxigraph`` executable installed next to this Python runs ``serve-read-only`` with the
union default graph, so queries see every named graph (the digests' ones included) without
``GRAPH`` clauses, as ``kg query`` does.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from kg.errors import KgError, StoreError
from kg.graph.store import store_path

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "ServerError",
    "base_url",
    "endpoint",
    "free_port",
    "oxigraph_executable",
    "running_server",
    "serve",
    "server_command",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
_PROBE = "ASK { }"


class ServerError(KgError):
    """The Oxigraph server could not be found, started or reached."""


def oxigraph_executable() -> Path:
    """The ``oxigraph`` command of this environment (beside sys.executable), else on PATH."""
    folder = Path(sys.executable).parent
    for name in ("oxigraph", "oxigraph.exe"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise ServerError(
        f"no 'oxigraph' executable in {folder} or on PATH; install it with 'pip install oxigraph'"
    )


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def base_url(host: str, port: int) -> str:
    """``http://host:port`` (IPv6 hosts in brackets)."""
    return f"http://{_bind(host, port)}"


def endpoint(base: str) -> str:
    """The SPARQL query endpoint of a server's base URL."""
    return base.rstrip("/") + "/query"


def _checked_store(store_dir: Path) -> Path:
    location = store_path(Path(store_dir))
    if not (location / "CURRENT").exists():
        raise StoreError(f"no kg store at {location}; run 'kg build --out {store_dir}' first")
    return location


def server_command(
    store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> list[str]:
    """The command line that serves the store read-only with the union default graph."""
    return [
        str(oxigraph_executable()),
        "serve-read-only",
        "--location",
        str(_checked_store(store_dir)),
        "--bind",
        _bind(host, port),
        "--union-default-graph",
    ]


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nobody listens on right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _answers(base: str, timeout: float = 1.0) -> bool:
    url = endpoint(base) + "?" + urllib.parse.urlencode({"query": _PROBE})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve the store in the foreground until the server stops, Ctrl-C or SIGTERM.

    Returns the server's exit code (0 when stopped by a signal); the server never outlives
    this call.
    """
    command = server_command(store_dir, host, port)
    if not _port_is_free(host, port):
        raise ServerError(f"port {port} on {host} is in use; pick another with --port")
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    process = subprocess.Popen(command)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(process)
        if in_main:
            signal.signal(signal.SIGTERM, previous)


@contextmanager
def running_server(
    store_dir: Path,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    timeout: float = 30.0,
) -> Iterator[str]:
    """Start the server in the background, wait until /query answers, yield its base URL.

    The server is terminated when the block ends, whatever happens inside it.
    """
    port = port or free_port(host)
    command = server_command(store_dir, host, port)
    base = base_url(host, port)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(base):
                if process.poll() is not None:
                    log.seek(0)
                    lines = log.read().decode(errors="replace").strip().splitlines()
                    raise ServerError(
                        f"oxigraph exited with code {process.returncode}"
                        + (f": {lines[-1]}" if lines else "")
                    )
                if time.monotonic() > deadline:
                    raise ServerError(
                        f"oxigraph did not answer on {endpoint(base)} in {timeout:g} s"
                    )
                time.sleep(0.05)
            yield base
        finally:
            _stop(process)
