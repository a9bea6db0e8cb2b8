"""The one place that decides what is shown on the terminal.

Library code logs; only this module attaches handlers. Messages go to
stderr so that stdout stays clean for data.
"""

from __future__ import annotations

import logging
import sys

PREFIX = {logging.WARNING: "Varning: ", logging.ERROR: "Fel: ", logging.CRITICAL: "Fel: "}


class _SwedishFormatter(logging.Formatter):
    def __init__(self, verbose: bool):
        super().__init__()
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if self.verbose and record.levelno < logging.INFO:
            return f"[{record.name}] {message}"
        return PREFIX.get(record.levelno, "") + message


def setup(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SwedishFormatter(verbose))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Third-party libraries speak English and about internals: only when asked.
    for name in ("pypdf", "pikepdf", "PIL", "fontTools", "docxtpl"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.ERROR)
