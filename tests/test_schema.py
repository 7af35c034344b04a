"""Migrations: the chain of Alembic migrations builds exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from audionews import create_app
from audionews.schema import alembic_config, ensure_schema
from tests.conftest import base_settings


def test_migrations_from_scratch_match_the_models(tmp_path: Path, database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        config = alembic_config(connection)
        command.upgrade(config, "head")
        # Raises if the models have changes that no migration covers.
        command.check(config)
    engine.dispose()


def test_new_database_is_created_and_stamped(tmp_path: Path) -> None:
    app = create_app(base_settings(tmp_path))
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as connection:
        version = connection.execute(text("select version_num from alembic_version")).scalar()
        assert version is not None
        assert "article" in inspect(connection).get_table_names()
    # Starting again upgrades (a no-op) instead of creating.
    ensure_schema(engine)
    engine.dispose()
