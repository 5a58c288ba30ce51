"""psycopg2 (Debian python3-psycopg2) against the wire server, for test/clients/python.test.ts.

psycopg2 speaks the simple query protocol only: parameters are interpolated client-side, every
statement runs in an implicit BEGIN, and a named cursor is DECLARE … CURSOR WITHOUT HOLD plus
FETCH FORWARD itersize.
Arguments: {"partnerId": int, "state": str}.
"""
import psycopg2

from report import args, on_failure, section, settings, type_names

a = args()
state = {}
on_failure(lambda: "conn" in state and state["conn"].rollback())


def conn():
    if "conn" not in state:
        state["conn"] = psycopg2.connect(**settings(), application_name="odoo-sql-psycopg2-test", connect_timeout=15)
    return state["conn"]


@section("connect")
def _():
    c = conn()
    return {
        "server_version": c.server_version,
        "params": {k: c.get_parameter_status(k) for k in ("server_encoding", "client_encoding", "DateStyle", "integer_datetimes", "standard_conforming_strings")},
    }


@section("params")
def _():
    with conn().cursor() as cur:
        cur.execute(
            "SELECT id, name, amount_total, date_order FROM sale_order WHERE partner_id = %s AND state = %s ORDER BY id",
            (a["partnerId"], a["state"]),
        )
        rows = cur.fetchall()
        columns = [d.name for d in cur.description]
    conn().commit()
    return {"columns": columns, "rows": rows, "types": [type_names(r) for r in rows]}


@section("named_cursor")
def _():
    with conn().cursor(name="odoo_sql_ss") as cur:
        cur.itersize = 40
        cur.execute("SELECT id, code FROM res_country ORDER BY id")
        rows = [list(r) for r in cur]
    conn().commit()
    return rows


if "conn" in state:
    state["conn"].close()
