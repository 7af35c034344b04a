"""Keep the database schema current with Alembic migrations.

A new, empty database gets every table at once and is stamped with the newest migration; an
existing one is upgraded. Editors' data survives every release.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from .db import db

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: object) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def ensure_schema(engine: Engine) -> None:
    """Create or upgrade the schema of the database behind `engine`."""
    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        config = alembic_config(connection)
        if "article" not in tables:
            db.metadata.create_all(connection)
            command.stamp(config, "head")
        else:
            command.upgrade(config, "head")


def make_migration(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)


def write_migration(message: str) -> None:
    """Write the next migration: the models compared with a scratch database at the newest one."""
    import tempfile

    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/scratch.db")
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        make_migration(engine, message)
        engine.dispose()
