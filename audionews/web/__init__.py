"""The HTTP side: public pages, feeds, media, the JSON API and the editors' back office."""
