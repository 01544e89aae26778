"""Map themes through the job API of a real app: the operator's `[plugins]` settings decide
which themes a job may name, and an installed theme package is offered and rendered."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import Tenant, make_settings, serve, wait_for_job

from ogplatform.app import create_app
from ogplatform.maps.render.themes import installed_themes

ATLAS = Path(__file__).resolve().parents[3] / "plugins" / "ogplatform-theme-atlas"
SMALL = {"location_id": "lu", "width": 400, "height": 300}
SEED_THEMES = "modern, vintage, satellite, monochrome, blueprint"


@pytest.fixture(scope="module")
def atlas_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("atlas-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(ATLAS)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


@pytest.fixture
def with_atlas(atlas_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(atlas_site))
    installed_themes.cache_clear()  # the job runner's renderer looks themes up by name
    yield
    installed_themes.cache_clear()


async def test_a_disabled_theme_is_refused(
    database_url: str, tmp_path: Path, tenant: Tenant
) -> None:
    settings = make_settings(database_url, tmp_path, plugins={"disabled": ["map_themes:vintage"]})
    async with serve(create_app(settings)) as client:
        response = await client.post(
            tenant.jobs_url, json={**SMALL, "theme": "vintage"}, headers=tenant.auth
        )
    assert response.status_code == 400, response.text
    assert response.json()["message"] == (
        "Validation failed: theme must be one of: modern, satellite, monochrome, blueprint"
    )


async def test_an_installed_theme_is_offered_and_rendered(
    database_url: str, tmp_path: Path, tenant: Tenant, with_atlas: None
) -> None:
    async with serve(create_app(make_settings(database_url, tmp_path))) as client:
        refused = await client.post(
            tenant.jobs_url, json={**SMALL, "theme": "neon"}, headers=tenant.auth
        )
        assert refused.json()["message"] == (
            f"Validation failed: theme must be one of: {SEED_THEMES}, atlas"
        )
        response = await client.post(
            tenant.jobs_url, json={**SMALL, "theme": "atlas"}, headers=tenant.auth
        )
        assert response.status_code == 201, response.text
        job = response.json()["job"]
        assert job["theme"] == {
            "name": "atlas",
            "version": "1.0",
            "display_name": "Classic Political Atlas",
        }
        done = await wait_for_job(client, tenant, job["id"])
    assert done["status"] == "completed", done
