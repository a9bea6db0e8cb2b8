#!/usr/bin/env python3
"""Entry point: python build.py packet 2020-12-11 (see README.md)."""

import sys

from meetingdocs.cli import main

if __name__ == "__main__":
    sys.exit(main())
