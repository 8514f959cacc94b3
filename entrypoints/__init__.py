"""The entry layer: the command line, the server uvicorn starts, and the remote client.

Everything here opens the archive through the composition root (`bootstrap`); nothing below
this layer imports it (the import contract of `make lint`).
"""
