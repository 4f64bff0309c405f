"""Keeping a SQL query on its own database file: the rules live inside SQLite, not in SQL text matching.

A statement is judged by SQLite's authorizer while it is compiled, so the
rule holds however the SQL is spelled (comments, case, a bound parameter as
the file name, a trigger or view doing it). Refused, because each opens,
creates or copies a file the project did not choose:

- ``ATTACH`` (any file, ``:memory:`` and ``''`` too: a file name given as a bound
  parameter is unknown when the statement is compiled, and one rule without
  exceptions is easier to trust), and with it ``VACUUM INTO`` and ``VACUUM``,
  which SQLite runs as an ATTACH. The connection's attached-database limit is
  also 0, a second wall should the authorizer ever miss a path to ATTACH;
- ``load_extension()`` (also off at the C level in Python's sqlite3) and
  ``fts3_tokenizer()``, which can install native code;
- every ``PRAGMA`` not in :data:`ALLOWED_PRAGMAS`, notably ``temp_store_directory``,
  ``data_store_directory``, ``temp_store`` (set to memory by us, so temporary
  tables and sorts never write files elsewhere), ``writable_schema``,
  ``trusted_schema`` and ``mmap_size``. Of the allowed ones, those in
  :data:`READ_ONLY_PRAGMAS` may only be read, and ``journal_mode`` may only be
  set to a mode whose files stay beside the database.

The database file itself is opened through a ``file:`` URI with ``mode=rw``
(``rwc`` only for a CREATE statement), so SQLite never creates a file the
action did not mean to, and a name with ``?`` or ``#`` cannot add URI options.
Python's ``Connection.backup`` is an API call, not SQL, so no query reaches it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

ALLOWED_PRAGMAS: Final = frozenset(
    {
        "analysis_limit", "application_id", "automatic_index", "busy_timeout", "cache_size", "case_sensitive_like",
        "collation_list", "compile_options", "data_version", "database_list", "defer_foreign_keys", "encoding",
        "foreign_key_check", "foreign_key_list", "foreign_keys", "freelist_count", "function_list",
        "ignore_check_constraints", "incremental_vacuum", "index_info", "index_list", "index_xinfo", "integrity_check",
        "journal_mode", "journal_size_limit", "max_page_count", "module_list", "optimize", "page_count", "page_size",
        "pragma_list", "query_only", "quick_check", "read_uncommitted", "recursive_triggers",
        "reverse_unordered_selects", "schema_version", "secure_delete", "synchronous", "table_info", "table_list",
        "table_xinfo", "temp_store", "user_version", "wal_autocheckpoint", "wal_checkpoint",
    }
)  # fmt: skip
"""Pragmas that read or tune the database itself and touch no other file."""
READ_ONLY_PRAGMAS: Final = frozenset({"compile_options", "schema_version", "temp_store", "data_version", "encoding"})
"""Allowed to read only: setting them would corrupt the schema or undo the sandbox (``temp_store``)."""
JOURNAL_MODES: Final = frozenset({"delete", "truncate", "persist", "memory", "wal"})
"""Journal modes whose files (``-journal``, ``-wal``, ``-shm``) stay beside the database."""
REFUSED_FUNCTIONS: Final = frozenset({"load_extension", "fts3_tokenizer"})

_WHY: Final = "a SQL query reaches only its own database file in the project's folder"


class SqlRefusedError(ValueError):
    """A statement the sandbox refuses; the message says what and why."""


class _Authorizer:
    """The connection's authorizer; remembers why it last said no, for the error message."""

    def __init__(self) -> None:
        self.refusal: str | None = None

    def _deny(self, reason: str) -> int:
        self.refusal = reason
        return sqlite3.SQLITE_DENY

    def __call__(self, action: int, arg1: str | None, arg2: str | None, database: str | None, trigger: str | None) -> int:
        if action == sqlite3.SQLITE_ATTACH:
            target = f" {arg1!r}" if arg1 else ""
            return self._deny(f"ATTACH{target} (also how VACUUM and VACUUM INTO work) is refused: {_WHY}")
        if action == sqlite3.SQLITE_DETACH:
            return self._deny(f"DETACH is refused: {_WHY}")
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in REFUSED_FUNCTIONS:
            return self._deny(f"{arg2}() is refused: it loads native code")
        if action == sqlite3.SQLITE_PRAGMA:
            return self._pragma((arg1 or "").lower(), arg2)
        return sqlite3.SQLITE_OK

    def _pragma(self, name: str, value: str | None) -> int:
        if name not in ALLOWED_PRAGMAS:
            return self._deny(f"PRAGMA {name} is refused: {_WHY}, and this pragma is not one that only reads or tunes it")
        if value is None:
            return sqlite3.SQLITE_OK
        if name in READ_ONLY_PRAGMAS:
            return self._deny(f"PRAGMA {name} can only be read here")
        if name == "journal_mode" and value.strip("'\"").lower() not in JOURNAL_MODES:
            return self._deny(f"PRAGMA journal_mode = {value} is refused (allowed: {', '.join(sorted(JOURNAL_MODES))})")
        return sqlite3.SQLITE_OK


MEMORY: Final = ":memory:"


def connect(database: Path | str, *, create: bool, timeout: float = 5.0) -> tuple[sqlite3.Connection, _Authorizer]:
    """A connection to ``database`` (a resolved path inside the project, or ``:memory:``) with the sandbox on."""
    if database == MEMORY:
        connection = sqlite3.connect(MEMORY, timeout=timeout)
    else:
        uri = f"{Path(database).as_uri()}?mode={'rwc' if create else 'rw'}"
        connection = sqlite3.connect(uri, timeout=timeout, uri=True)
    try:
        connection.execute("PRAGMA temp_store = MEMORY")  # before the authorizer, which refuses setting it
        connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        authorizer = _Authorizer()
        connection.set_authorizer(authorizer)
    except BaseException:
        connection.close()
        raise
    return connection, authorizer


def refusal(authorizer: _Authorizer, error: sqlite3.Error) -> SqlRefusedError | None:
    """The sandbox's reason for ``error``, when the authorizer caused it."""
    if authorizer.refusal is not None:  # one statement per connection: a refusal is this error's cause
        return SqlRefusedError(authorizer.refusal)
    if "too many attached databases" in str(error):
        return SqlRefusedError(f"ATTACH is refused: {_WHY}")
    return None
