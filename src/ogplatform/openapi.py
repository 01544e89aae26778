"""The OpenAPI document at ``/schema`` and a Swagger UI that loads nothing from the internet."""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from ogplatform import __version__

__all__ = ["SWAGGER_ASSETS", "openapi_config", "swagger_assets_router"]

SWAGGER_ASSETS = "/_static/swagger-ui"


def openapi_config() -> OpenAPIConfig:
    swagger = SwaggerRenderPlugin(
        path="/",
        js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
        favicon="",
    )
    return OpenAPIConfig(
        title="ogplatform",
        version=__version__,
        description="Open Graph cards and static maps, rendered once and served through a CDN.",
        path="/schema",
        render_plugins=[swagger],
    )


def swagger_assets_router() -> Router:
    return create_static_files_router(
        path=SWAGGER_ASSETS,
        directories=[str(swagger_ui_path)],
        include_in_schema=False,
        send_as_attachment=False,
    )
