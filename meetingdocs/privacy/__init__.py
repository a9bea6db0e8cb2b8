"""Personal-data guard (issue 10): personnummer, samordningsnummer and words that suggest sensitive
personal data in every text that can be published.

The builds call :func:`warn_about_personal_data` (the packet) and
:func:`warn_about_personal_data_in_minutes` (the protokoll); both log one
warning per finding and return the findings. The word list is
:data:`meetingdocs.privacy.words.SENSITIVE_TERMS`, explained in
``meetingdocs/privacy/words.py``.
"""

from .documents import scan_file, scan_files
from .findings import NUMBER_KINDS, SENSITIVE_WORD, UNCHECKED, Finding, Place
from .guard import (
    minutes_files,
    packet_files,
    published_numbers,
    scan_meeting,
    scan_minutes,
    warn_about_personal_data,
    warn_about_personal_data_in_minutes,
)
from .personnummer import PERSONNUMMER, SAMORDNINGSNUMMER, find_personal_numbers, mask_numbers
from .words import SENSITIVE_TERMS, find_sensitive_words

__all__ = [
    "NUMBER_KINDS", "PERSONNUMMER", "SAMORDNINGSNUMMER", "SENSITIVE_TERMS", "SENSITIVE_WORD", "UNCHECKED",
    "Finding", "Place", "find_personal_numbers", "find_sensitive_words", "mask_numbers", "minutes_files",
    "packet_files", "published_numbers", "scan_file", "scan_files", "scan_meeting", "scan_minutes", "warn_about_personal_data",
    "warn_about_personal_data_in_minutes",
]
