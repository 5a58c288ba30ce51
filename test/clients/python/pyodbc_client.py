"""pyodbc over psqlODBC (Debian python3-pyodbc, odbc-postgresql), for test/clients/odbc.test.ts.

The DSN comes from the odbc.ini the test writes (ODBCINI, ODBCSYSINI). With autocommit off,
psqlODBC wraps every statement in BEGIN / SAVEPOINT _EXEC_SVP_… / RELEASE, and re-reads the
columns of a result's table by the table OID of RowDescription (SQLColumns).
Arguments: {"dsn": str, "orderId": int}.
"""
import pyodbc

from report import args, on_failure, section

a = args()
state = {}
on_failure(lambda: "conn" in state and state["conn"].rollback())


def cursor():
    if "conn" not in state:
        state["conn"] = pyodbc.connect(f"DSN={a['dsn']}", autocommit=False, timeout=15)
    return state["conn"].cursor()


@section("tables")
def _():
    return [r.table_name for r in cursor().tables(schema="public", tableType="TABLE")]


@section("columns")
def _():
    return [[r.column_name, r.type_name, r.nullable, r.ordinal_position] for r in cursor().columns(table="res_partner", schema="public")]


@section("primary_keys")
def _():
    return [[r.column_name, r.key_seq, r.pk_name] for r in cursor().primaryKeys("res_partner", schema="public")]


@section("foreign_keys")
def _():
    return [[r.fk_name, r.pktable_name, r.pkcolumn_name, r.fkcolumn_name] for r in cursor().foreignKeys(foreignTable="sale_order", foreignSchema="public")]


@section("query")
def _():
    cur = cursor()
    cur.execute("SELECT id, name, amount_total, date_order FROM sale_order WHERE id = ?", a["orderId"])
    rows = [list(r) for r in cur.fetchall()]
    description = [[d[0], d[1].__name__] for d in cur.description]
    state["conn"].commit()
    return {"rows": rows, "description": description}


if "conn" in state:
    state["conn"].close()
