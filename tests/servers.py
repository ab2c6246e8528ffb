"""Real SPARQL servers for tests: Virtuoso (Debian ``virtuoso-opensource``) and a writable
Oxigraph server, each started on loopback in a temporary folder and stopped afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.serve import free_port, oxigraph_executable

__all__ = ["VIRTUOSO_PASSWORD", "VIRTUOSO_USER", "oxigraph_server", "virtuoso", "virtuoso_server"]

VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # the password of a new Virtuoso database
VIRTUOSO_MAX_ROWS = 20000

_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql}
DisableUnixSocket  = 1
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
DirsAllowed        = {dir}
[HTTPServer]
ServerPort         = 127.0.0.1:{http}
ServerRoot         = {dir}
ServerThreads      = 10
[SPARQL]
ResultSetMaxRows   = {rows}
MaxQueryExecutionTime = 60
"""


def virtuoso() -> str | None:
    """The Virtuoso server executable, if installed."""
    return shutil.which("virtuoso-t")


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK { }"})
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(probe, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"the server at {url} did not start:\n{tail}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[str]:
    """A new Virtuoso database in `folder`, served on loopback; yields its /sparql URL."""
    executable = virtuoso()
    if executable is None:
        raise RuntimeError("virtuoso-t is not installed (Debian package virtuoso-opensource)")
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    config = folder / "virtuoso.ini"
    config.write_text(
        _INI.format(dir=folder, sql=sql_port, http=http_port, rows=VIRTUOSO_MAX_ROWS),
        encoding="utf-8",
    )
    log = folder / "virtuoso.log"
    with (folder / "console.log").open("wb") as console:
        process = subprocess.Popen(
            [executable, "+foreground", "+configfile", str(config)],
            cwd=folder,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        _wait(url, process, 60, log)
        yield url
    finally:
        _stop(process)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[str]:
    """A writable Oxigraph server over a new store in `folder`; yields its /query URL."""
    port = free_port()
    log = folder / "oxigraph.log"
    folder.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(oxigraph_executable()),
                "serve",
                "--location",
                str(folder / "store"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ},
        )
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait(url, process, 20, log)
        yield url
    finally:
        _stop(process)
