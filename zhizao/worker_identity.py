"""Who holds a capture job: this process, named so a restarted node can tell it is gone.

A job's lease (minutes long, so a slow capture is never taken over) would otherwise keep a job
acknowledged just before a crash waiting out the lease after the restart. A holder is
`host:pid:start`, the process's start time (in clock ticks since boot, from /proc) telling a
dead process from a new one that got the same pid.
"""

from __future__ import annotations

import os
import socket
from functools import cache


def _started(pid: int) -> str | None:
    """The start time of process `pid`, or None when it is not running (or /proc is absent)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # the command name (field 2) may hold spaces: the fields after it are split
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in (b"Z", b"X"):  # field 3, the state: killed, not yet reaped by its parent
        return None
    return fields[19].decode()  # field 22: starttime


def this_holder() -> str:
    # by pid: a server's worker processes are forked, and must not hold jobs in the parent's name
    return _holder(os.getpid())


@cache
def _holder(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{_started(pid) or '?'}"


def is_gone(holder: str | None) -> bool:
    """Whether `holder` was a process on this host that is no longer running. A holder on
    another host, or one this host cannot check, is never called gone: its lease decides."""
    if not holder:
        return False
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or parts[2] == "?":
        return False
    if this_holder().endswith(":?"):  # no /proc here: nothing can be told
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    return _started(pid) != parts[2]
