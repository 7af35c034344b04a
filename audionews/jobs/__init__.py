"""Render jobs against the database: queueing, running, sweeping lost ones, status."""
