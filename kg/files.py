"""Outputs written whole or not at all: a file goes to a temporary name beside its place and is
renamed over it; a folder is written beside its place and swapped in.

A reader (a browser, a server, another process) sees the old output or the new one, never a
half-written file or a folder mixing two runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.errors import OutputError

__all__ = [
    "SITE_MARK",
    "is_standard_output",
    "replace_folder",
    "staging_folder",
    "write_bytes",
    "write_text",
]

SITE_MARK = ".kg-output"
"""The file that marks a folder as written by kg, so that a later run may replace it."""

_RENAME_EXCHANGE = 2


def _cannot(path: Path, error: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {error.strerror or error}")


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _mode() -> int:
    return 0o666 & ~_umask()


def is_standard_output(path: Path | str) -> bool:
    """Whether writing to `path` writes to this process's standard output (``-``,
    ``/dev/stdout``, or the very file or pipe it is): a command that says what it wrote then
    says it on the standard error, not into its own output."""
    if str(path) == "-":
        return True
    try:
        there, here = os.stat(path), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no such file; stdout is no file
        return False
    return (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino)


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then rename it into place.

    A link is followed: its target is written, the link stays. What is not a plain file
    (``/dev/stdout``, a pipe, a terminal) is written into as it is, never replaced; ``-`` is
    the standard output.
    """
    if str(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return Path("-")
    path = Path(path)
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            with path.open("wb") as out:  # through a link too: /dev/stdout is one
                out.write(data)
            return path
        if path.is_symlink():
            path = path.resolve()
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, _mode())
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise _cannot(path, exc) from None
        raise
    return path


def write_text(path: Path | str, text: str) -> Path:
    """Write `text` as UTF-8 (``\\n`` line ends) atomically; see `write_bytes`.

    Text that cannot be encoded (a lone surrogate) raises before anything is written.
    """
    return write_bytes(path, text.encode("utf-8"))


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    done = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    return bool(done == 0)


@contextlib.contextmanager
def staging_folder(final: Path | str) -> Iterator[Path]:
    """A new empty folder beside `final` to write into; removed if the block fails.

    Pass it to `replace_folder` inside the block to publish it.
    """
    final = Path(final)
    if final.exists() and not final.is_dir():
        raise OutputError(f"cannot write {final}: it is a file, not a folder")
    if final.is_dir() and any(final.iterdir()) and not (final / SITE_MARK).exists():
        raise OutputError(f"{final} exists and was not written by kg; give a new or empty folder")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    except OSError as exc:
        raise _cannot(final, exc) from None
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def replace_folder(staging: Path, final: Path | str) -> Path:
    """Publish a complete folder written under `staging` at `final`, replacing a previous one.

    The two are exchanged in one step where the system can; elsewhere the old folder is moved
    aside and the new one renamed in. The previous output is then removed.
    """
    final = Path(final)
    (staging / SITE_MARK).write_text("written by kg\n", encoding="utf-8")
    os.chmod(staging, 0o777 & ~_umask())
    try:
        if final.exists():
            if not _exchange(staging, final):
                aside = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
                aside.rmdir()
                final.rename(aside)
                staging.rename(final)
                shutil.rmtree(aside, ignore_errors=True)
                return final
            shutil.rmtree(staging, ignore_errors=True)
        else:
            staging.rename(final)
    except OSError as exc:
        raise _cannot(final, exc) from None
    return final
