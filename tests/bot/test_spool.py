"""The intake spool's file format: what a crash half-way through a write leaves is skipped and reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.spool import HEADER, Spool, SpoolError, frame, read_records

RECORDS = [{"request_id": f"r{n}", "text": f"高 全停止 {n}", "n": n} for n in range(3)]


def written(directory: Path) -> Path:
    spool = Spool(directory)
    for record in RECORDS:
        spool.append(record)
    spool.close_current()
    (path,) = directory.glob("*.spool")
    return path


def test_records_come_back_in_order(tmp_path: Path) -> None:
    found = read_records(written(tmp_path).read_bytes())
    assert found.records == RECORDS and found.problem is None


@pytest.mark.parametrize("cut", [1, HEADER.size - 1, HEADER.size, HEADER.size + 5])
def test_a_record_cut_short_by_a_crash_is_skipped_and_reported(tmp_path: Path, cut: int) -> None:
    path = written(tmp_path)
    data = path.read_bytes()
    torn = data + frame({"request_id": "never acked"})[:cut]
    found = read_records(torn)
    assert found.records == RECORDS  # everything before it is kept
    assert (
        found.problem is not None and "cut short" in found.problem and f"{len(torn) - len(data)} byte" in found.problem
    )


def test_damage_ends_the_file_without_raising(tmp_path: Path) -> None:
    data = bytearray(written(tmp_path).read_bytes())
    second = len(frame(RECORDS[0]))
    data[second + HEADER.size + 3] ^= 0xFF  # a flipped bit in the second record's data
    found = read_records(bytes(data))
    assert found.records == RECORDS[:1]
    assert found.problem is not None and "checksum" in found.problem
    assert read_records(b"garbage that is no spool").problem is not None


def test_a_file_is_replayable_only_once_its_writer_let_go(tmp_path: Path) -> None:
    writer = Spool(tmp_path)
    writer.append(RECORDS[0])
    other = Spool(tmp_path)  # another process in the same directory
    (path,) = tmp_path.glob("*.spool")
    assert writer.replayable() == [] and other.replayable() == [path]
    with other.taken(path) as found:
        assert found is None  # the writer holds it
    writer.close_current()
    with other.taken(path) as found:
        assert found is not None and found.records == RECORDS[:1]
    assert not path.exists()  # deleted once its records were moved


def test_a_killed_writer_leaves_a_file_that_can_be_replayed(tmp_path: Path) -> None:
    script = (
        "import os, sys; from bot.spool import Spool; s = Spool(__import__('pathlib').Path(sys.argv[1])); "
        "s.append({'request_id': 'acked'}); os.write(s._fd, b'SB\\x00'); os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=False)
    spool = Spool(tmp_path)
    (path,) = spool.replayable()
    with spool.taken(path) as found:
        assert found is not None
        assert found.records == [{"request_id": "acked"}] and found.problem is not None


def test_a_directory_that_cannot_be_written_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    spool = Spool(blocked / "spool")
    with pytest.raises(SpoolError):
        spool.append(RECORDS[0])
    assert spool.check_writable() is not None
    assert Spool(tmp_path / "ok").check_writable() is None
    assert os.listdir(tmp_path / "ok") == []  # the probe cleans up
