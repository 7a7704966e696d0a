"""Is the SQLite file we write to still the configured database?

SQLite keeps an open file's inode: if the file is deleted (or another file is moved to its path)
while the app runs, reads and writes still "work", against a file no one will open again. At
the first connection the file's identity (device, inode) is remembered; every write transaction
checks it when it begins and before it commits, and raises DatabaseLost when the path is gone or
is another file, so the write fails loudly instead of vanishing.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref

from sqlalchemy.engine import Engine

log = logging.getLogger("bot.store")


class DatabaseLost(RuntimeError):
    """The configured SQLite file was deleted or replaced while the app ran; nothing written now
    would last. `str(exc)` says which and where (no secrets: a file path)."""


class SqliteFile:
    """The identity of the file at `path` when it was first opened."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def remember(self) -> None:
        with self._lock:
            if self._identity is None:
                st = os.stat(self.path)
                self._identity = (st.st_dev, st.st_ino)

    def problem(self) -> str | None:
        """None while the path is the file first opened; else what happened to it."""
        if self._identity is None:
            return None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return f"database file {self.path} was deleted while the app ran"
        except OSError as exc:
            return f"database file {self.path} cannot be checked ({exc.strerror})"
        if (st.st_dev, st.st_ino) != self._identity:
            return f"database file {self.path} was replaced by another file while the app ran"
        return None

    def check(self) -> None:
        problem = self.problem()
        if problem is not None:
            log.error("write refused: %s; restart the app to reopen it", problem)
            raise DatabaseLost(problem)


_FILES: weakref.WeakKeyDictionary[Engine, SqliteFile] = weakref.WeakKeyDictionary()


def watch(engine: Engine, path: str) -> SqliteFile:
    """Track the file behind `engine` (its connect hook must call `remember`)."""
    watched = SqliteFile(path)
    _FILES[engine] = watched
    return watched


def sqlite_file(engine: Engine) -> SqliteFile | None:
    return _FILES.get(engine)
