"""Who holds a lease in the database, and whether that holder is certainly gone.

An owner names its process: `where:pid:token`. `where` is the host name plus, on Linux, the PID
namespace (two containers with one host name are still told apart); `token` is random per owner,
so two holders in one process differ, and a restarted container whose process got its
predecessor's pid is not mistaken for it. A lease of an owner on this machine whose process no
longer exists can be taken over at once; elsewhere, only when its time is up.
"""

from __future__ import annotations

import functools
import os
import socket
import uuid

_MINE: set[str] = set()  # tokens handed out in this process


@functools.cache
def _where() -> str:
    try:
        namespace = os.readlink("/proc/self/ns/pid").removeprefix("pid:").strip("[]")
    except OSError:
        namespace = ""
    host = socket.gethostname().replace(":", "_")
    return f"{host}/{namespace}" if namespace else host


def new_owner() -> str:
    """A fresh owner name for this process."""
    token = uuid.uuid4().hex[:8]
    _MINE.add(token)
    return f"{_where()}:{os.getpid()}:{token}"


def holder_is_gone(owner: str) -> bool:
    """True only when `owner` was a process on this machine that no longer runs."""
    where, _, rest = owner.partition(":")
    pid_text, _, token = rest.partition(":")
    if where != _where() or not pid_text.isdigit() or not token:
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return token not in _MINE  # our pid, but a predecessor's token
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, another user's
        return False
    return False
