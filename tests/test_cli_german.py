"""The `audionews` command speaks German, click's own messages included, and checks its port."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from audionews import cli_messages
from audionews.cli import cli

CLICK = Path(click.__file__).parent


def click_texts() -> tuple[set[str], set[tuple[str, str]]]:
    """Return every text click passes to gettext (`_`) and ngettext, read from its source."""
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    for path in CLICK.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            texts = [text for text in texts if isinstance(text, str)]
            if node.func.id == "_" and texts:
                singles.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plurals.add((texts[0], texts[1]))
    return singles, plurals


def test_the_catalog_covers_every_text_of_the_installed_click() -> None:
    singles, plurals = click_texts()
    assert "Error: {message}" in singles  # the scan works
    assert singles - set(cli_messages.CATALOG) == set()
    assert plurals - set(cli_messages.PLURALS) == set()


def test_every_click_module_that_uses_gettext_is_translated() -> None:
    using = {
        f"click.{path.stem}"
        for path in CLICK.glob("*.py")
        if "from gettext import" in path.read_text("utf-8")
    }
    assert using <= set(cli_messages.CLICK_MODULES)


def test_translations_keep_the_placeholders() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    # A German text may leave a value out („keine gültige Zahl“), never ask for one more.
    for english, german in cli_messages.CATALOG.items():
        assert fields(german) <= fields(english), english
    for (one, many), (eins, viele) in cli_messages.PLURALS.items():
        assert fields(eins) <= fields(one) and fields(viele) <= fields(many), one


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--port", "99999"], "99999 liegt nicht im Bereich 1<=x<=65535"),
        (["serve", "--port", "0"], "0 liegt nicht im Bereich"),
        (["serve", "--port", "achtzig"], "'achtzig' ist keine gültige Zahl"),
        (["serve", "--gibts-nicht"], "Unbekannte Option: --gibts-nicht"),
        (["sing"], "Unbekannter Befehl 'sing'"),
        (["token", "create"], "Es fehlt das Argument 'NAME'"),
        (["import"], "Keine Dateien angegeben"),
    ],
)
def test_usage_errors_are_german(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, args, prog_name="audionews")
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Fehler: " in result.output
    assert "Error" not in result.output and "Usage" not in result.output
    assert "Traceback" not in result.output


def test_help_is_german() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"], prog_name="audionews")
    assert result.exit_code == 0
    assert result.output.startswith("Aufruf: audionews serve [OPTIONEN]")
    assert "Optionen:" in result.output and "Diese Hilfe zeigen und beenden." in result.output
    for english in ("Usage", "Options", "Show this message", "Port to listen on"):
        assert english not in result.output


def test_a_refused_port_is_said_by_the_real_command(tmp_path: Path) -> None:
    """As a process: nothing starts, one German line, exit code 2."""
    result = subprocess.run(
        [sys.executable, "-m", "audionews", "serve", "--dev", "--port", "99999"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Fehler: Ungültiger Wert für '--port': 99999 liegt nicht im Bereich" in result.stderr
    assert "Error" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "instance").exists()  # refused before anything was set up


def test_command_errors_start_with_fehler() -> None:
    result = CliRunner().invoke(cli, ["import", "/gibt/es/nicht.txt"], prog_name="audionews")
    assert result.exit_code == 1
    assert result.output == "Fehler: /gibt/es/nicht.txt: Datei nicht gefunden.\n"
