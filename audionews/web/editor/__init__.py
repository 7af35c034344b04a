"""The newsroom back office under /redaktion/: every page needs a logged-in editor.

One module per feature: session (login), dashboard, articles, briefing (the day's order),
lexicon, tokens, audit.
"""

from __future__ import annotations

from flask import Flask

from .blueprint import bp


def init_editor(app: Flask) -> None:
    """Register the back office and its login handling on `app`."""
    from . import articles, audit, briefing, dashboard, lexicon, tokens  # noqa: F401  (routes)
    from .session import login_manager

    login_manager.init_app(app)
    app.register_blueprint(bp)
