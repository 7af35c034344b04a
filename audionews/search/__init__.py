"""German full-text search over the published articles (`GET /suche`).

text: folding, stems, queries and the sentence that matched (no database). entry: the index
rows (PostgreSQL tsvector with GIN, SQLite FTS5). index: kept in step on every flush, and
looked up newest first.
"""
