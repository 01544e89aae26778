"""Runtime settings: frozen msgspec Structs read from ``litestar.toml``, then ``OGP_*`` variables.

The file is found at ``$OGP_CONFIG`` (default ``./litestar.toml``). Any environment variable named
``OGP_<SECTION>__<KEY>`` (double underscore between levels) overrides one value, e.g.
``OGP_DATABASE__URL`` or ``OGP_RATELIMIT__ENABLED=false``. Relative paths written in the file are
resolved against the file's folder. Unknown keys and bad values raise :class:`SettingsError`
naming the key and where it came from.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

__all__ = [
    "AuthSettings",
    "CacheSettings",
    "DatabaseSettings",
    "JobsSettings",
    "LoggingSettings",
    "PluginSettings",
    "RateLimitPolicy",
    "RateLimitSettings",
    "RedisSettings",
    "RenderSettings",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "StorageSettings",
    "WebhookSettings",
    "load_settings",
]

ENV_PREFIX = "OGP_"
CONFIG_ENV = "OGP_CONFIG"
DEFAULT_CONFIG = "litestar.toml"

# A str that names a file or folder: relative values in the file resolve against its folder.
FsPath = Annotated[str, msgspec.Meta(extra={"fs_path": True})]


class SettingsError(Exception):
    """The configuration cannot be used; the message names the key and its source."""


class _Section(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class ServerSettings(_Section, frozen=True):
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    debug: bool = False
    # Public origin used to build absolute URLs (e.g. "https://og.example.com"); "" = from request.
    public_url: str = ""


class LoggingSettings(_Section, frozen=True):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # "auto": pretty in a terminal, JSON otherwise.
    format: Literal["auto", "json", "console"] = "auto"


class AuthSettings(_Section, frozen=True):
    # Bearer token for operator endpoints (cache purge and the like). "" disables them.
    admin_token: str = ""


class DatabaseSettings(_Section, frozen=True):
    # "" runs without a database: user-data endpoints answer 501 DB_UNAVAILABLE.
    url: str = "sqlite+aiosqlite:///var/ogplatform.db"
    # Apply pending migrations at start-up (the embedded default). Off: run `ogplatform db upgrade`.
    auto_migrate: bool = True
    echo: bool = False


class StorageSettings(_Section, frozen=True):
    # Id of an `ogplatform.storage` plugin; its options are handed to it as they are.
    backend: str = "local"
    options: dict[str, Any] = msgspec.field(default_factory=lambda: {"root": "var/storage"})
    # HMAC-SHA256 key of signed download URLs (private maps' assets, /storage/...?signature=).
    # "": a random one is made on first use and kept in signing_secret_file (one machine only;
    # several machines must share one: set it here, 32+ characters). Changing it voids old URLs.
    signing_secret: str = ""
    signing_secret_file: FsPath = "var/storage-signing.key"  # noqa: S105 (a path, not a secret)
    # How long a signed URL stays valid (rounded up to a 5-minute step, so URLs repeat).
    signed_url_seconds: Annotated[int, msgspec.Meta(ge=60, le=7 * 86400)] = 3600

    def __post_init__(self) -> None:
        if 0 < len(self.signing_secret) < 32:
            raise ValueError("signing_secret must be at least 32 characters (or empty)")


class RenderSettings(_Section, frozen=True):
    # Render processes: -1 = one per CPU core, 0 = a thread of this process (tests, tiny sites).
    workers: Annotated[int, msgspec.Meta(ge=-1, le=64)] = -1
    # Extra font folders for scripts the packaged fonts lack (CJK: Debian's fonts-noto-cjk).
    font_dirs: list[str] = msgspec.field(default_factory=lambda: ["/usr/share/fonts/opentype/noto"])
    # A render taking longer than this is abandoned with a 503.
    timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 20.0


class RedisSettings(_Section, frozen=True):
    # "" means no Redis: cache, rate limits and jobs stay in this process and on this disk.
    url: str = ""
    key_prefix: str = "ogp:"


class CacheSettings(_Section, frozen=True):
    memory: bool = True
    memory_max_bytes: Annotated[int, msgspec.Meta(ge=0)] = 128 * 1024 * 1024
    disk: bool = True
    disk_path: FsPath = "var/cache"
    disk_max_bytes: Annotated[int, msgspec.Meta(ge=0)] = 2 * 1024 * 1024 * 1024
    # Shared tier (needs [redis] url): entries expire after redis_ttl_seconds.
    redis: bool = False
    redis_ttl_seconds: Annotated[int, msgspec.Meta(ge=1)] = 7 * 86400
    # Cache-Control of rendered images (max-age, stale-while-revalidate, stale-if-error).
    max_age: Annotated[int, msgspec.Meta(ge=0)] = 86400
    stale_while_revalidate: Annotated[int, msgspec.Meta(ge=0)] = 604800
    stale_if_error: Annotated[int, msgspec.Meta(ge=0)] = 604800
    # CDN purge endpoints: each gets "PURGE <url>" with "xkey-purge: <tags>" (Varnish xkey).
    cdn_purge_urls: list[str] = msgspec.field(default_factory=list)


class RateLimitPolicy(_Section, frozen=True):
    # Sliding windows checked together, e.g. ["2/10s", "5/1m", "25/1h"].
    windows: list[str]
    # Who is counted: the client address ("ip") or the Bearer API key ("api_key").
    key: Literal["ip", "api_key"] = "ip"
    # Requests the render cache can answer are not counted (needs the cache's probe).
    exempt_cache_hits: bool = False

    def __post_init__(self) -> None:
        from ogplatform.ratelimit.policy import parse_window  # no I/O: arithmetic only

        if not self.windows:
            raise ValueError("a rate-limit policy needs at least one window")
        for window in self.windows:
            parse_window(window)


def _default_policies() -> dict[str, RateLimitPolicy]:
    return {
        "cards": RateLimitPolicy(windows=["2/10s", "5/1m", "25/1h"]),  # the card API's seed
        "catalog": RateLimitPolicy(windows=["30/10s", "300/1h"]),
        "user_data": RateLimitPolicy(windows=["10/10s", "300/1h"]),
        "map_jobs": RateLimitPolicy(windows=["60/1h"], key="api_key"),  # the map API's seed
        "job_status": RateLimitPolicy(windows=["60/1m"], key="api_key"),
    }


class RateLimitSettings(_Section, frozen=True):
    enabled: bool = True
    # "auto": Redis when [redis] url is set, else memory.
    backend: Literal["auto", "memory", "redis"] = "auto"
    # How long a Redis check may take before the request is limited in memory instead.
    redis_timeout_ms: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 250
    # Proxies (CDN, load balancer) whose forwarding headers are believed; CIDRs or addresses.
    trusted_proxies: list[str] = msgspec.field(default_factory=list)
    # Which forwarding headers those proxies set, in order of preference.
    client_ip_headers: list[
        Literal["x-forwarded-for", "cf-connecting-ip", "fastly-client-ip", "true-client-ip"]
    ] = msgspec.field(default_factory=lambda: ["x-forwarded-for"])
    # IPv6 clients are counted per network of this prefix length.
    ipv6_prefix: Annotated[int, msgspec.Meta(ge=32, le=128)] = 64
    # Never limited (health checks, internal networks); CIDRs or addresses.
    allow: list[str] = msgspec.field(default_factory=list)
    # Named policies that routes refer to; the ones a file leaves out keep their defaults.
    policies: dict[str, RateLimitPolicy] = msgspec.field(default_factory=_default_policies)

    def __post_init__(self) -> None:
        from ogplatform.ratelimit.identity import parse_networks

        parse_networks(self.trusted_proxies)
        parse_networks(self.allow)
        msgspec.structs.force_setattr(self, "policies", {**_default_policies(), **self.policies})


class JobsSettings(_Section, frozen=True):
    runner: Literal["inprocess", "redis"] = "inprocess"
    concurrency: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    # Map renders run in a pool of `concurrency` processes ("spawn", started on the first job),
    # so the event loop never waits on a render; false: in a thread of this process (tests).
    render_processes: bool = True
    # A claimed job belongs to its worker for this long; the worker renews it every third of it.
    # A worker that dies leaves the job to whoever claims it after the lease runs out.
    lease_seconds: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 60.0
    # How often an idle runner looks for work it was not told about (expired leases, retries).
    poll_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 2.0
    # Attempts per job (a crash or an error each count) before it is marked failed.
    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    # A failed attempt waits retry_backoff_seconds * 2**(attempt-1) before the next one.
    retry_backoff_seconds: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 5.0
    # Token balance of a new project; -1 = unlimited (the self-hosting default).
    default_token_balance: Annotated[int, msgspec.Meta(ge=-1)] = -1


class WebhookSettings(_Section, frozen=True):
    # Off: no events are recorded or sent, whatever the projects' webhook URLs.
    enabled: bool = True
    # POSTs per event (the first one included) before the delivery is marked failed.
    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=50)] = 10
    # A failed POST waits backoff_seconds * 2**(attempt-1), capped, with up to half taken off
    # at random (jitter), before the next one: 10 s, 20 s, 40 s, ... 85 minutes at most in all.
    backoff_seconds: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 10.0
    max_backoff_seconds: Annotated[float, msgspec.Meta(ge=0, le=86400)] = 3600.0
    # The whole POST (connect, send, answer) must end within this; longer counts as a failure.
    timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=120)] = 10.0
    # How often an idle sender looks for due retries and other processes' events.
    poll_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 2.0
    # POSTs in flight at once per process.
    concurrency: Annotated[int, msgspec.Meta(ge=1, le=64)] = 4


class PluginSettings(_Section, frozen=True):
    # A plugin that fails to load stops start-up instead of being logged and skipped.
    strict: bool = False
    # "<kind>:<id>" entries, kind one of templates/backgrounds/map_themes/storage ("<kind>:*" ok).
    # A kind named in `enabled` loads only the listed ids; `disabled` always wins.
    enabled: list[str] = msgspec.field(default_factory=list)
    disabled: list[str] = msgspec.field(default_factory=list)


class Settings(_Section, frozen=True):
    server: ServerSettings = msgspec.field(default_factory=ServerSettings)
    logging: LoggingSettings = msgspec.field(default_factory=LoggingSettings)
    auth: AuthSettings = msgspec.field(default_factory=AuthSettings)
    database: DatabaseSettings = msgspec.field(default_factory=DatabaseSettings)
    storage: StorageSettings = msgspec.field(default_factory=StorageSettings)
    render: RenderSettings = msgspec.field(default_factory=RenderSettings)
    redis: RedisSettings = msgspec.field(default_factory=RedisSettings)
    cache: CacheSettings = msgspec.field(default_factory=CacheSettings)
    ratelimit: RateLimitSettings = msgspec.field(default_factory=RateLimitSettings)
    jobs: JobsSettings = msgspec.field(default_factory=JobsSettings)
    webhooks: WebhookSettings = msgspec.field(default_factory=WebhookSettings)
    plugins: PluginSettings = msgspec.field(default_factory=PluginSettings)
    # Folder that relative paths were resolved against (the config file's folder); set by loader.
    base_dir: str = "."


def load_settings(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read settings from the TOML file and the environment.

    Relative paths, from the file or the environment, resolve against the file's folder.

    Args:
        path: The TOML file. ``None`` means ``$OGP_CONFIG``, else ``./litestar.toml`` if it
            exists, else the built-in defaults (relative paths then resolve against the CWD).
        environ: The environment to read ``OGP_*`` overrides from (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    explicit = path if path is not None else env.get(CONFIG_ENV)
    config_file = Path(explicit if explicit else DEFAULT_CONFIG).absolute()
    if config_file.is_file():
        raw = _read_toml(config_file)
        source = str(config_file)
    elif explicit:
        raise SettingsError(f"configuration file {config_file} does not exist")
    else:
        raw, source = {}, "built-in defaults"
    base_dir = config_file.parent if config_file.is_file() else Path.cwd()

    if "base_dir" in raw:
        raise SettingsError(f"unknown setting 'base_dir' in {source}")
    _validate(raw, lambda _key: source)

    overrides = _env_overrides(env)
    for var, (keys, value) in overrides.items():
        _set_nested(raw, keys, value, var)
    names = {".".join(keys): var for var, (keys, _) in overrides.items()}

    def where(key: str) -> str:
        # The error's key may be the variable's own, or a table above or below it.
        for dotted, var in names.items():
            if key == dotted or dotted.startswith(f"{key}.") or key.startswith(f"{dotted}."):
                return var
        return source

    settings = _validate(raw, where, strict=not overrides)
    return _resolve_paths(settings, base_dir)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = msgspec.toml.decode(path.read_bytes())
    except (msgspec.DecodeError, OSError) as exc:
        raise SettingsError(f"cannot read configuration file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"configuration file {path} is not a TOML table")
    return data


def _validate(
    raw: dict[str, Any], where: typing.Callable[[str], str], strict: bool = True
) -> Settings:
    try:
        # Values from the environment are strings: lax mode turns "false" into False, "8" into 8.
        return msgspec.convert(raw, Settings, strict=strict)
    except msgspec.ValidationError as exc:
        message, _, at = str(exc).partition(" - at `$")
        key = at.rstrip("`").lstrip(".")
        unknown = message.partition("unknown field `")[2].rstrip("`")
        if unknown:
            key = f"{key}.{unknown}" if key else unknown
            raise SettingsError(f"unknown setting '{key}' in {where(key)}") from None
        raise SettingsError(f"invalid setting '{key}' in {where(key)}: {message}") from None


def _resolve_paths(settings: Settings, base_dir: Path) -> Settings:
    """Make relative paths (fields marked FsPath, the SQLite file, storage root) absolute."""
    sections: dict[str, Any] = {}
    for name, section_type in typing.get_type_hints(Settings).items():
        if not isinstance(section_type, type) or not issubclass(section_type, _Section):
            continue
        section = getattr(settings, name)
        hints = typing.get_type_hints(section_type, include_extras=True)
        changes = {
            key: str((base_dir / value).resolve())
            for key, hint in hints.items()
            if _is_fs_path(hint) and (value := getattr(section, key))
        }
        if changes:
            sections[name] = msgspec.structs.replace(section, **changes)
    database = settings.database
    sections["database"] = msgspec.structs.replace(
        database, url=_resolve_sqlite_url(database.url, base_dir)
    )
    root = settings.storage.options.get("root")
    if isinstance(root, str) and root:
        options = {**settings.storage.options, "root": str((base_dir / root).resolve())}
        storage = sections.get("storage", settings.storage)  # keep its resolved FsPath fields
        sections["storage"] = msgspec.structs.replace(storage, options=options)
    return msgspec.structs.replace(settings, base_dir=str(base_dir), **sections)


def _is_fs_path(hint: Any) -> bool:
    return any(
        isinstance(meta, msgspec.Meta) and (meta.extra or {}).get("fs_path")
        for meta in getattr(hint, "__metadata__", ())
    )


def _resolve_sqlite_url(url: str, base_dir: Path) -> str:
    scheme, sep, rest = url.partition(":///")
    if not scheme.startswith("sqlite") or not sep or not rest or rest.startswith((":memory:", "/")):
        return url
    path, query_sep, query = rest.partition("?")
    return f"{scheme}:///{(base_dir / path).resolve()}{query_sep}{query}"


def _env_overrides(env: Mapping[str, str]) -> dict[str, tuple[list[str], Any]]:
    found: dict[str, tuple[list[str], Any]] = {}
    for var, value in env.items():
        if not var.startswith(ENV_PREFIX) or "__" not in var:
            continue
        keys = [part.lower() for part in var[len(ENV_PREFIX) :].split("__")]
        if any(not key for key in keys) or keys == ["base_dir"]:
            raise SettingsError(f"malformed settings variable {var}")
        found[var] = (keys, _env_value(value))
    return found


def _env_value(value: str) -> Any:
    # Lists and tables are written as JSON, e.g. OGP_PLUGINS__DISABLED='["templates:minimal"]'.
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _set_nested(raw: dict[str, Any], keys: list[str], value: Any, var: str) -> None:
    node = raw
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise SettingsError(f"settings variable {var} sets a key inside a plain value")
        node = child
    node[keys[-1]] = value
