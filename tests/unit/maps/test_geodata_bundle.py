"""The committed geodata bundle: counts, codes, ids, shapes and water features."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import pytest

from ogplatform.maps.geodata import NAMESPACE, Location, LocationIndex, location_id


@pytest.fixture(scope="module")
def index() -> LocationIndex:
    return LocationIndex.load()


def must(index: LocationIndex, code: str) -> Location:
    loc = index.get(code)
    assert loc is not None, code
    return loc


def subdivisions_of(index: LocationIndex, code: str) -> list[str]:
    country = index.get(code)
    assert country is not None
    found, total = index.search(type="subdivision", parent_id=country.id, limit=1000)
    assert len(found) == total
    return sorted(s.code for s in found)


def test_loading_the_index_does_not_import_shapely() -> None:
    code = "import sys; from ogplatform.maps.geodata import LocationIndex; LocationIndex.load();"
    code += "print('shapely' in sys.modules, 'pycountry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("country", "count"),
    [
        ("us", 51),  # 50 states + DC
        ("de", 16),
        ("br", 27),  # 26 states + the Federal District
        # The data has 35 units; Dadra and Nagar Haveli and Daman and Diu merged in 2020 (IN-DH).
        # Ladakh (2019) and Telangana's split are as Natural Earth 4.1 draws them.
        ("in", 34),
    ],
)
def test_subdivision_counts(index: LocationIndex, country: str, count: int) -> None:
    codes = subdivisions_of(index, country)
    assert len(codes) == count
    assert all(re.fullmatch(rf"{country}-[a-z0-9]{{1,3}}", c) for c in codes), codes


def test_well_known_codes(index: LocationIndex) -> None:
    assert "us-dc" in subdivisions_of(index, "us")
    assert "br-df" in subdivisions_of(index, "br")
    california = index.get("US-CA")
    assert california is not None and california.name == "California"
    assert california.iso_code == "US-CA"


def test_at_least_97_percent_of_subdivisions_are_coded(index: LocationIndex) -> None:
    subs, total = index.search(type="subdivision", limit=100_000)
    coded = sum(1 for s in subs if s.iso_code)
    assert total > 4000
    assert coded / total >= 0.97
    for s in subs:  # uncoded units get a code that can never clash with an ISO 3166-2 code
        assert (s.iso_code is not None and s.code == s.iso_code.lower()) or "-x-" in s.code


def test_ids_are_uuid5_of_the_code(index: LocationIndex) -> None:
    # Computed independently, and pinned: these ids must never change.
    pinned_us = uuid.uuid5(uuid.UUID("3b1f8c52-7d4e-5a09-9c61-0f2e8a4b6d17"), "us")
    assert str(pinned_us) == "9d53cf5b-9ad0-526c-bc12-70731855fe6b"
    assert location_id("us-ca") == "f8ab43c1-d173-5e8c-a76b-a947a78b76ab"
    assert uuid.UUID("3b1f8c52-7d4e-5a09-9c61-0f2e8a4b6d17") == NAMESPACE
    us = index.get("us")
    assert us is not None and us.id == str(pinned_us)
    assert index.get(str(pinned_us)) == us
    assert index.get(str(pinned_us).upper()) == us
    for loc in index:
        assert loc.id == location_id(loc.code)


def test_codes_and_ids_are_unique(index: LocationIndex) -> None:
    locations = list(index)
    assert len({loc.code for loc in locations}) == len(locations)
    assert len({loc.id for loc in locations}) == len(locations)


def test_every_subdivision_and_city_hangs_under_a_country(index: LocationIndex) -> None:
    for loc in index:
        if loc.type == "country":
            assert loc.parent_id is None and loc.country_id == loc.id
            continue
        country = index.get(loc.country_id)
        parent = index.get(loc.parent_id or "")
        assert country is not None and country.type == "country"
        assert parent is not None and parent.type in ("country", "subdivision")
        assert parent.country_id == country.id


def test_country_attributes(index: LocationIndex) -> None:
    for code, name in [("fr", "France"), ("no", "Norway"), ("xk", "Kosovo")]:
        country = index.get(code)
        assert country is not None and country.name == name
        assert country.continent == "Europe"
    us = index.get("us")
    assert us is not None and us.subdivisions_count == 51 and us.label is not None


def test_cities(index: LocationIndex) -> None:
    cities, total = index.search(type="city", limit=100_000)
    assert total > 3000
    assert all(c.population is not None for c in cities)
    assert all((c.population or 0) >= 50_000 or c.capital for c in cities)
    for name, country in [
        ("Washington, D.C.", "us"),
        ("Berlin", "de"),
        ("Canberra", "au"),
        ("Brasília", "br"),
    ]:
        found, _ = index.search(q=name, type="city", parent_id=country)
        assert found and found[0].capital, name
    berlin = index.get("city-de-berlin")
    assert berlin is not None and index.get(berlin.parent_id or "") == index.get("de-be")


def test_search_is_accent_and_case_insensitive(index: LocationIndex) -> None:
    found, _ = index.search(q="BRASILIA", type="city")
    assert found[0].code == "city-br-brasilia"
    found, total = index.search(q="bayern")
    assert found[0].code == "de-by" and total >= 1
    page, total = index.search(type="country", limit=10, offset=5)
    assert len(page) == 10 and total > 200


def test_bounds_cross_the_antimeridian_where_the_country_does(index: LocationIndex) -> None:
    for code in ("ru", "fj", "us"):
        loc = index.get(code)
        assert loc is not None and loc.bounds.crosses_antimeridian, code
    de = index.get("de")
    assert de is not None and not de.bounds.crosses_antimeridian
    assert 5 < de.bounds.min_lng < de.bounds.max_lng < 16


def test_water_codes_are_unique_and_the_mississippi_is_in_the_us(index: LocationIndex) -> None:
    us = index.get("us")
    assert us is not None
    rivers = index.features(us, "river")
    codes = [f.code for f in rivers]
    assert "river-mississippi" in codes
    lakes = [f.code for f in index.features(us, "lake")]
    assert "lake-superior" in lakes
    everything = index.features(us, include_unnamed=True)
    assert len(everything) > len(rivers) + len(lakes)
    all_codes = [
        f.code
        for loc in ("us", "de", "br", "in", "ru", "cn")
        for f in index.features(must(index, loc))
    ]
    assert all(re.fullmatch(r"(river|lake)-[a-z0-9-]+", c or "") for c in all_codes)


def test_feature_codes_are_unique_across_the_bundle(index: LocationIndex) -> None:
    world = [index.get(c) for c in ("us", "ca", "br", "ru", "cn", "in", "de", "au", "ar", "fr")]
    codes = {f.key: f.code for loc in world if loc for f in index.features(loc)}
    assert len(set(codes.values())) == len(codes)


def test_neighbouring_subdivisions_share_their_border(index: LocationIndex) -> None:
    shapely = pytest.importorskip("shapely")
    colorado = index.geometry(must(index, "us-co"))
    wyoming = index.geometry(must(index, "us-wy"))
    assert colorado is not None and wyoming is not None
    co, wy = colorado.to_shapely(), wyoming.to_shapely()
    assert co.is_valid and wy.is_valid
    shared = shapely.intersection(co.boundary, wy.boundary).length
    assert shared > 4.9  # degrees: the 41st parallel from 109.05 W to 104.05 W
    assert shapely.intersection(co, wy).area < 1e-6  # no overlap


def test_geometry_of_a_country_and_its_coarse_outline(index: LocationIndex) -> None:
    de = index.get("de")
    assert de is not None
    detailed, coarse = index.geometry(de), index.geometry(de, detail="coarse")
    assert detailed is not None and coarse is not None
    assert detailed.kind == "polygon" and detailed.num_points > 500
    assert index.geometry(de) is detailed  # cached
    lng, lat = next(detailed.rings())[0]
    assert 5 < lng < 16 and 47 < lat < 56
    city = index.get("city-de-berlin")
    assert city is not None and index.geometry(city) is None
    lakes = index.layer("world/lakes-50m")
    assert lakes and any(item.name == "Lake Superior" for item in lakes)
