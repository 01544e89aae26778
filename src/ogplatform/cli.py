"""The ``ogplatform`` command: serve, plugins, db, config — and room for the commands to come.

Commands that need settings read them the same way the app does (``--config`` or
``$OGP_CONFIG`` or ``./litestar.toml``, then ``OGP_*`` variables).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import click
import msgspec

from ogplatform import __version__
from ogplatform.plugins import PluginError, PluginRegistry
from ogplatform.settings import CONFIG_ENV, Settings, SettingsError, load_settings

__all__ = ["main"]


class _Context(msgspec.Struct):
    config: str | None = None

    def settings(self) -> Settings:
        try:
            return load_settings(self.config)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    help=f"Settings file (default: ${CONFIG_ENV} or ./litestar.toml).",
)
@click.version_option(__version__, prog_name="ogplatform")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """ogplatform: Open Graph cards and static maps behind a CDN."""
    if config:
        # Worker processes started by `serve` read the same file.
        os.environ[CONFIG_ENV] = os.path.abspath(config)
    ctx.obj = _Context(config)


@main.command()
@click.option("--host", help="Interface to bind (default: server.host).")
@click.option("--port", type=int, help="Port to bind (default: server.port).")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes (default: server.workers).")
@click.pass_obj
def serve(obj: _Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Run the HTTP service with uvicorn."""
    import uvicorn

    from ogplatform.log import configure_logging

    settings = obj.settings()
    configure_logging(settings.logging)
    if settings.database.url and settings.database.auto_migrate:
        # Migrate once here, not racing in every worker process.
        from ogplatform.db import upgrade

        asyncio.run(upgrade(settings.database.url))
        os.environ["OGP_DATABASE__AUTO_MIGRATE"] = "false"
    uvicorn.run(
        "ogplatform.app:create_app",
        factory=True,
        host=host or settings.server.host,
        port=port or settings.server.port,
        workers=workers or settings.server.workers,
        log_config=None,  # our structlog configuration, set up by create_app
        access_log=False,  # one access line per request comes from ogplatform.log
        proxy_headers=False,  # client addresses are decided by our trusted-proxy settings
        server_header=False,
    )


@main.command()
@click.option(
    "--concurrency", type=click.IntRange(1, 64), help="Jobs at a time (default: jobs.concurrency)."
)
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="On SIGTERM/SIGINT, seconds for jobs in progress to finish before they are released.",
)
@click.option(
    "--handlers",
    "registrars",
    multiple=True,
    metavar="MODULE:FUNCTION",
    help="Also register the job types FUNCTION(registry, runtime) adds (repeatable).",
)
@click.pass_obj
def worker(
    obj: _Context, concurrency: int | None, grace: float, registrars: tuple[str, ...]
) -> None:
    """Run map jobs from the Redis queue ([jobs] runner = "redis"); start as many as you like,
    on as many machines, against the same database and Redis."""
    from ogplatform.log import configure_logging
    from ogplatform.worker import load_registrar, run_worker

    settings = obj.settings()
    configure_logging(settings.logging)
    try:
        loaded = [load_registrar(reference) for reference in registrars]
        asyncio.run(run_worker(settings, concurrency=concurrency, grace=grace, registrars=loaded))
    except (PluginError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def plugins(obj: _Context, as_json: bool) -> None:
    """List the plugins found, from which distribution, at which version."""
    settings = obj.settings()
    try:
        registry = PluginRegistry.discover(settings.plugins)
    except PluginError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(msgspec.json.encode(registry.summary()).decode())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ogplatform plugins")
    for column in ("kind", "id", "version", "distribution", "entry point"):
        table.add_column(column)
    for r in registry:
        table.add_row(
            r.kind, r.id, r.version, f"{r.distribution} {r.distribution_version}", r.entry_point
        )
    console = Console(width=max(Console().width, 120))
    console.print(table)
    for f in registry.failures:
        console.print(f"[red]failed[/red] {f.kind} {f.entry_point} ({f.distribution}): {f.error}")


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.pass_obj
def db_upgrade(obj: _Context, revision: str) -> None:
    """Apply migrations up to REVISION. Upgrades never drop data."""
    from ogplatform.db import current_revision, upgrade

    url = _database_url(obj.settings())
    asyncio.run(upgrade(url, revision))
    click.echo(f"database at revision {asyncio.run(current_revision(url))}")


@db.command("current")
@click.pass_obj
def db_current(obj: _Context) -> None:
    """Print the database's revision and the newest one this version knows."""
    from ogplatform.db import current_revision, head_revision

    url = _database_url(obj.settings())
    click.echo(f"current: {asyncio.run(current_revision(url))}  head: {head_revision()}")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--empty", is_flag=True, help="Write an empty script instead of autogenerating.")
@click.option("--url", help="Compare against this database (default: a scratch SQLite at head).")
def db_revision(message: str, empty: bool, url: str | None) -> None:
    """Write the next migration script from the models (for contributors; review it, then
    run `ruff format` on it)."""
    from ogplatform.db import revision

    click.echo(revision(message, autogenerate=not empty, url=url))


@main.group()
def cache() -> None:
    """The render cache on this machine (disk tier) and in Redis, and the CDN in front."""


@cache.command("stats")
@click.pass_obj
def cache_stats(obj: _Context) -> None:
    """Entries and bytes per tier."""
    stats = asyncio.run(_with_cache(obj.settings(), lambda cache: cache.stats()))
    click.echo(msgspec.json.format(msgspec.json.encode(stats)).decode())


@cache.command("purge")
@click.option("--tag", "tags", multiple=True, help="template-<id>, bg-<id>, map-<id>, card...")
@click.option("--all", "everything", is_flag=True, help="Everything.")
@click.pass_obj
def cache_purge(obj: _Context, tags: tuple[str, ...], everything: bool) -> None:
    """Purge by tag (or --all) here, in Redis and at the CDN; running servers follow within
    a second."""
    from ogplatform.cache import purge_cdn

    if everything == bool(tags):
        raise click.UsageError("give --tag (one or more) or --all")
    settings = obj.settings()
    wanted = None if everything else list(tags)
    removed = asyncio.run(_with_cache(settings, lambda cache: cache.purge(wanted)))
    cdn = asyncio.run(purge_cdn(settings.cache.cdn_purge_urls, wanted or ["card", "map"]))
    click.echo(msgspec.json.encode({"purged": removed, "cdn": cdn}).decode())
    if any(result.startswith("error") for result in cdn.values()):
        raise SystemExit(1)


async def _with_cache(settings: Settings, action: Any) -> Any:
    from ogplatform.cache import RenderCache
    from ogplatform.runtime import connect_redis

    redis = connect_redis(settings.redis.url) if settings.redis.url else None
    # No memory tier here: it lives in the server processes, which follow the purge epoch.
    cache_settings = msgspec.structs.replace(settings.cache, memory=False)
    cache = RenderCache.from_settings(cache_settings, redis, settings.redis.key_prefix)
    try:
        return await action(cache)
    finally:
        await cache.close()
        if redis is not None:
            await redis.aclose()


@main.group()
def render() -> None:
    """Render images from the command line (no server needed)."""


@render.command("card")
@click.option("--template", default="gradient", show_default=True)
@click.option("--title", default="")
@click.option("--description", default="")
@click.option("--icon", default="")
@click.option("--bg", default="", help="Hex colour or gradient, as the API's bg.")
@click.option("--text", "text_color", default="", help="Text colour (hex).")
@click.option("--accent", default="", help="Accent colour (hex).")
@click.option("--bg-id", default="", help="A background from the catalog.")
@click.option("--overlay", default="", help="0..1 over a photo background.")
@click.option("--size", default="og", show_default=True, help="og, twitter or square.")
@click.option("--format", "fmt", default="", help="png, svg, jpeg or webp (default: from -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@click.pass_obj
def render_card_command(obj: _Context, /, output: str, fmt: str, **options: str) -> None:
    """Render one card to a file, with exactly the API's rules."""
    from urllib.parse import urlencode

    from ogplatform.cards.params import parse_card_query
    from ogplatform.cards.rendering import init_worker, render_card
    from ogplatform.errors import ApiError

    settings = obj.settings()
    names = {"text_color": "text", "bg_id": "bgId"}
    query = {names.get(k, k): v for k, v in options.items() if v}
    query["format"] = fmt or os.path.splitext(output)[1].lstrip(".").lower() or "png"
    try:
        request = parse_card_query(urlencode(query).encode())
        init_worker(msgspec.msgpack.encode(settings.plugins), tuple(settings.render.font_dirs))
        body = render_card(request)
    except ApiError as exc:
        raise click.ClickException(f"{exc.code}: {exc.message}") from None
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    with open(output, "wb") as sink:
        sink.write(body)
    click.echo(f"{output}: {len(body)} bytes ({request.format}, {request.size})")


_POSITION = click.Choice(["left", "right", "top", "bottom", "center"])


@render.command("map")
@click.option("--location", required=True, help="Location code (us, us-ca, world) or UUID.")
@click.option("--theme", default="modern", show_default=True)
@click.option("--width", type=int, default=1400, show_default=True, help="Pixels, 400-4096.")
@click.option("--height", type=int, default=900, show_default=True, help="Pixels, 300-2160.")
@click.option("--dpi", type=int, default=72, show_default=True, help="72, 150 or 300.")
@click.option("--format", "fmt", default="", help="png, svg or pdf (default: from -o).")
@click.option("--show-features", is_flag=True, help="Rivers and lakes.")
@click.option(
    "--show-river-labels", is_flag=True, help="Names on rivers (with features, or selected ones)."
)
@click.option("--show-lake-labels", is_flag=True, help="Names on lakes.")
@click.option("--no-subdivision-labels", is_flag=True, help="No state/province names.")
@click.option("--no-country-labels", is_flag=True, help="No country names.")
@click.option("--no-city-labels", is_flag=True, help="No city names.")
@click.option("--river-label-position", type=_POSITION, default="center", show_default=True)
@click.option("--lake-label-position", type=_POSITION, default="center", show_default=True)
@click.option(
    "--highlight",
    "highlights",
    multiple=True,
    metavar="CODE",
    help='A subdivision to highlight (repeatable): a code, or JSON {"code", "color", "label"}.',
)
@click.option(
    "--feature",
    "--selected-feature",
    "features",
    multiple=True,
    metavar="CODE",
    help="A river or lake to draw (repeatable): a code from the locations API's features "
    "list (river-rhine); labelled first with --show-river-labels / --show-lake-labels.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@click.pass_obj
def render_map_command(
    obj: _Context,
    /,
    location: str,
    output: str,
    fmt: str,
    highlights: tuple[str, ...],
    features: tuple[str, ...],
    **options: Any,
) -> None:
    """Render one map to a file (PNG, SVG or vector PDF), with exactly the job API's rules."""
    from ogplatform.errors import ApiError
    from ogplatform.maps.locations import location_index
    from ogplatform.maps.map_jobs import parse_job_request, render_map_file, render_options

    highlight: list[Any] = []
    for item in highlights:
        try:
            highlight.append(json.loads(item) if item.lstrip().startswith("{") else item)
        except ValueError:
            raise click.BadParameter(f"not JSON: {item}", param_hint="--highlight") from None
    body = {
        "location_id": location,
        "width": options.pop("width"),
        "height": options.pop("height"),
        "theme": options.pop("theme"),
        "dpi": options.pop("dpi"),
        "output_format": fmt or os.path.splitext(output)[1].lstrip(".").lower() or "png",
        "configuration": {
            **{k: v for k, v in options.items() if k.startswith("show_")},
            **{f"show_{k[3:]}": not v for k, v in options.items() if k.startswith("no_")},
            "river_label_position": options["river_label_position"],
            "lake_label_position": options["lake_label_position"],
            "highlight_subdivisions": highlight,
            "selected_features": list(features),
        },
    }
    settings = obj.settings()
    try:
        registry = PluginRegistry.discover(settings.plugins)
        index = location_index()
        request = parse_job_request(msgspec.json.encode(body), index, registry)
    except PluginError as exc:
        raise click.ClickException(str(exc)) from None
    except ApiError as exc:
        message = exc.message
        if exc.status == 404:
            message = f"{message}: {location!r} is neither a location code nor a location id"
        raise click.ClickException(message) from None
    try:
        body_bytes = render_map_file(
            index,
            request.location,
            request.output_format,
            width=request.width,
            height=request.height,
            dpi=request.dpi,
            options=render_options(request.theme, request.configuration),
        )
    except (NotImplementedError, ValueError) as exc:
        raise click.ClickException(f"cannot render this map: {exc}") from None
    with open(output, "wb") as sink:
        sink.write(body_bytes)
    paper = f"{request.width / request.dpi:.2f} x {request.height / request.dpi:.2f} in"
    click.echo(
        f"{output}: {len(body_bytes)} bytes ({request.output_format}, {request.location.name}, "
        f"{request.width}x{request.height} px at {request.dpi} dpi = {paper})"
    )


@main.group()
def geodata() -> None:
    """The map data bundle derived from Natural Earth."""


@geodata.command("build")
@click.option(
    "--source",
    type=click.Path(file_okay=False),
    default="../shared/geodata",
    show_default=True,
    help="Folder with the raw Natural Earth layers.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the bundle (default: the package's own data folder).",
)
@click.option("--countries", default="", help="Comma-separated ISO codes: build only these.")
def geodata_build(source: str, out: str | None, countries: str) -> None:
    """Rebuild the bundle (needs: pip install 'ogplatform[geodata]')."""
    from pathlib import Path

    from ogplatform.maps.geodata.build import main as build_main

    default_out = Path(__file__).parent / "maps" / "data"
    argv = ["--source", source, "--out", out or str(default_out)]
    if countries:
        argv += ["--countries", countries]
    raise SystemExit(build_main(argv))


@main.group()
def projects() -> None:
    """Projects: the owners of API keys, map jobs and maps."""


@projects.command("create")
@click.argument("name")
@click.option("--tokens", type=click.IntRange(min=0), help="Token balance (default: unlimited).")
@click.pass_obj
def projects_create(obj: _Context, name: str, tokens: int | None) -> None:
    """Create a project and print its id and first API key (shown only now)."""
    from ogplatform.maps.projects import create_project

    settings = obj.settings()
    if not 0 < len(name) <= 120:
        raise click.BadParameter("1..120 characters", param_hint="NAME")
    if tokens is None and settings.jobs.default_token_balance >= 0:
        tokens = settings.jobs.default_token_balance

    async def run(session: Any) -> Any:
        return await create_project(session, name, token_balance=tokens)

    project, key = asyncio.run(_with_session(settings, run))
    click.echo(f"project: {project.id}")
    click.echo(f"key id:  {key.id}")
    click.echo(f"api key: {key.secret}")
    click.echo("Keep the key now: it is stored hashed and cannot be shown again.", err=True)


@projects.command("webhook")
@click.argument("project_id")
@click.option("--url", help="Where job.completed / job.failed go (http:// or https://).")
@click.option("--keep-secret", is_flag=True, help="Change the URL, keep the signing secret.")
@click.option("--disable", is_flag=True, help="Turn the project's webhook off.")
@click.pass_obj
def projects_webhook(
    obj: _Context, project_id: str, url: str | None, keep_secret: bool, disable: bool
) -> None:
    """Set (--url) or turn off (--disable) a project's webhook. Setting it prints a new
    signing secret, shown only now; without options, show the URL and the latest deliveries."""
    from ogplatform.jobs.webhooks import (
        check_webhook_url,
        clear_webhook,
        recent_deliveries,
        set_webhook,
    )

    if url is not None and disable:
        raise click.UsageError("give --url or --disable, not both")
    if url is not None:
        try:
            check_webhook_url(url)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--url") from None

    async def run(session: Any) -> Any:
        from ogplatform.db import Project

        if url is not None:
            return await set_webhook(session, project_id, url, keep_secret=keep_secret)
        if disable:
            return await clear_webhook(session, project_id)
        project = await session.get(Project, project_id)
        if project is None:
            raise LookupError(f"no project {project_id}")
        return project.webhook_url, await recent_deliveries(session, project_id)

    try:
        answer = asyncio.run(_with_session(obj.settings(), run))
    except LookupError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    if url is not None:
        click.echo(f"webhook: {url}")
        click.echo(f"secret:  {answer}")
        click.echo("Keep the secret: receivers check X-Webhook-Signature with it.", err=True)
    elif disable:
        click.echo(f"webhook of {project_id} turned off")
    else:
        current, deliveries = answer
        click.echo(f"webhook: {current or 'off'}")
        for row in deliveries:
            when = row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            outcome = row.last_error or (f"HTTP {row.last_status_code}" if row.attempts else "")
            click.echo(
                f"{row.id}  {when}  {row.event}  job {row.job_id}  {row.status}  "
                f"attempts {row.attempts}  {outcome}".rstrip()
            )


@main.group()
def keys() -> None:
    """A project's API keys."""


@keys.command("create")
@click.option("--project", "project_id", required=True, help="The project's id.")
@click.pass_obj
def keys_create(obj: _Context, project_id: str) -> None:
    """Issue another key for a project (printed once)."""
    from ogplatform.maps.projects import create_key

    async def run(session: Any) -> Any:
        return await create_key(session, project_id)

    try:
        key = asyncio.run(_with_session(obj.settings(), run))
    except LookupError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    click.echo(f"key id:  {key.id}")
    click.echo(f"api key: {key.secret}")


@keys.command("list")
@click.option("--project", "project_id", required=True, help="The project's id.")
@click.pass_obj
def keys_list(obj: _Context, project_id: str) -> None:
    """List a project's keys (their prefixes, never the secrets)."""
    from ogplatform.maps.projects import list_keys

    async def run(session: Any) -> Any:
        return await list_keys(session, project_id)

    def when(moment: Any) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "-"

    for key in asyncio.run(_with_session(obj.settings(), run)):
        state = f"revoked {when(key.revoked_at)}" if key.revoked_at else "active"
        click.echo(
            f"{key.id}  {key.prefix}...  created {when(key.created_at)}  "
            f"last used {when(key.last_used_at)}  {state}"
        )


@keys.command("revoke")
@click.argument("key_id")
@click.pass_obj
def keys_revoke(obj: _Context, key_id: str) -> None:
    """Revoke a key for good: requests with it are refused from now on."""
    from ogplatform.maps.projects import revoke_key

    async def run(session: Any) -> Any:
        return await revoke_key(session, key_id)

    if not asyncio.run(_with_session(obj.settings(), run)):
        raise click.ClickException(f"no active key {key_id}")
    click.echo(f"revoked {key_id}")


async def _with_session(settings: Settings, action: Any) -> Any:
    from ogplatform.db import Database, upgrade

    url = _database_url(settings)
    if settings.database.auto_migrate:
        await upgrade(url)
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            return await action(session)
    finally:
        await database.dispose()


@main.command("config")
@click.pass_obj
def show_config(obj: _Context) -> None:
    """Print the effective settings as JSON (secrets masked)."""
    data: dict[str, Any] = msgspec.to_builtins(obj.settings())
    if data["auth"]["admin_token"]:
        data["auth"]["admin_token"] = "***"  # noqa: S105 - a mask, not a password
    if data["storage"].get("signing_secret"):
        data["storage"]["signing_secret"] = "***"  # noqa: S105 - a mask, not a password
    click.echo(msgspec.json.format(msgspec.json.encode(data)).decode())


def _database_url(settings: Settings) -> str:
    if not settings.database.url:
        raise click.ClickException("no database configured (database.url is empty)")
    return settings.database.url


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
