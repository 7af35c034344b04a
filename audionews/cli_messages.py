"""German for click's own messages: errors, usage and help of the `audionews` command.

click marks its texts for gettext (`from gettext import gettext as _` in each of its modules) but
ships no translations, and a user's locale should not decide the language of a German product.
`install()` points those module-level `_` and `ngettext` names at this catalog; a text missing
here stays English (`tests/test_cli_german.py` checks the catalog covers click's texts).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import click

# click's msgid -> German. The placeholders stay as click formats them.
CATALOG: dict[str, str] = {
    "Error: {message}": "Fehler: {message}",
    "Error: {e.message}": "Fehler: {e.message}",
    "Error: The two entered values do not match.": (
        "Fehler: Die beiden Eingaben stimmen nicht überein."
    ),
    "Error: The value you entered was invalid.": "Fehler: Die Eingabe ist ungültig.",
    "Error: invalid input": "Fehler: ungültige Eingabe",
    "Aborted!": "Abgebrochen.",
    "Usage:": "Aufruf:",
    "Options": "Optionen",
    "Commands": "Befehle",
    "Show this message and exit.": "Diese Hilfe zeigen und beenden.",
    "Show the version and exit.": "Die Version zeigen und beenden.",
    "%(prog)s, version %(version)s": "%(prog)s, Version %(version)s",
    "Try '{command} {option}' for help.": "Hilfe mit „{command} {option}“.",
    "Missing command.": "Befehl fehlt.",
    "No such command {name!r}.": "Unbekannter Befehl {name!r}.",
    "No such option: {name}": "Unbekannte Option: {name}",
    "Missing argument": "Es fehlt das Argument",
    "Missing option": "Es fehlt die Option",
    "Missing parameter": "Es fehlt der Parameter",
    "Missing parameter: {param_name}": "Es fehlt der Parameter: {param_name}",
    "Missing {param_type}": "Es fehlt: {param_type}",
    "Invalid value for {param_hint}: {message}": "Ungültiger Wert für {param_hint}: {message}",
    "Invalid value: {message}": "Ungültiger Wert: {message}",
    "unknown error": "unbekannter Fehler",
    "Could not open file {filename!r}: {message}": (
        "Die Datei {filename!r} lässt sich nicht öffnen: {message}"
    ),
    "Option {name!r} does not take a value.": "Die Option {name!r} nimmt keinen Wert.",
    "Argument {name!r} takes {nargs} values.": "Das Argument {name!r} braucht {nargs} Werte.",
    "Value must be an iterable.": "Der Wert muss eine Liste sein.",
    "required": "nötig",
    "(dynamic)": "(dynamisch)",
    "env var: {var}": "Umgebungsvariable: {var}",
    "default: {default}": "Vorgabe: {default}",
    "(Deprecated) {text}": "(Veraltet) {text}",
    "DeprecationWarning: The command {name!r} is deprecated.": (
        "Hinweis: Der Befehl {name!r} ist veraltet."
    ),
    "Repeat for confirmation": "Zur Bestätigung wiederholen",
    "Press any key to continue...": "Weiter mit einer beliebigen Taste …",
    "{editor}: Editing failed": "{editor}: Bearbeiten fehlgeschlagen",
    "{editor}: Editing failed: {e}": "{editor}: Bearbeiten fehlgeschlagen: {e}",
    "file": "Datei",
    "directory": "Ordner",
    "path": "Pfad",
    "Choose from:\n\t{choices}": "Zur Wahl:\n\t{choices}",
    "{value!r} is not a valid boolean.": "{value!r} ist kein Wahrheitswert.",
    "{value} is not in the range {range}.": "{value} liegt nicht im Bereich {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} ist keine gültige Zahl.",
    "{value!r} is not a valid UUID.": "{value!r} ist keine gültige UUID.",
    "{name} {filename!r} is a file.": "{name} {filename!r} ist eine Datei.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} ist ein Ordner.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} ist nicht lesbar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} ist nicht beschreibbar.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} ist nicht ausführbar.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} gibt es nicht.",
    "Couldn't detect Bash version, shell completion is not supported.": (
        "Die Bash-Version ist unbekannt; keine Vervollständigung."
    ),
    "Shell completion is not supported for Bash versions older than 4.4.": (
        "Vervollständigung braucht Bash 4.4 oder neuer."
    ),
}

# (singular, plural) -> German (singular, plural).
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Unerwartetes zusätzliches Argument ({args})",
        "Unerwartete zusätzliche Argumente ({args})",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Braucht {nargs} Werte, aber 1 wurde angegeben.",
        "Braucht {nargs} Werte, aber {len} wurden angegeben.",
    ),
    ("Did you mean {possibility}?", "(Possible options: {possibilities})"): (
        "Meinten Sie {possibility}?",
        "(Mögliche Optionen: {possibilities})",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Die Option {name!r} braucht einen Wert.",
        "Die Option {name!r} braucht {nargs} Werte.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} ist nicht {choice}.",
        "{value!r} ist nicht eins von {choices}.",
    ),
    (
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ): (
        "{value!r} passt nicht zum Format {format}.",
        "{value!r} passt zu keinem der Formate {formats}.",
    ),
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): (
        "{len_type} Werte sind nötig, aber {len_value} wurde angegeben.",
        "{len_type} Werte sind nötig, aber {len_value} wurden angegeben.",
    ),
}

# click's modules that bind gettext's functions at import.
CLICK_MODULES = (
    "click._termui_impl",
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.shell_completion",
    "click.termui",
    "click.types",
)


def gettext(message: str) -> str:
    """Return the German of one of click's texts (the text itself when unknown)."""
    return CATALOG.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the German singular or plural of one of click's texts."""
    german = PLURALS.get((singular, plural), (singular, plural))
    return german[0] if n == 1 else german[1]


class Command(click.Command):
    """A command whose usage line says [OPTIONEN]."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIONEN]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    """A group whose usage line and subcommands speak German."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIONEN]")
        kwargs.setdefault("subcommand_metavar", "BEFEHL [ARGUMENTE]...")
        super().__init__(*args, **kwargs)


Group.group_class = Group


def install() -> None:
    """Make click speak German in this process (idempotent)."""
    replacements: dict[str, Callable[..., str]] = {"_": gettext, "ngettext": ngettext}
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a click without that module: nothing to translate there
            continue
        for attribute, function in replacements.items():
            if hasattr(module, attribute):
                setattr(module, attribute, function)
