"""What the migrations have in common: the columns and table shapes that recur.

Every name here is the one the naming convention in ``participation.models.base``
gives (marked final with ``op.f``), so a migration written with these helpers
creates what the models declare. Migrations that have run use them: what a
helper creates is history, so never change it; add a new helper instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op
from sqlalchemy.util import set_creation_order

from participation.models.base import UTCDateTime

# The languages the first texts were stored in; Sami columns came later, one by one.
LANGUAGES = ("nb", "nn", "en")


@dataclass(frozen=True)
class Index:
    """An index with its own name (a single column's index is just its column name)."""

    name: str
    columns: tuple[str, ...]
    unique: bool = False
    where: str | None = None  # a partial index, the same on both databases


@dataclass(frozen=True)
class Reference:
    """An integer column and its foreign key to ``target`` (a table, its ``id``, or ``table.column``).

    Stands in ``create_table``'s items where the column goes; required unless ``nullable``,
    as ``timestamp`` is.
    """

    column: str
    target: str
    nullable: bool = False
    ondelete: str | None = None


def id_column() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def per_language(name: str, type_: sa.types.TypeEngine, languages=LANGUAGES) -> list[sa.Column]:
    """``name_nb``, ``name_nn``, ``name_en``: one required column per language."""
    return [sa.Column(f"{name}_{language}", type_, nullable=False) for language in languages]


def foreign_key(table: str, column: str, target: str, *, ondelete: str | None = None):
    """``column`` refers to ``target``: a table (its ``id``) or ``table.column``."""
    referred, _, key = target.partition(".")
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.{key or 'id'}"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete=ondelete,
    )


def create_table(name: str, *items) -> None:
    """``op.create_table``, where a Reference stands for its column and its foreign key.

    The DDL lists a table's constraints in the order they were made: here as autogenerate
    wrote them when the tables were first created (checks, foreign keys by column, the rest).
    """
    columns, checks, keys, rest = [], [], [], []
    for item in items:
        if isinstance(item, Reference):
            columns.append(sa.Column(item.column, sa.Integer(), nullable=item.nullable))
            keys.append(foreign_key(name, item.column, item.target, ondelete=item.ondelete))
        elif isinstance(item, sa.Column):
            columns.append(item)
        elif isinstance(item, sa.CheckConstraint):
            checks.append(item)
        elif isinstance(item, sa.ForeignKeyConstraint):
            keys.append(item)
        else:
            rest.append(item)
    keys.sort(key=lambda key: list(key.column_keys))
    constraints = [*checks, *keys, *rest]
    for constraint in constraints:
        set_creation_order(constraint)
    op.create_table(name, *columns, *constraints)


def create_table_with_id(name: str, *items) -> None:
    """``create_table`` for a table whose primary key is an integer ``id``, first."""
    create_table(name, id_column(), *items, sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")))


def create_link_table(name: str, first: tuple[str, str], second: tuple[str, str], *, index=True):
    """A many-to-many table: two references, both the primary key, deleted with either side.

    ``first`` and ``second`` are (column, referred table or ``table.column``); the
    second column gets its own index unless ``index`` is false.
    """
    columns = (first[0], second[0])
    op.create_table(
        name,
        *(sa.Column(column, sa.Integer(), nullable=False) for column in columns),
        *(
            foreign_key(name, column, target, ondelete="CASCADE")
            for column, target in sorted((first, second))
        ),
        sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{name}")),
    )
    if index:
        create_indexes(name, second[0])


def drop_link_table(name: str, second: str | None = None) -> None:
    """Undo ``create_link_table``; ``second`` names the indexed column, if it was."""
    if second is not None:
        drop_indexes(name, second)
    op.drop_table(name)


def _index(table: str, index: str | Index) -> tuple[str, list[str], bool, dict]:
    if isinstance(index, str):
        return op.f(f"ix_{table}_{index}"), [index], False, {}
    where = {}
    if index.where is not None:
        where = {"sqlite_where": sa.text(index.where), "postgresql_where": sa.text(index.where)}
    return index.name, list(index.columns), index.unique, where


def create_indexes(table: str, *indexes: str | Index) -> None:
    """Each index a column's name (``ix_<table>_<column>``, as ``index=True`` gives) or an Index."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for index in indexes:
            name, columns, unique, where = _index(table, index)
            batch_op.create_index(name, columns, unique=unique, **where)


def drop_indexes(table: str, *indexes: str | Index) -> None:
    """Undo ``create_indexes`` with the same arguments."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for index in reversed(indexes):
            name, _, _, where = _index(table, index)
            batch_op.drop_index(name, **where)


def drop_tables(indexes_by_table: dict[str, tuple[str | Index, ...]]) -> None:
    """Undo creating these tables and then their indexes (``create_indexes``), the last first."""
    for table, indexes in reversed(indexes_by_table.items()):
        drop_indexes(table, *indexes)
        op.drop_table(table)


def add_reference(batch_op, table: str, column: str, referred: str, *, index=True, ondelete=None):
    """Inside ``op.batch_alter_table(table)``: a nullable integer ``column`` referring to
    ``referred.id``, with its index unless ``index`` is false."""
    batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
    if index:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
    batch_op.create_foreign_key(
        batch_op.f(f"fk_{table}_{column}_{referred}"),
        referred,
        [column],
        ["id"],
        ondelete=ondelete,
    )


def drop_reference(batch_op, table: str, column: str, referred: str, *, index=True) -> None:
    """Undo ``add_reference`` with the same arguments."""
    batch_op.drop_constraint(batch_op.f(f"fk_{table}_{column}_{referred}"), type_="foreignkey")
    if index:
        batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
    batch_op.drop_column(column)
