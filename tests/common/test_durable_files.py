import errno
import os

import pytest

from common.fs import append_synced, atomic_write_bytes, naming_path, replace_synced, write_synced


def test_atomic_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "deep" / "LATEST"
    atomic_write_bytes(path, b"one")
    atomic_write_bytes(path, b"two")
    assert path.read_bytes() == b"two"
    assert os.listdir(path.parent) == ["LATEST"]


def test_a_failed_atomic_write_keeps_the_old_file_and_names_it(tmp_path, monkeypatch):
    path = tmp_path / "LATEST"
    atomic_write_bytes(path, b"old")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError) as raised:
        atomic_write_bytes(path, b"new")
    assert raised.value.errno == errno.ENOSPC and str(path) in str(raised.value)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["LATEST"]


def test_naming_path_keeps_a_path_the_system_call_named(tmp_path):
    named = OSError(errno.EROFS, "Read-only file system", "/elsewhere")
    assert naming_path(named, tmp_path) is named
    unnamed = naming_path(PermissionError(errno.EACCES, "Permission denied"), tmp_path)
    assert isinstance(unnamed, PermissionError) and unnamed.filename == str(tmp_path)


def test_appends_accumulate_and_writes_in_place_overwrite(tmp_path):
    journal = tmp_path / "ledger" / "intents.jsonl"
    append_synced(journal, b"a\n")
    append_synced(journal, b"b\n")
    assert journal.read_bytes() == b"a\nb\n"
    write_synced(journal, b"c\n")
    assert journal.read_bytes() == b"c\n"


def test_replace_synced_moves_the_finished_file_over_the_target(tmp_path):
    source, target = tmp_path / "scratch.db", tmp_path / "published.db"
    source.write_bytes(b"new")
    target.write_bytes(b"old")
    replace_synced(source, target)
    assert target.read_bytes() == b"new" and not source.exists()
    with pytest.raises(FileNotFoundError, match="scratch.db"):
        replace_synced(source, target)
