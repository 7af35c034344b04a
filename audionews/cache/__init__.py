"""The media folder's size and its prune: what the cache holds and what may go."""
