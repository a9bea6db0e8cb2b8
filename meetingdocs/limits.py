"""Limits on what the sources may contain, all in one place.

A secretary's files are small: a mote.yaml is a few kilobytes, a
tjänsteskrivelse rarely more than 50 kB, a received PDF a few megabytes. The
limits below are far above that, and low enough that a wrong or hostile file
is refused in a second with a clear message instead of hanging the build or
printing megabytes. Sizes are in bytes, written decimal (1 MB = 1,000,000
bytes) as file managers show them. README.md lists them for the secretary.
"""

from __future__ import annotations

# File sizes. Measured on the 2-core build machine under load: 1 MB of YAML
# takes PyYAML 12 s to read; 1 MB of Markdown is a 600-page document that took
# 138 s to build, close to LibreOffice's 120 s timeout per document.
MAX_YAML_BYTES = 500_000  # mote.yaml, protokoll.yaml, namnder/*.yaml, utskick.yaml (usually < 20 kB)
MAX_MARKDOWN_BYTES = 500_000  # a tjänsteskrivelse, Markdown bilaga or written reservation (usually < 50 kB)
MAX_BILAGA_BYTES = 100_000_000  # each received bilaga: PDF, Word, OpenDocument (usually a few MB)
MAX_IMAGE_BYTES = 20_000_000  # an image in Markdown (a phone photo is 2-8 MB)
MAX_IMAGE_PIXELS = 40_000_000  # 40 megapixels: a photo from any phone fits

# YAML structure: anchors (&namn) and aliases (*namn) are refused past these,
# before anything is expanded, so a few lines cannot grow into gigabytes.
MAX_YAML_ALIASES = 100  # uses of *namn in one file
MAX_YAML_ALIAS_VALUES = 10_000  # values the aliases would add when written out
MAX_YAML_DEPTH = 50  # levels of nesting (indentation, brackets), aliases written out

# Counts.
MAX_AGENDA_ITEMS = 200  # points in föredragningslista
MAX_BILAGOR_PER_CASE = 100  # bilagor in one tjänsteskrivelse

# Messages.
MAX_QUOTED_CHARS = 80  # a value from the sources quoted back in a message
MAX_FIELD_CHARS = 120  # a field name (or path to it) in a message
MAX_PROBLEM_CHARS = 1_000  # one problem's text
MAX_LISTED_PROBLEMS = 50  # problems listed in one error; the rest are counted
MAX_LISTED_WARNINGS = 50  # warnings shown in one run; the rest are counted
MAX_MESSAGE_CHARS = 20_000  # anything the command line prints as one message
MAX_UNEXPECTED_DETAIL_CHARS = 500  # of the exception's text in the message for an unexpected error
