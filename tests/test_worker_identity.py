"""A job holder is told gone only when it is a process of this host that has ended."""

import socket
import subprocess
import time

from zhizao.worker_identity import _started, is_gone, this_holder


def test_a_killed_process_is_gone_even_before_it_is_reaped():
    child = subprocess.Popen(["sleep", "30"])
    holder = f"{socket.gethostname()}:{child.pid}:{_started(child.pid)}"
    assert not is_gone(holder)
    child.kill()
    for _ in range(100):  # killed, not yet waited for: a zombie
        if is_gone(holder):
            break
        time.sleep(0.01)
    assert is_gone(holder)
    child.wait()
    assert is_gone(holder)


def test_this_process_and_other_hosts_are_never_gone():
    assert not is_gone(this_holder())
    assert not is_gone("another-host:1:1")
    assert not is_gone(None) and not is_gone("") and not is_gone("garbled")
    # the same pid with another start time is another process: the holder is gone
    host, pid, started = this_holder().rsplit(":", 2)
    assert is_gone(f"{host}:{pid}:{int(started) - 1}")
