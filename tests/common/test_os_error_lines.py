"""An OS error in the one line the command line prints: what could not be written or read, and why."""

import errno
from types import SimpleNamespace

import pytest

from common.errors import error_text
from common.fs import describe_os_error


@pytest.mark.parametrize("code, line", [
    (errno.EROFS, "cannot write /srv/home/run.lock: read-only file system"),
    (errno.ENOSPC, "cannot write /srv/home/run.lock: no space left on the device (disk full)"),
    (errno.EACCES, "cannot access /srv/home/run.lock: permission denied"),
    (errno.ENOTDIR, "cannot access /srv/home/run.lock: a part of the path is a file, not a folder"),
])
def test_the_path_and_the_reason(code, line):
    assert describe_os_error(OSError(code, "system words", "/srv/home/run.lock")) == line


def test_a_rename_names_its_target_and_a_pathless_error_says_the_reason():
    assert describe_os_error(OSError(errno.ENOSPC, "No space left on device", "/a/.tmp", None, "/a/brief.pdf")) == (
        "cannot write /a/brief.pdf: no space left on the device (disk full)")
    assert describe_os_error(OSError(errno.ENOSPC, "No space left on device")) == (
        "cannot write: no space left on the device (disk full)")
    assert describe_os_error(OSError(errno.EIO, "Input/output error", "/dev/x")) == "cannot access /dev/x: input/output error"
    assert describe_os_error(FileNotFoundError("no brief for 2025-06: run `flopcast brief` first")) == (
        "no brief for 2025-06: run `flopcast brief` first")


def test_a_dagster_error_record_of_an_os_error_reads_the_same():
    record = SimpleNamespace(cls_name="OSError", cause=None,
                             message="OSError: [Errno 30] Read-only file system: '/srv/home/landing/x'\n")
    assert error_text(record) == "cannot write /srv/home/landing/x: read-only file system"
    other = SimpleNamespace(cls_name="ValueError", cause=None, message="ValueError: bad cell\n")
    assert error_text(other) == "bad cell"
