"""SQLAlchemy 1.4 (psycopg2 dialect) and pandas 1.5 against the wire server, for python.test.ts.

On first connect SQLAlchemy looks up hstore, parses version(), reads current_schema() and two
SHOW settings; its inspector then runs the pg_catalog queries of
../shared/pg-clients/python_psycopg2_psycopg3_sqlalchemy14.sql. pandas reads through it.
"""
import pandas as pd
from sqlalchemy import MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import URL

from report import section, settings

s = settings()
engine = create_engine(
    URL.create("postgresql+psycopg2", username=s["user"], password=s["password"], host=s["host"], port=s["port"], database=s["dbname"]),
    connect_args={"connect_timeout": 15, "application_name": "odoo-sql-sqlalchemy-test"},
)
state = {}


def inspector():
    if "insp" not in state:
        state["insp"] = inspect(engine)
    return state["insp"]


@section("connect")
def _():
    with engine.connect() as c:
        schema = c.execute(text("select current_schema()")).scalar()
    return {"server_version_info": list(engine.dialect.server_version_info), "schema": schema}


@section("get_table_names")
def _():
    return inspector().get_table_names()


@section("get_columns")
def _():
    return [{"name": c["name"], "type": repr(c["type"]), "nullable": c["nullable"], "comment": c.get("comment")} for c in inspector().get_columns("res_partner")]


@section("get_pk_constraint")
def _():
    return inspector().get_pk_constraint("res_partner")


@section("get_foreign_keys")
def _():
    return [
        {"name": fk["name"], "columns": fk["constrained_columns"], "table": fk["referred_table"], "referred": fk["referred_columns"]}
        for fk in inspector().get_foreign_keys("sale_order")
    ]


@section("select")
def _():
    with engine.connect() as c:
        rows = c.execute(text("SELECT id, name FROM res_partner WHERE is_company = :c ORDER BY id"), {"c": True}).fetchall()
    return [list(r) for r in rows]


@section("autoload_select")
def _():
    countries = Table("res_country", MetaData(), autoload_with=engine)
    stmt = select(countries.c.id, countries.c.code).where(countries.c.id <= 5).order_by(countries.c.id).limit(3)
    with engine.connect() as c:
        rows = c.execute(stmt).fetchall()
    return {"columns": len(countries.columns), "primary_key": [c.name for c in countries.primary_key], "rows": [list(r) for r in rows]}


@section("pandas_read_sql")
def _():
    df = pd.read_sql("SELECT id, code, name FROM res_country ORDER BY id", engine)
    return {"shape": list(df.shape), "columns": list(df.columns), "dtypes": [str(t) for t in df.dtypes], "rows": df.values.tolist()}


@section("pandas_chunks")
def _():
    chunks = pd.read_sql(text("SELECT id FROM res_country ORDER BY id"), engine, chunksize=100)
    return [len(c) for c in chunks]


engine.dispose()
