"""The content: seed items as Markdown files, their sources, and the loader."""
