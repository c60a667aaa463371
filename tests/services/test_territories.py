"""Territories: ISTAT importer, districts, name resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.exceptions import NotFound, ValidationFailed
from app.services import territories
from models import TerritoryLevel

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_parses_istat_layout_latin1_with_two_line_header() -> None:
    rows = territories.parse_istat_csv((FIXTURES / "istat-sample.csv").read_bytes())
    assert len(rows) == 11
    bolzano = next(r for r in rows if r.code == "021008")
    assert (bolzano.name, bolzano.name_other) == ("Bolzano", "Bozen")
    aquila = next(r for r in rows if r.code == "066049")
    assert aquila.name == "L'Aquila" and aquila.is_capital and aquila.province_code == "066"
    bari = next(r for r in rows if r.code == "072006")
    assert bari.province_code == "272" and bari.region_name == "Puglia"


def test_malformed_row_is_named_by_line_and_nothing_is_imported(session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(territories.ImportFailed, match=r"line 5: region code must be 2 digits"):
        territories.parse_istat_csv((FIXTURES / "istat-malformed.csv").read_bytes())


def test_not_an_istat_file_is_refused() -> None:
    with pytest.raises(territories.ImportFailed, match="line 1"):
        territories.parse_istat_csv(b"name,code\nBari,072006\n")


def test_import_builds_the_hierarchy_and_is_idempotent(session) -> None:  # type: ignore[no-untyped-def]
    first = territories.import_file(FIXTURES / "istat-sample.csv")
    assert first.created == 6 + 9 + 11  # regions + provinces + comuni in the sample
    again = territories.import_file(FIXTURES / "istat-sample.csv")
    assert (again.created, again.updated) == (0, 0)
    bari = territories.get_by_code("072006")
    assert bari.level == TerritoryLevel.COMUNE and bari.is_capital
    assert [t.istat_code for t in territories.ancestors(bari)] == ["16", "272"]
    assert bari.ancestor_ids[:2] == [t.id for t in territories.ancestors(bari)]


def test_comuni_stay_in_their_social_district_on_reimport(session) -> None:  # type: ignore[no-untyped-def]
    territories.import_file(FIXTURES / "istat-sample.csv")
    province = territories.get_by_code("016")
    bergamo, gorle = territories.get_by_code("016024"), territories.get_by_code("016115")
    district = territories.create_district(None, province, "Ambito territoriale di Bergamo", [bergamo, gorle])
    assert district.istat_code == "03-AT01"
    territories.import_file(FIXTURES / "istat-sample.csv")
    assert bergamo.parent_id == district.id
    assert [t.name for t in territories.ancestors(gorle)] == ["Lombardia", "Bergamo", "Ambito territoriale di Bergamo"]


def test_district_refuses_comuni_of_another_province(session) -> None:  # type: ignore[no-untyped-def]
    territories.import_file(FIXTURES / "istat-sample.csv")
    with pytest.raises(ValidationFailed):
        territories.create_district(None, territories.get_by_code("016"), "Ambito", [territories.get_by_code("072006")])


@pytest.mark.parametrize(("typed", "code"), [("Bari", "072006"), ("  bari ", "072006"), ("L'aquila", "066049"), ("Lecce (LE)", "075035"), ("Puglia", "16")])
def test_resolve_finds_what_people_type(session, typed: str, code: str) -> None:  # type: ignore[no-untyped-def]
    territories.import_file(FIXTURES / "istat-sample.csv")
    assert territories.resolve(typed).istat_code == code


def test_resolve_explains_unknown_and_ambiguous_names(session) -> None:  # type: ignore[no-untyped-def]
    territories.import_file(FIXTURES / "istat-sample.csv")
    with pytest.raises(ValidationFailed):
        territories.resolve("Atlantide")
    # "Bari" is a comune and (as its metropolitan city) a province: the comune wins.
    assert territories.resolve("Bari").level == TerritoryLevel.COMUNE
    assert territories.resolve("") is None


def test_unknown_code_is_not_found(session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        territories.get_by_code("999999")
