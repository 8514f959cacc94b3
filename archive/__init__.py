"""The application layer: the event-sourced archive, its read models and its policies.

`archive.service.Archive` is the door; `bootstrap.open_archive` builds it with its views.
"""
