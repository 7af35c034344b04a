"""The editors' pronunciation lexicon: written forms and how to say them.

The lexicon is applied before the automatic normalization, and what it produces is not
normalized again, so an editor's entry always wins. All entries are matched in one regex pass,
left to right; at each position the longest written form wins (then case-sensitive before
case-insensitive, then whole-word before part-of-word), and replaced text is never matched
again, so an entry like "Rutte" -> "Rütte" cannot re-apply to its own output.

A `Lexicon` is immutable and hashable, and two lexicons with the same entries are equal in any
order, so it can be part of a cache key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class LexiconEntry:
    """One pronunciation rule: say `spoken` where `written` stands."""

    written: str
    spoken: str
    whole_word: bool = True  # only where `written` is not part of a longer word
    case_sensitive: bool = False

    def __post_init__(self) -> None:
        """Refuse an empty written form: it would match everywhere."""
        if not self.written.strip():
            raise ValueError("a lexicon entry needs a written form")

    @property
    def key(self) -> tuple[str, bool, bool]:
        """Return what makes two entries the same rule (the later one replaces the earlier)."""
        written = " ".join(self.written.split())
        return (
            written if self.case_sensitive else written.casefold(),
            self.case_sensitive,
            self.whole_word,
        )

    def pattern(self) -> str:
        """Return the regex source that matches this entry's written form."""
        source = r"\s+".join(re.escape(part) for part in self.written.split())
        if not self.case_sensitive:
            source = f"(?i:{source})"
        if self.whole_word:
            source = rf"(?<!\w){source}(?!\w)"
        return source


class Lexicon:
    """An immutable set of `LexiconEntry`, applied in a single pass."""

    _entries: tuple[LexiconEntry, ...]

    def __init__(self, entries: Iterable[LexiconEntry] = ()) -> None:
        """Keep one entry per written form and options; a later entry replaces an earlier one."""
        by_key = {entry.key: entry for entry in entries}
        # Longest written form first, so the regex alternation prefers it at each position.
        ordered = sorted(
            by_key.values(),
            key=lambda e: (
                -len(e.key[0]),
                not e.case_sensitive,
                not e.whole_word,
                e.key[0],
                e.spoken,
            ),
        )
        object.__setattr__(self, "_entries", tuple(ordered))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Lexicon is immutable; build a new one")

    @property
    def entries(self) -> tuple[LexiconEntry, ...]:
        """Return the entries in matching order (longest written form first)."""
        return self._entries

    def __iter__(self) -> Iterator[LexiconEntry]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lexicon) and self._entries == other._entries

    def __hash__(self) -> int:
        return hash(self._entries)

    def __repr__(self) -> str:
        return f"Lexicon({list(self._entries)!r})"

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        """Compile all entries into one alternation with a named group per entry."""
        if not self._entries:
            return None
        return re.compile("|".join(f"(?P<e{i}>{e.pattern()})" for i, e in enumerate(self._entries)))

    def replace(self, text: str, say: Callable[[LexiconEntry], str]) -> str:
        """Replace every match in one pass by `say(entry)` of the entry that matched."""
        regex = self._regex
        if regex is None:
            return text
        return regex.sub(lambda m: say(self._entries[int(str(m.lastgroup)[1:])]), text)

    def apply(self, text: str) -> str:
        """Return `text` with every written form replaced by its spoken form."""
        return self.replace(text, lambda entry: entry.spoken)

    def matches(self, text: str) -> bool:
        """Tell whether any entry applies to `text`."""
        regex = self._regex
        return bool(regex and regex.search(text))
