"""Markdown to safe HTML, for the API's `body_html` and the web pages.

Texts in the archive are Markdown written by curators (and pasted from sources), so the HTML
is rendered with Python-Markdown (`extra`, `sane_lists`) and then sanitised with nh3 (its
defaults: no `<script>` or `<style>`, no `on*` attributes, no `javascript:` addresses).
"""

from __future__ import annotations

import markdown
import nh3

EXTENSIONS = ("extra", "sane_lists")


def markdown_to_html(text: str | None) -> str:
    """The Markdown `text` as sanitised HTML (empty for no text)."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=list(EXTENSIONS), output_format="html")
    return nh3.clean(html).strip()
