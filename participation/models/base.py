"""Declarative base and column types shared by every model. No Flask here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, ForeignKey, MetaData, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeEngine

from participation.config import LANGUAGES

# Stable constraint names, so Alembic migrations are the same on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timestamps stored as naive UTC, returned as aware UTC on both databases."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def link_table(name: str, first: tuple[str, str], second: tuple[str, str], *, index=True) -> Table:
    """A many-to-many table: two references, together the primary key, a row deleted
    with either side. ``first`` and ``second`` are (column, ``"table.column"`` it refers
    to); the second column is indexed unless ``index`` is false."""
    indexed = second[0] if index else None
    return Table(
        name,
        Base.metadata,
        *(
            Column(
                column,
                ForeignKey(target, ondelete="CASCADE"),
                primary_key=True,
                index=True if column == indexed else None,
            )
            for column, target in (first, second)
        ),
    )


# The languages a text that is data can have beside Bokmål, which it always has.
OTHER_LANGUAGES = tuple(language for language in LANGUAGES if language != "nb")


class Texts:
    """Texts that are data, one column per language (``title_nb``, ``title_nn`` …).

    ``text("title", "se")``: the field in that language where the model has it and it is
    filled in, else Bokmål (``templates/processes/_macros.html``'s ``lang_of`` marks that
    with ``lang="nb"``)."""

    def text(self, field: str, locale: str) -> str:
        return getattr(self, f"{field}_{self.text_lang(field, locale)}") or ""

    def text_lang(self, field: str, locale: str) -> str:
        """The language ``text(field, locale)`` is written in (for the ``lang`` attribute)."""
        if locale in LANGUAGES and getattr(self, f"{field}_{locale}", None):
            return locale
        return "nb"


def language_columns(
    fields: dict[str, TypeEngine],
    *,
    required: tuple[str, ...] = (),
    languages: tuple[str, ...] = LANGUAGES,
) -> type[Texts]:
    """A ``Texts`` mixin with the columns of a model's texts that are data: for each
    field, in the order given, ``{field}_{language}`` for each of ``languages``.

    None is nullable; each is "" when not filled in, except the Bokmål one of a
    ``required`` field (``title_nb``), which has no default: the forms require it."""
    columns = {}
    for field, type_ in fields.items():
        for language in languages:
            default = {} if language == "nb" and field in required else {"default": ""}
            columns[f"{field}_{language}"] = mapped_column(type_, nullable=False, **default)
    return type("LanguageColumns", (Texts,), columns)
