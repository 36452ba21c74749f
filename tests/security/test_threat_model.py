"""docs/threat-model.md is linked, and every test it names for a claim exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "threat-model.md"
CITED = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def test_the_threat_model_is_linked_from_the_readme_and_the_record_format() -> None:
    assert "docs/threat-model.md" in (ROOT / "README.md").read_text()
    assert "threat-model.md" in (ROOT / "docs" / "record-format.md").read_text()


def test_every_test_the_threat_model_cites_exists() -> None:
    cited = CITED.findall(DOC.read_text())
    assert len(cited) >= 10, cited
    for path, name in cited:
        source = ROOT / path
        assert source.is_file(), f"docs/threat-model.md cites {path}, which does not exist"
        if name:
            assert re.search(rf"^(?:async )?def {name}\(", source.read_text(), re.M), (
                f"docs/threat-model.md cites {path}::{name}, which does not exist"
            )
