"""The interactive graph view: an overview laid out ahead of time, search, focus, expand."""
