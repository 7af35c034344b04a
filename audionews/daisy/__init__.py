"""DAISY 2.02 talking books: a news day, or one article, for blind readers' players.

`model` turns a render's cue times into sentences and their audio clips, `documents` writes
the NCC, the SMIL files and the text documents (lxml), `package` zips them with the MP3s the
site already publishes and stores the zip content-named. No database and no Flask here:
`jobs.daisy_job` feeds this package and records what it made.
"""
