"""A safe read-only SPARQL endpoint over the built store: ``kg serve``.

In front, a small HTTP server in this process answers ``/query`` (SPARQL 1.1 Protocol: GET,
form POST or direct POST). It checks the ``Host`` header against the names of the address it
listens on (DNS rebinding), refuses ``SERVICE`` unless federation is allowed, and holds each
query to a time limit. Behind it, a pool of Oxigraph ``serve-read-only`` processes on private
loopback ports runs the queries, one at a time each, over the union of all graphs.

Why processes, and why kill them: the Oxigraph server's own ``--timeout-s`` does not bound a
query. Measured with 0.5.13 on the bundled build with a 1 s limit: a cartesian ``COUNT`` stopped
after 6 s with a ``200`` whose body ends in "The SPARQL operation has been cancelled"; the same
product under ``ORDER BY`` or ``COUNT(DISTINCT …)`` was still running after 60 s, at 21 GiB;
a streamed ``SELECT *`` is never cut at all. So a query over its limit is stopped by killing
the one process that runs it (a new one takes its place), and an answer is sent only once it is
complete (up to a few MiB; beyond that it streams, and a cut leaves the chunked body
unterminated, which clients report as an error, never as a short answer).

The workers die with ``kg serve`` however it stops: on Linux each is started with
``PR_SET_PDEATHSIG`` = SIGKILL (set in the child between fork and exec), so even ``kill -9`` of
``kg serve`` takes them down; a normal stop kills them in order. The signal follows the
*thread* that started a worker, so one long-lived thread, the supervisor, starts them all.

A new build is picked up without serving stale data: every second the supervisor resolves
``store_path(out_dir)``; when it names another store (a build publishes a new one atomically
and the resolved path, or the directory behind it, changes), a new pool is started on it and
switched in at once, and the old pool finishes the queries it is running, then stops. Each
query runs wholly on one store: never a mix, never an error in between.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import ipaddress
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType

from kg.children import die_with_parent
from kg.errors import KgError, StoreError
from kg.graph.store import store_path
from kg.sparql import mentions_service

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "Endpoint",
    "ServerError",
    "Settings",
    "base_url",
    "endpoint",
    "free_port",
    "is_loopback",
    "oxigraph_executable",
    "running_server",
    "serve",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 5.0
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_BUFFERED = 4 << 20  # an answer up to this size is sent whole, with its length
_MAX_REQUEST = 16 << 20
_PROBE = "ASK { }"


class ServerError(KgError):
    """The Oxigraph server could not be found, started or reached."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How ``kg serve`` runs: address, time limit per query, workers, federation, names."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT
    workers: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    allow_service: bool = False
    allowed_hosts: tuple[str, ...] = ()
    poll: float = 1.0


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


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nobody listens on right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) only listens to this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed_names(settings: Settings) -> frozenset[str]:
    """The names a request's Host header may carry: loopback names, the address listened on
    (and this machine's names when that is every address), and those allowed explicitly."""
    names = set(_LOOPBACK_NAMES) | {name.lower() for name in settings.allowed_hosts}
    host = settings.host.lower()
    if host in ("", "0.0.0.0", "::"):
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    else:
        names.add(host)
    return frozenset(names)


def _host_name(header: str) -> str:
    """The name in a Host header, without port, brackets or trailing dot."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0].rstrip(".") if header.count(":") == 1 else header.rstrip(".")


def _checked_store(store_dir: Path) -> Path:
    location = store_path(Path(store_dir))
    if not (location / "CURRENT").exists():
        raise StoreError(f"no kg store at {location}; run 'kg build --out {store_dir}' first")
    return location.resolve()


def _store_identity(store_dir: Path) -> tuple[Path, int, int] | None:
    """What names the published store: its resolved path and the directory behind it."""
    location = store_path(Path(store_dir)).resolve()
    try:
        status = location.stat()
    except OSError:
        return None
    if not (location / "CURRENT").exists():
        return None
    return location, status.st_dev, status.st_ino


class Worker:
    """One Oxigraph ``serve-read-only`` process on a private loopback port, one query at a time."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(oxigraph_executable()),
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                _bind(DEFAULT_HOST, self.port),
                "--union-default-graph",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent(),
            start_new_session=True,
        )
        self.connection = http.client.HTTPConnection(DEFAULT_HOST, self.port)

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout: float = 15.0) -> bool:
        """Whether the process answers a probe query within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        path = "/query?" + urllib.parse.urlencode({"query": _PROBE})
        while time.monotonic() < deadline and self.process.poll() is None:
            probe = http.client.HTTPConnection(DEFAULT_HOST, self.port, timeout=1.0)
            try:
                probe.request("GET", path, headers={"Accept": "application/sparql-results+json"})
                with probe.getresponse() as answer:
                    answer.read()
                    if answer.status == 200:
                        return True
            except OSError:
                time.sleep(0.05)
            finally:
                probe.close()
        return False

    def kill(self) -> None:
        """Stop the process now and reap it."""
        self.connection.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class Pool:
    """The workers over one published store; each query takes one for itself."""

    def __init__(self, location: Path, identity: tuple[Path, int, int]) -> None:
        self.location = location
        self.identity = identity
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.workers: set[Worker] = set()
        self.retired = False
        self.lock = threading.Lock()

    def add(self, worker: Worker) -> None:
        with self.lock:
            self.workers.add(worker)
        self.idle.put(worker)

    def acquire(self, deadline: float) -> Worker | None:
        """An idle worker, waiting until `deadline`; None past it or once the pool retires."""
        while not self.retired:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                worker = self.idle.get(timeout=min(remaining, 0.1))
            except queue.Empty:
                continue
            if worker.process.poll() is None:
                return worker
            self.drop(worker)
        return None

    def release(self, worker: Worker, healthy: bool) -> None:
        if healthy and not self.retired:
            self.idle.put(worker)
        else:
            self.drop(worker)

    def drop(self, worker: Worker) -> None:
        worker.kill()
        with self.lock:
            self.workers.discard(worker)

    def missing(self, size: int) -> int:
        with self.lock:
            return 0 if self.retired else size - len(self.workers)

    def retire(self) -> None:
        """Take no more queries; stop the idle workers (busy ones stop when released)."""
        self.retired = True
        while True:
            try:
                self.drop(self.idle.get_nowait())
            except queue.Empty:
                break

    @property
    def empty(self) -> bool:
        with self.lock:
            return not self.workers

    def close(self) -> None:
        self.retire()
        with self.lock:
            workers = list(self.workers)
        for worker in workers:
            self.drop(worker)


class Supervisor:
    """The one thread that starts workers: keeps the current pool full, follows new builds
    and stops retired pools once their last query is done."""

    def __init__(self, store_dir: Path, settings: Settings) -> None:
        self.store_dir = Path(store_dir)
        self.settings = settings
        self.current: Pool | None = None
        self.retired: list[Pool] = []
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="kg-serve-supervisor", daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.ready.wait()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join()

    def pools(self) -> list[Pool]:
        return [p for p in [self.current, *self.retired] if p is not None]

    def _pool(self, identity: tuple[Path, int, int]) -> Pool | None:
        pool = Pool(identity[0], identity)
        for _ in range(self.settings.workers):
            worker = Worker(pool.location)
            if not worker.wait_ready():
                worker.kill()
                pool.close()
                return None
            pool.add(worker)
        return pool

    def _run(self) -> None:
        try:
            identity = _store_identity(self.store_dir)
            pool = self._pool(identity) if identity else None
            if pool is None:
                raise ServerError(f"oxigraph could not serve {_checked_store(self.store_dir)}")
            self.current = pool
        except BaseException as error:
            self.error = error
            self.ready.set()
            return
        self.ready.set()
        try:
            while not self.stopping.is_set():
                self._follow_store()
                self._refill()
                self._reap()
                self.wake.wait(self.settings.poll)
                self.wake.clear()
        finally:
            for pool in self.pools():
                pool.close()

    def _follow_store(self) -> None:
        identity = _store_identity(self.store_dir)
        if identity is None or self.current is None or identity == self.current.identity:
            return
        fresh = self._pool(identity)
        if fresh is None:
            return  # not servable yet: keep the current store and try again next time
        old, self.current = self.current, fresh
        old.retire()
        self.retired.append(old)

    def _refill(self) -> None:
        pool = self.current
        if pool is None:
            return
        for _ in range(pool.missing(self.settings.workers)):
            worker = Worker(pool.location)
            if worker.wait_ready():
                pool.add(worker)
            else:
                worker.kill()

    def _reap(self) -> None:
        self.retired = [pool for pool in self.retired if not pool.empty]

    def acquire(self, deadline: float) -> tuple[Pool, Worker] | None:
        """A worker of the current pool (of the newest store), waiting until `deadline`."""
        while time.monotonic() < deadline:
            pool = self.current
            if pool is None:
                return None
            worker = pool.acquire(deadline)
            if worker is not None:
                return pool, worker
            self.wake.set()
        return None


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    server: Endpoint
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes: no 40 ms stalls
    server_version = "kg-serve (Oxigraph)"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(lambda: self._query_of_get())

    def do_POST(self) -> None:
        self._answer(lambda: self._query_of_post())

    def _answer(self, read: Callable[[], tuple[str, list[tuple[str, str]]]]) -> None:
        started = time.monotonic()
        try:
            self._check_host()
            if urllib.parse.urlsplit(self.path).path != "/query":
                raise _Refusal(404, "not found; the SPARQL endpoint is /query")
            text, dataset = read()
            if not self.server.settings.allow_service and mentions_service(text):
                raise _Refusal(
                    403, "the query uses SERVICE (federation), which this endpoint does not allow"
                )
        except _Refusal as refusal:
            self._plain(refusal.status, str(refusal))
            return
        self._forward(text, dataset, started + self.server.settings.timeout)

    def _check_host(self) -> None:
        header = self.headers.get("Host")
        if not header:
            raise _Refusal(400, "no Host header")
        if _host_name(header) not in self.server.allowed_names:
            raise _Refusal(403, f"Host {header!r} is not a name of this endpoint")

    def _query_of_get(self) -> tuple[str, list[tuple[str, str]]]:
        fields = urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, True)
        return self._split(fields)

    def _query_of_post(self) -> tuple[str, list[tuple[str, str]]]:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise _Refusal(411, "a POST needs a Content-Length")
        if int(length) > _MAX_REQUEST:
            raise _Refusal(413, f"a request may hold at most {_MAX_REQUEST >> 20} MiB")
        body = self.rfile.read(int(length))
        media = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        fields = urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, True)
        try:
            if media == "application/x-www-form-urlencoded":
                fields += urllib.parse.parse_qsl(body.decode("utf-8"), True)
            elif media == "application/sparql-query":
                fields.append(("query", body.decode("utf-8")))
            else:
                raise _Refusal(415, "send application/sparql-query or a form with query=")
        except UnicodeDecodeError:
            raise _Refusal(400, "the request is not UTF-8") from None
        return self._split(fields)

    @staticmethod
    def _split(fields: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
        queries = [value for name, value in fields if name == "query"]
        if len(queries) != 1:
            raise _Refusal(400, "give exactly one query parameter")
        dataset = [
            (name, value)
            for name, value in fields
            if name in ("default-graph-uri", "named-graph-uri", "union-default-graph")
        ]
        return queries[0], dataset

    def _plain(self, status: int, message: str) -> None:
        body = (message + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self, text: str, dataset: list[tuple[str, str]], deadline: float) -> None:
        limit = self.server.settings.timeout
        taken = self.server.supervisor.acquire(deadline)
        if taken is None:
            self._plain(503, f"every worker stayed busy for the time limit of {limit:g} s")
            return
        pool, worker = taken
        healthy = False
        try:
            healthy = self._relay(worker, text, dataset, deadline)
        finally:
            pool.release(worker, healthy)
            if not healthy:
                self.server.supervisor.wake.set()

    def _relay(
        self,
        worker: Worker,
        text: str,
        dataset: list[tuple[str, str]],
        deadline: float,
    ) -> bool:
        """Run the query on `worker` and send its answer; False if the worker must go. The
        time limit counts from the request, so part of it may have gone to waiting for the
        worker (the time from the request to now)."""
        limit = self.server.settings.timeout
        waited = time.monotonic() - (deadline - limit)
        headers = {
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": self.headers.get("Accept", "*/*"),
        }
        path = "/query" + ("?" + urllib.parse.urlencode(dataset) if dataset else "")
        sent = False
        try:
            answer = _ask(worker, path, text.encode("utf-8"), headers, deadline)
            with answer:
                buffered: list[bytes] = []
                size = 0
                while True:
                    _time_left(worker, deadline)
                    chunk = answer.read1(1 << 16)
                    if not chunk:
                        break
                    if sent:
                        self._chunk(chunk)
                        continue
                    buffered.append(chunk)
                    size += len(chunk)
                    if size > _BUFFERED:
                        self._head(answer, None)
                        sent = True
                        self._chunk(b"".join(buffered))
                if sent:
                    self._chunk(b"")
                else:
                    self._head(answer, size)
                    self.wfile.write(b"".join(buffered))
                return True
        except TimeoutError:
            worker.kill()  # the only sure stop of a query, before anyone is told
            if not sent:
                queued = (
                    f", {waited:.1f} s of it waiting for a free worker" if waited >= 0.1 else ""
                )
                self._plain(503, f"the query ran over the time limit of {limit:g} s{queued}")
            else:
                self.close_connection = True
            return False
        except (OSError, http.client.HTTPException):
            worker.kill()
            if not sent:
                with contextlib.suppress(OSError):
                    self._plain(502, "the query engine stopped; try again")
            self.close_connection = True
            return False

    def _head(self, answer: http.client.HTTPResponse, length: int | None) -> None:
        self.send_response(answer.status)
        for name in ("Content-Type", "Content-Disposition"):
            value = answer.getheader(name)
            if value:
                self.send_header(name, value)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")


def _ask(
    worker: Worker, path: str, body: bytes, headers: dict[str, str], deadline: float
) -> http.client.HTTPResponse:
    """Send the query on the worker's kept-alive connection, once more on a new connection if
    the worker had closed the old one (it does after an error answer)."""
    for attempt in (1, 2):
        try:
            worker.connection.timeout = max(deadline - time.monotonic(), 0.001)
            worker.connection.request("POST", path, body, headers)
            _time_left(worker, deadline)
            return worker.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            worker.connection.close()
            if attempt == 2 or worker.process.poll() is not None:
                raise
    raise AssertionError("unreachable")


def _time_left(worker: Worker, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    if worker.connection.sock is not None:
        worker.connection.sock.settimeout(remaining)


class Endpoint(ThreadingHTTPServer):
    """The front server: one thread per connection, queries handed to the supervisor's pool."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, store_dir: Path, settings: Settings) -> None:
        self.settings = settings
        self.allowed_names = _allowed_names(settings)
        _checked_store(store_dir)
        oxigraph_executable()
        self.address_family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        try:
            super().__init__((settings.host, settings.port), _Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServerError(
                    f"port {settings.port} on {settings.host} is in use; pick another with --port"
                ) from None
            raise ServerError(
                f"cannot listen on {_bind(settings.host, settings.port)}: {error.strerror}"
            ) from None
        self.supervisor = Supervisor(store_dir, settings)
        try:
            self.supervisor.start()
        except BaseException:
            self.server_close()
            raise
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return base_url(str(host), int(port))

    def start(self) -> None:
        self.thread = threading.Thread(target=self.serve_forever, name="kg-serve", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread is not None and self.thread.ident is not None:  # started
            self.shutdown()
            self.thread.join()
        self.server_close()
        self.supervisor.stop()

    def worker_pids(self) -> list[int]:
        return sorted(w.pid for pool in self.supervisor.pools() for w in list(pool.workers))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(store_dir: Path, settings: Settings | None = None) -> int:
    """Serve the store in the foreground until Ctrl-C, SIGTERM or SIGHUP; returns 0.

    No worker outlives this call, nor this process if it is killed.
    """
    server = Endpoint(store_dir, settings or Settings())
    in_main = threading.current_thread() is threading.main_thread()
    stops = (signal.SIGTERM, signal.SIGHUP)
    previous = [signal.signal(s, _interrupt) for s in stops] if in_main else []
    try:
        server.start()  # in the block: a stop that comes as soon as it answers is a stop too
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        for stop, handler in zip(stops, previous, strict=False):
            signal.signal(stop, handler)


@contextmanager
def running_server(
    store_dir: Path,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    settings: Settings | None = None,
) -> Iterator[Endpoint]:
    """Serve the store in the background while the block runs; yields the running endpoint
    (``.url`` is its base URL). Everything is stopped when the block ends."""
    settings = settings or Settings()
    settings = Settings(
        host=host,
        port=port or free_port(host),
        timeout=settings.timeout,
        workers=settings.workers,
        allow_service=settings.allow_service,
        allowed_hosts=settings.allowed_hosts,
        poll=settings.poll,
    )
    server = Endpoint(store_dir, settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()
