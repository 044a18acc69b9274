"""The intake spool: requests acknowledged while the database was unreachable, on local disk.

One append-only file per process under the spool directory (`SUPPORTBOT_SPOOL_DIR`), each record
written and fsynced before Slack is answered. A record is framed so that a crash in the middle of a
write can be told from data:

    b"SB" | length (4 bytes, big endian) | CRC-32 of the data (4 bytes) | data (UTF-8 JSON)

A reader stops at the first record that is cut short or whose checksum does not match, keeps what
came before, and reports what it skipped (a `kill -9` half-way through a write loses only that
record, which was never acknowledged). A process holds an exclusive `flock` on the file it writes;
a file nobody holds belongs to a process that stopped (or was handed over by `close_current`), and
whoever replays it takes the lock while it does, then deletes the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import struct
import threading
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAGIC = b"SB"
HEADER = struct.Struct(">2sII")
SUFFIX = ".spool"
MAX_RECORD = 1 << 20  # a /case request is a few kilobytes; a larger length is damage, not data


class SpoolError(Exception):
    """The spool directory cannot be written: nothing can be accepted without the database."""


def frame(record: dict[str, Any]) -> bytes:
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(MAGIC, len(data), zlib.crc32(data)) + data


@dataclass
class SpoolFile:
    """What a spool file holds: its records in order, and what was skipped (a torn or damaged tail)."""

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None


def read_records(data: bytes, path: Path | None = None) -> SpoolFile:
    """Parse a spool file's bytes; never raises for damage, which ends the file and is reported."""
    found = SpoolFile(path or Path("-"))
    offset = 0
    while offset < len(data):
        problem = _damage(data, offset)
        if problem is not None:
            found.problem = f"{problem} at byte {offset}; {len(data) - offset} byte(s) skipped"
            break
        _, length, _ = HEADER.unpack_from(data, offset)
        start = offset + HEADER.size
        found.records.append(json.loads(data[start : start + length].decode("utf-8")))
        offset = start + length
    return found


def _damage(data: bytes, offset: int) -> str | None:
    """Why the record at `offset` cannot be read, or None."""
    if len(data) - offset < HEADER.size:
        return "a record cut short in its header"
    magic, length, checksum = HEADER.unpack_from(data, offset)
    if magic != MAGIC or length > MAX_RECORD:
        return "not a record"
    body = data[offset + HEADER.size : offset + HEADER.size + length]
    if len(body) < length:
        return f"a record cut short ({len(body)} of {length} bytes)"
    if zlib.crc32(body) != checksum:
        return "a record whose checksum does not match"
    try:
        json.loads(body.decode("utf-8"))
    except ValueError:
        return "a record that is not JSON"
    return None


class Spool:
    """This process's spool file, and the files in the directory that are free to replay."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._path: Path | None = None
        self._records = 0

    def append(self, record: dict[str, Any]) -> None:
        """Write one record and fsync it; raises SpoolError when the directory cannot be written."""
        data = frame(record)
        with self._lock:
            try:
                fd = self._open()
                os.write(fd, data)
                os.fsync(fd)
            except OSError as exc:
                raise SpoolError(f"cannot write the intake spool in {self.directory}: {exc}") from exc
            self._records += 1

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"intake-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
        path = self.directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _fsync_directory(self.directory)  # the file's name survives a power loss too
        self._fd, self._path, self._records = fd, path, 0
        return fd

    def close_current(self) -> None:
        """Stop writing to the current file (if it has records), so that it can be replayed."""
        with self._lock:
            if self._fd is not None and self._records:
                os.close(self._fd)  # releases the lock
                self._fd, self._path = None, None

    @property
    def pending(self) -> bool:
        """Whether this process has spooled records not handed over yet (cheap: no disk access)."""
        return self._fd is not None and self._records > 0

    def replayable(self) -> list[Path]:
        """Spool files no process is writing to, oldest first."""
        if not self.directory.is_dir():
            return []
        files = [p for p in self.directory.glob(f"*{SUFFIX}") if p != self._path]
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name) if p.exists() else (0.0, p.name))

    @contextlib.contextmanager
    def taken(self, path: Path) -> Iterator[SpoolFile | None]:
        """Hold `path` while its records are moved to the database; deleted when the block succeeds.

        None when another process holds it (its writer is alive, or another replica replays it).
        """
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            yield None
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield None
                return
            if not path.exists():  # replayed and deleted by someone else while we waited
                yield None
                return
            with open(fd, "rb", closefd=False) as stream:
                found = read_records(stream.read(), path)
            yield found
            path.unlink(missing_ok=True)
            _fsync_directory(self.directory)
        finally:
            os.close(fd)

    def check_writable(self) -> str | None:
        """A problem writing to the directory (for doctor), or None."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = self.directory / f".probe-{os.getpid()}-{uuid.uuid4().hex[:6]}"
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, b"x")
                os.fsync(fd)
            finally:
                os.close(fd)
                probe.unlink(missing_ok=True)
        except OSError as exc:
            return str(exc)
        return None


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
