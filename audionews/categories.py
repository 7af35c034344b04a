"""Apple Podcasts categories: the only values `itunes:category` may carry."""

from __future__ import annotations

import re

# https://podcasters.apple.com/support/1691-apple-podcasts-categories
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": (
        "Books",
        "Design",
        "Fashion & Beauty",
        "Food",
        "Performing Arts",
        "Visual Arts",
    ),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

_SEPARATOR = re.compile(r"\s*[>›]\s*")


def parse_category(value: str) -> tuple[str, str | None]:
    """Return (category, subcategory or None) from "News > Daily News" (or "News › Daily News").

    Raise ValueError for anything that is not on Apple's list.
    """
    parts = [part.strip() for part in _SEPARATOR.split(value.strip())]
    if not parts[0] or len(parts) > 2:
        raise ValueError(f"erwartet „Kategorie > Unterkategorie“ aus Apples Liste: {value!r}")
    top = parts[0]
    if top not in APPLE_CATEGORIES:
        raise ValueError(f"keine Kategorie von Apple Podcasts: {top!r}")
    if len(parts) == 1:
        return top, None
    if parts[1] not in APPLE_CATEGORIES[top]:
        raise ValueError(f"keine Unterkategorie von {top!r} bei Apple Podcasts: {parts[1]!r}")
    return top, parts[1]


def normalize_category(value: str) -> str:
    """Return the checked category as "Top > Sub" (the settings parser)."""
    top, sub = parse_category(value)
    return f"{top} > {sub}" if sub else top
