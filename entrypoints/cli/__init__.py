"""The command line: `wijkarchief COMMAND`.

Exit status 0 on success; otherwise non-zero with a one-line reason on stderr. Long work
(seed, rebuild, export, import) shows a progress bar on stderr. The commands are in
`reading`, `writing` and `running`; every option in `arguments`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from entrypoints.cli.arguments import parser
from entrypoints.cli.common import STORE_ERRORS
from events.errors import ArchiveError


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; print a one-line reason and exit non-zero on failure."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ArchiveError as error:
        print(f"wijkarchief: {error.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except STORE_ERRORS as error:
        # The store cannot be opened or written (read-only or full disk, server gone).
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"wijkarchief: de opslag is niet bruikbaar: {reason}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"wijkarchief: {error.strerror or error}: {error.filename or ''}", file=sys.stderr)
        return 1


__all__ = ["main", "parser"]
