"""SQL sources against a real PostgreSQL server: a table, a view, a schema-qualified table, a query.

The server is the one ``.ci/run`` starts (``.ci/postgres.sh``: Debian's postgresql package, a
throwaway cluster on a unix socket) and names in ``RCU_POSTGRES_URL``. Without it these tests
skip locally; in CI ``RCU_REQUIRE_POSTGRES`` is set and a missing server is a failure.
Each test run works in its own schemas (dropped at the end), so runs never see each other's tables.
"""

from __future__ import annotations

import os
import uuid

import pytest

from rcu_kit.core.config import Engagement, Source
from rcu_kit.sources.loaders import load_all, load_source, summarise_sources

URL = os.environ.get("RCU_POSTGRES_URL")
if URL is None and os.environ.get("RCU_REQUIRE_POSTGRES"):
    raise RuntimeError("RCU_REQUIRE_POSTGRES is set but RCU_POSTGRES_URL is not: start the server "
                       "with `source .ci/postgres.sh` (as .ci/run does)")
pytestmark = pytest.mark.skipif(URL is None, reason="no PostgreSQL server (RCU_POSTGRES_URL; "
                                "CI starts one with .ci/postgres.sh)")


@pytest.fixture(scope="module")
def schemas():
    """Two fresh schemas: ``<main>`` with a table and a view, ``<other>`` with a table."""
    import sqlalchemy as sa

    main, other = f"rcu_{uuid.uuid4().hex[:8]}", f"erp_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {main}"))
        conn.execute(sa.text(f"CREATE SCHEMA {other}"))
        conn.execute(sa.text(
            f"CREATE TABLE {main}.clients (id integer, nom text, cp text, solde numeric(8,2), "
            "inscrit date, actif boolean)"))
        conn.execute(sa.text(
            f"INSERT INTO {main}.clients VALUES (1, 'DUPONT', '01000', 10.50, '2024-01-31', true), "
            "(2, 'Cœur', NULL, 2.00, NULL, false), (3, '', '75011', NULL, '2023-12-01', NULL)"))
        conn.execute(sa.text(f"CREATE VIEW {main}.clients_actifs AS "
                             f"SELECT id, nom FROM {main}.clients WHERE actif"))
        conn.execute(sa.text(f'CREATE TABLE {other}."Comptes" (code text, "Raison sociale" text)'))
        conn.execute(sa.text(f"INSERT INTO {other}.\"Comptes\" VALUES ('C1', 'ACME SARL')"))
    # The search path puts <main> first, as a client's database puts its own schema.
    url = sa.engine.make_url(URL).update_query_dict({"options": f"-csearch_path={main},public"})
    yield url.render_as_string(hide_password=False), main, other
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {main} CASCADE"))
        conn.execute(sa.text(f"DROP SCHEMA {other} CASCADE"))
    engine.dispose()


def test_table_every_type_as_text(schemas):
    url, main, _ = schemas
    loaded = load_source(Source(name="crm", format="sql", url=url, table="clients"))
    # numeric keeps its scale (10.50), dates ISO, booleans TRUE/FALSE, '' and NULL missing.
    assert loaded.frame.to_dict("list") == {
        "id": ["1", "2", "3"], "nom": ["DUPONT", "Cœur", None], "cp": ["01000", None, "75011"],
        "solde": ["10.50", "2.00", None], "inscrit": ["2024-01-31", None, "2023-12-01"],
        "actif": ["TRUE", "FALSE", None]}
    assert loaded.status == "ok" and loaded.rows_read == 3


def test_view(schemas):
    url, main, _ = schemas
    loaded = load_source(Source(name="actifs", format="sql", url=url, table=f"{main}.clients_actifs"))
    assert loaded.frame.to_dict("list") == {"id": ["1"], "nom": ["DUPONT"]}


def test_schema_qualified_table_with_quoted_names(schemas):
    url, _, other = schemas
    loaded = load_source(Source(name="erp", format="sql", url=url, table=f"{other}.Comptes"))
    assert loaded.frame.to_dict("list") == {"code": ["C1"], "Raison sociale": ["ACME SARL"]}


def test_query(schemas):
    url, main, _ = schemas
    loaded = load_source(Source(name="q", format="sql", url=url,
                                query=f"SELECT nom, cp FROM {main}.clients WHERE id >= 2 ORDER BY id"))
    assert loaded.frame.to_dict("list") == {"nom": ["Cœur", None], "cp": [None, "75011"]}


def test_missing_table_lists_tables_and_views(schemas):
    url, main, other = schemas
    with pytest.raises(ValueError) as err:
        load_source(Source(name="crm", format="sql", url=url, table=f"{main}.contacts"))
    assert (f"no table or view '{main}.contacts'; tables in schema '{main}' are: clients; "
            f"views in schema '{main}' are: clients_actifs") in str(err.value)
    with pytest.raises(ValueError, match=rf"schemas are: .*{other}"):
        load_source(Source(name="crm", format="sql", url=url, table="nowhere.clients"))


def test_failed_sql_source_does_not_stop_the_others(schemas, tmp_path):
    url, main, _ = schemas
    engagement = Engagement(client="C", base_dir=tmp_path, sources=[
        Source(name="bad", format="sql", url=url, query="SELECT * FROM absent_table"),
        Source(name="crm", format="sql", url=url, table=f"{main}.clients")])
    loaded = load_all(engagement)
    summary = summarise_sources(loaded, "en")
    assert summary[["source", "status", "rows_loaded"]].values.tolist() == [
        ["bad", "error", 0], ["crm", "ok", 3]]
    assert 'relation "absent_table" does not exist' in summary.loc[0, "message"]
    assert "rcu@" in summary.loc[0, "location"] or "postgresql" in summary.loc[0, "location"]
