"""The README stays true: every setting is documented, the two commands exist."""

from dataclasses import fields
from pathlib import Path

from participation.config import ENV_PREFIX, Config

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    missing = [
        f.name
        for f in fields(Config)
        if f.name != "extra" and f"`{ENV_PREFIX}{f.name}`" not in README
    ]
    assert missing == []


def test_the_two_commands_come_first():
    top = README[: README.index("## What it does")]
    assert "./dev run" in top and "./dev test" in top
