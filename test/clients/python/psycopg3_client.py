"""psycopg 3 (Debian python3-psycopg, pure Python) against the wire server, for python.test.ts.

psycopg 3 uses the extended protocol: ints go as binary int2/int4/int8 parameters, `%b` sends a
binary parameter, binary=True asks for binary results, prepare_threshold (5) switches to a
named statement, and a named cursor is DECLARE + Describe P of the cursor as a portal.
Arguments: {"orderId": int}.
"""
import psycopg

from report import args, on_failure, section, settings, type_names

a = args()
state = {}
on_failure(lambda: "conn" in state and state["conn"].rollback())
SQL = "SELECT id, name, amount_total, date_order, validity_date, require_signature, currency_rate, tag_ids FROM sale_order WHERE id = {}"


def conn():
    if "conn" not in state:
        s = settings()
        state["conn"] = psycopg.connect(
            host=s["host"], port=s["port"], user=s["user"], password=s["password"], dbname=s["dbname"],
            application_name="odoo-sql-psycopg3-test", connect_timeout=15,
        )
    return state["conn"]


@section("connect")
def _():
    info = conn().info
    return {"server_version": info.server_version, "params": {k: info.parameter_status(k) for k in ("server_encoding", "client_encoding", "DateStyle")}}


@section("binary")
def _():
    out = {}
    with conn().cursor() as cur:
        for label, placeholder, binary in (("text", "%s", False), ("binary", "%b", True)):
            cur.execute(SQL.format(placeholder), (a["orderId"],), binary=binary)
            rows = cur.fetchall()
            res = cur.pgresult
            formats = [res.fformat(i) for i in range(res.nfields)] if res is not None else None
            out[label] = {"rows": rows, "types": [type_names(r) for r in rows], "formats": formats}
    conn().commit()
    return out


@section("prepared")
def _():
    runs = []
    with conn().cursor() as cur:
        for _ in range(7):
            cur.execute(SQL.format("%s"), (a["orderId"],))
            runs.append(cur.fetchall())
    conn().commit()
    return runs


@section("server_cursor")
def _():
    with conn().cursor(name="srv") as cur:
        cur.execute("SELECT id, code FROM res_country ORDER BY id")
        rows = [list(r) for r in cur.fetchall()]
    conn().commit()
    return rows


if "conn" in state:
    state["conn"].close()
