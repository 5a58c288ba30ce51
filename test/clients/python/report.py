"""Shared by the Python client scripts of test/clients: sections reported as JSON lines.

Each script runs its sections in order; a section prints {"section", "ok": true, "value"} or
{"section", "ok": false, "error", "sqlstate", "trace"}, and a failing section does not stop
the next ones. Connection settings come from the libpq variables PGHOST, PGPORT, PGUSER,
PGPASSWORD and PGDATABASE; test arguments come as one JSON object in argv[1].
"""
import datetime
import decimal
import json
import os
import re
import sys
import traceback
import uuid


def args():
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def settings():
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": int(os.environ.get("PGPORT", "5432")),
        "user": os.environ.get("PGUSER", "admin"),
        "password": os.environ.get("PGPASSWORD", ""),
        "dbname": os.environ.get("PGDATABASE", "odoo"),
    }


def _plain(o):
    # values as the tests compare them: the type's usual text form
    if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
        return o.isoformat()
    if isinstance(o, (decimal.Decimal, uuid.UUID)):
        return str(o)
    if isinstance(o, (bytes, bytearray, memoryview)):
        return bytes(o).hex()
    return str(o)


def emit(record):
    print(json.dumps(record, default=_plain), flush=True)


def _sqlstate(err):
    # SQLAlchemy wraps the driver's error in .orig; psycopg2 has pgcode, psycopg 3 sqlstate,
    # pyodbc puts the SQLSTATE first in args
    for e in (err, getattr(err, "orig", None)):
        if e is None:
            continue
        for attr in ("pgcode", "sqlstate"):
            code = getattr(e, attr, None)
            if code:
                return code
        a = getattr(e, "args", ())
        if a and isinstance(a[0], str) and re.fullmatch(r"[0-9A-Z]{5}", a[0]):
            return a[0]
    return None


_cleanups = []


def on_failure(fn):
    """Run fn after a section fails (a rollback: an aborted transaction must not fail the next sections too)."""
    _cleanups.append(fn)


def section(name):
    """Decorator: run the function now and report its return value (or its error) as `name`."""

    def run(fn):
        try:
            value = fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the script
            emit({
                "section": name,
                "ok": False,
                "error": f"{type(e).__module__}.{type(e).__name__}: {e}".strip(),
                "sqlstate": _sqlstate(e),
                "trace": traceback.format_exc(),
            })
            for cleanup in _cleanups:
                try:
                    cleanup()
                except Exception:  # noqa: BLE001 - the connection may be gone; the next section reports that
                    pass
        else:
            emit({"section": name, "ok": True, "value": value})
        return fn

    return run


def type_names(row):
    return [type(v).__name__ for v in row]
