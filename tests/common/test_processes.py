import socket
import subprocess
import sys
import time
from pathlib import Path

from common.processes import free_port, stop_process_group


def test_free_port_can_be_bound():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def live_members(group: int) -> list[int]:
    """Processes of ``group`` that are still running (zombies left for the reaper do not count)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_stop_process_group_ends_the_leader_and_its_children():
    script = ("import subprocess, sys, time; "
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)")
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 10
    while len(live_members(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(live_members(process.pid)) == 2  # the leader and its child share the group
    stop_process_group(process, grace_s=5)
    assert process.returncode is not None
    deadline = time.monotonic() + 5
    while live_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_members(process.pid) == []
