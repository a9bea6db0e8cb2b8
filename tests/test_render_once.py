"""The kallelse is rendered once: the editable kallelse.docx is the packet's rendering with the agenda's item
links taken out, and holds what a rendering without links holds (relationship ids aside)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from meetingdocs import secrecy
from meetingdocs.buildkit import TEMPLATES
from meetingdocs.render import documents
from meetingdocs.sources import find_meeting, load_meeting

REPO = Path(__file__).resolve().parent.parent
RELATIONSHIP_ID = re.compile(rb'(r:id|Id)="rId\d+"')


def _parts(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as archive:
        return {name: RELATIONSHIP_ID.sub(rb'\1="rId"', archive.read(name)) for name in archive.namelist()}


@pytest.mark.parametrize("date", ["2020-12-11", "2018-12-07"])
def test_the_editable_kallelse_is_the_rendering_without_links(date, tmp_path):
    meeting = secrecy.internal_view(load_meeting(find_meeting(REPO / "sources", date))[0])
    template = TEMPLATES / "kallelse.docx"
    linked = documents.render_kallelse(meeting, template, tmp_path / "med.docx", links=True)
    plain = documents.render_kallelse(meeting, template, tmp_path / "utan.docx", links=False)

    derived = documents.without_item_links(linked, tmp_path / "kallelse.docx")

    assert documents.LINK_PREFIX.encode() in zipfile.ZipFile(linked).read("word/_rels/document.xml.rels")
    assert _parts(derived) == _parts(plain)
