"""The shipped templates: reproducible from scripts/make_templates.py, A4, Swedish, one font."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import docx
import pytest

from conftest import REPO

TEMPLATES = sorted((REPO / "templates").glob("*.docx"))


def _generator():
    spec = importlib.util.spec_from_file_location("make_templates", REPO / "scripts" / "make_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_templates_are_what_the_script_makes(tmp_path):
    _generator().main(tmp_path)
    made = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert made == [p.name for p in TEMPLATES]
    for template in TEMPLATES:
        assert (tmp_path / template.name).read_bytes() == template.read_bytes(), (
            f"{template.name} är inaktuell: kör make templates")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_template_is_a4_swedish_liberation_sans(template: Path):
    document = docx.Document(template)
    for section in document.sections:
        assert abs(section.page_width.cm - 21.0) < 0.05 and abs(section.page_height.cm - 29.7) < 0.05
        assert section.bottom_margin.cm >= 2.5, "nederkanten ska vara fri för sidnumret"
    styles = document.styles.element.xml
    assert 'w:lang w:val="sv-SE"' in styles and "en-US" not in styles
    assert "Liberation Sans" in styles and "Theme" not in styles.split("<w:docDefaults>")[1].split(
        "</w:docDefaults>")[0]
    assert document.core_properties.language == "sv-SE"
