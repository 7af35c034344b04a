"""One table of settings: name, default, help. Read from AUDIONEWS_* variables and `.env`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .categories import normalize_category

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent


def templates_folder() -> Path:
    """Return the Jinja templates: in the package when installed from a wheel or an sdist,
    else the top-level templates/ of the checkout (editable install, running from a checkout).
    """
    installed = PACKAGE / "templates"
    return installed if installed.is_dir() else ROOT / "templates"


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on", "ja"}:
        return True
    if lowered in {"0", "false", "no", "off", "nein", ""}:
        return False
    raise ValueError(f"kein Wahrheitswert: {value!r}")


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"muss >= 0 sein: {value!r}")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if number < 0:
        raise ValueError(f"muss >= 0 sein: {value!r}")
    return number


def _above_zero(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError(f"muss > 0 sein: {value!r}")
    return number


def _at_least_one(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"muss >= 1 sein: {value!r}")
    return number


def _http_url(value: str) -> str:
    value = value.strip()
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f"keine http(s)-Adresse: {value!r}")
    return value


def _bitrate(value: str) -> int:
    number = int(value)
    if not 48 <= number <= 320:
        raise ValueError(f"muss zwischen 48 und 320 liegen: {value!r}")
    return number


def _podcast_type(value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in {"episodic", "serial"}:
        raise ValueError(f"episodic oder serial erwartet: {value!r}")
    return lowered


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"keine Zeitzone wie „Europe/Berlin“: {value!r}") from None
    return name


def _hour(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 23:
        raise ValueError(f"muss eine Stunde von 0 bis 23 sein: {value!r}")
    return number


def _rate_limit(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"keine Grenze wie „5 per minute“: {value!r}") from None
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "", "SQLAlchemy URL; empty means SQLite at instance/audionews.db."),
    Setting(
        "BROKER_URL",
        "",
        "Celery broker. Empty runs an embedded worker inside `audionews serve`; "
        "`redis://host:6379/0` runs jobs on `audionews worker` processes.",
    ),
    Setting(
        "MEDIA_DIR", "", "Where audio, transcripts and the segment cache live; empty = media/."
    ),
    Setting(
        "QUEUE_DIR",
        "",
        "Without a broker: the folder of queued jobs the commands share; empty = instance/queue.",
    ),
    Setting(
        "BASE_URL", "", "Public URL of the site; set, the API answers with absolute media URLs."
    ),
    Setting(
        "SECRET_KEY", "", "Signs sessions. Required in production; a dev key is made otherwise."
    ),
    Setting("TTS_ENGINE", "gtts", "Speech engine: `gtts` (Google, online) or `espeak` (offline)."),
    Setting(
        "TTS_FALLBACK",
        "espeak",
        "Engine used when the first one fails after its retries; empty disables the fallback.",
    ),
    Setting("TTS_TIMEOUT", 10.0, "Seconds gTTS waits for one request.", _above_zero),
    Setting("TTS_CONCURRENCY", 4, "gTTS requests in flight per render (2-4).", _positive_int),
    Setting(
        "TTS_RETRIES", 3, "Attempts per gTTS request before it counts as failed.", _positive_int
    ),
    Setting(
        "TTS_BREAKER_SECONDS",
        300.0,
        "After an engine is found unreachable, send work to the fallback for this long.",
        _positive_float,
    ),
    Setting("GTTS_TLD", "com", "Google host suffix for gTTS (translate.google.<tld>).", str),
    Setting("GTTS_SLOW", False, "gTTS slow speaking mode.", _bool),
    Setting(
        "GTTS_URL",
        "",
        "Replaces Google's batchexecute URL for every gTTS request (an egress proxy or a test "
        "double); empty = https://translate.google.<GTTS_TLD>/_/TranslateWebserverUi/data/"
        "batchexecute. Audio from another URL is cached apart from Google's.",
        _http_url,
    ),
    Setting(
        "GTTS_MAX_CONCURRENT",
        4,
        "gTTS requests in flight at once across every process of the deployment (kept in Redis "
        "when BROKER_URL is redis://, else per process).",
        _at_least_one,
    ),
    Setting(
        "GTTS_RATE",
        10.0,
        "gTTS requests started per second across every process of the deployment (evenly "
        "spaced; 0 = no rate limit).",
        _positive_float,
    ),
    Setting("ESPEAK_VOICE", "de", "espeak-ng voice.", str),
    Setting("ESPEAK_RATE", 145, "espeak-ng speaking rate in words per minute.", _positive_int),
    Setting("MP3_BITRATE", 64, "MP3 bit rate in kbit/s (mono, 48 to 320).", _bitrate),
    Setting(
        "LOUDNESS_LUFS",
        -19.0,
        "Loudness of every MP3 (mono -19 LUFS = the podcast standard -16 LUFS on two speakers).",
        float,
    ),
    Setting(
        "LEAD_IN_MS",
        300,
        "Silence at the start of every MP3 before the first word (players and speech "
        "recognizers clip the first moments); rounded to whole MP3 frames, at least about 80 ms; "
        "0 = none.",
        _positive_int,
    ),
    Setting("PAUSE_PIECE_MS", 150, "Pause between pieces of one long sentence.", _positive_int),
    Setting("PAUSE_SENTENCE_MS", 450, "Pause after a sentence.", _positive_int),
    Setting("PAUSE_PARAGRAPH_MS", 800, "Pause after a paragraph.", _positive_int),
    Setting("PAUSE_SECTION_MS", 1200, "Pause after the title and between sections.", _positive_int),
    Setting("PUBLISHER", "audionews", "Artist/publisher written into the ID3 tags.", str),
    Setting("PODCAST_TITLE", "audionews", "Album tag and podcast title.", str),
    Setting(
        "JOB_LEASE_SECONDS",
        60.0,
        "A rendering job's lease: its worker renews it every quarter of this while it renders; "
        "once it runs out (the worker died), the sweeper gives the job to another worker.",
        _above_zero,
    ),
    Setting(
        "JOB_STALE_SECONDS",
        300.0,
        "A queued job no worker has taken for this long is sent again (its message may be lost).",
        _positive_float,
    ),
    Setting("SWEEP_SECONDS", 15.0, "How often workers look for lost renders.", _above_zero),
    Setting("MAX_ARTICLE_BYTES", 200_000, "Largest accepted article text.", _positive_int),
    Setting(
        "METRICS_TOKEN",
        "",
        "Who may read GET /metrics: empty = only direct requests from this machine (loopback, "
        "no proxy headers); set = also anyone sending `Authorization: Bearer <token>`.",
        str,
    ),
    Setting(
        "CACHE_PRUNE",
        True,
        "Workers prune the cache once a day (`audionews cache prune`).",
        _bool,
    ),
    Setting(
        "CACHE_KEEP_DAYS",
        30.0,
        "The prune keeps the cached segments and chunks of every current rendition and of every "
        "rendition made in the last this many days (`--older-than` overrides it).",
        _positive_float,
    ),
    Setting(
        "MEDIA_GRACE_DAYS",
        30.0,
        "Published files of a superseded rendition stay this many days after a newer one "
        "replaced it, since feeds and podcast apps still link them.",
        _positive_float,
    ),
    Setting(
        "DEV",
        False,
        "Development mode: `audionews serve` starts without SECRET_KEY and keeps a generated "
        "key in instance/dev-secret-key (same as `serve --dev`).",
        _bool,
    ),
    Setting(
        "SECURE_COOKIES",
        False,
        "Send the back-office session cookie over HTTPS only; on by itself when BASE_URL "
        "starts with https://.",
        _bool,
    ),
    Setting(
        "LOGIN_LIMIT",
        "5 per minute; 30 per hour",
        "Failed back-office logins allowed per account and per address (Flask-Limiter syntax); "
        "counted in Redis when BROKER_URL is redis://, in memory otherwise.",
        _rate_limit,
    ),
    Setting(
        "TIMEZONE",
        "Europe/Berlin",
        "Time zone of the newsroom: which day an article belongs to, dates on pages.",
        _timezone,
    ),
    Setting(
        "DAY_START_HOUR",
        0,
        "Hour (0-23, local time) at which a news day begins; articles published earlier "
        "belong to the day before.",
        _hour,
    ),
    Setting(
        "DAISY_KEEP_DAYS",
        30,
        "Days the DAISY edition of a news day stays downloadable (0: forever).",
        _positive_int,
    ),
    Setting("FEED_ITEMS", 100, "Episodes in each podcast feed, newest first.", _positive_int),
    Setting(
        "FEED_RECHECK_SECONDS",
        1.0,
        "A built feed is served this long before the database is asked whether it changed.",
        _positive_float,
    ),
    Setting(
        "PODCAST_DESCRIPTION",
        "Aktuelle Nachrichten zum Hören: jede Meldung mit Kurzfassung und Hauptartikel.",
        "Channel description of the podcast feeds.",
        str,
    ),
    Setting("PODCAST_AUTHOR", "audionews", "`itunes:author` and owner name of the feeds.", str),
    Setting(
        "PODCAST_EMAIL",
        "podcast@example.org",
        "Owner e-mail (`itunes:owner`, `podcast:locked`); Apple mails the verification code here.",
        str,
    ),
    Setting(
        "PODCAST_COPYRIGHT", "", "Copyright line of the feeds; empty = „© <PODCAST_AUTHOR>“.", str
    ),
    Setting(
        "PODCAST_CATEGORY",
        "News > Daily News",
        "Apple Podcasts category, „Category > Subcategory“ from Apple's list.",
        normalize_category,
    ),
    Setting(
        "PODCAST_IMAGE",
        "",
        "URL of the cover (square JPEG/PNG, 1400-3000 px, RGB); empty = a generated cover.",
        str,
    ),
    Setting("PODCAST_EXPLICIT", False, "`itunes:explicit` of the feeds.", _bool),
    Setting("PODCAST_TYPE", "episodic", "`itunes:type`: `episodic` or `serial`.", _podcast_type),
    Setting(
        "PODCAST_LOCKED",
        True,
        "`podcast:locked`: other hosts may not import the feed without the owner's consent.",
        _bool,
    ),
)

PREFIX = "AUDIONEWS_"


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting, parsed, from `environ` (default: os.environ after `.env`)."""
    if environ is None:
        from dotenv import load_dotenv

        load_dotenv(Path.cwd() / ".env", override=False)
        environ = os.environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(PREFIX + setting.name)
        if raw is None:
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise SettingsError(f"{PREFIX}{setting.name}: {exc}") from None
    return values


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}
