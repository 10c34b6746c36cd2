"""The one declared settings table of DOS.

Every setting has a name, a type, a default and a help text, and can be overridden by the
environment variable ``DOS_<NAME>``. Secrets are read only from the environment (there is no
settings file to leak them from). An unknown ``DOS_*`` variable, or a value of the wrong type,
stops start-up with one line that names it (:class:`ConfigError`).

Variables starting with ``DOS_TEST_`` belong to the test harness and are ignored here.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urlsplit

PREFIX = "DOS_"
TEST_PREFIX = "DOS_TEST_"


class ConfigError(Exception):
    """A setting is unknown, malformed or missing; the message is one line for the operator."""


@dataclass(frozen=True)
class Setting:
    """One declared setting: ``DOS_<name>`` in the environment."""

    name: str
    kind: str  # str | int | float | bool | list | url | choice | path
    default: str
    help: str
    secret: bool = False
    choices: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()

    @property
    def env(self) -> str:
        return PREFIX + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "MODE",
        "choice",
        "development",
        "`development` (embedded defaults, generated secret key) or `production` "
        "(secret key required, debug off, secure cookies).",
        choices=("development", "production"),
    ),
    Setting(
        "DATA_DIR",
        "path",
        "./var",
        "Folder for the embedded SQLite files, the generated secret key, uploads and mails.",
    ),
    Setting(
        "DATABASE_URL",
        "url",
        "",
        "Empty: SQLite files in the data folder (`portal.sqlite3`, `broker.sqlite3`). "
        "`postgresql://user:pass@host:5432/db`: portal and broker in the schemas `portal` "
        "and `broker` of that database.",
        secret=True,
        schemes=("postgresql", "postgres", "sqlite"),
    ),
    Setting(
        "SECRET_KEY",
        "str",
        "",
        "Django secret key. Empty in development: generated once and kept in "
        "`<data dir>/secret_key`. Required in production.",
        secret=True,
    ),
    Setting("DEBUG", "bool", "false", "Show Django debug pages. Never in production."),
    Setting(
        "ALLOWED_HOSTS",
        "list",
        "127.0.0.1,localhost,testserver",
        "Host names the portal answers to, comma separated.",
    ),
    Setting(
        "BASE_URL",
        "str",
        "http://127.0.0.1:8000",
        "Public URL of this installation, used in mails, feeds and NGSI-LD links.",
    ),
    Setting("HOST", "str", "127.0.0.1", "Address `dos serve` binds to."),
    Setting("PORT", "int", "8000", "Port `dos serve` listens on."),
    Setting("WORKERS", "int", "1", "Worker processes of `dos serve`."),
    Setting(
        "SERVE_ONLY",
        "choice",
        "all",
        "Which part this process serves: `all`, `broker` (NGSI-LD API only) or `portal`.",
        choices=("all", "broker", "portal"),
    ),
    Setting(
        "LOG_FORMAT", "choice", "text", "Log lines as `text` or `json`.", choices=("text", "json")
    ),
    Setting(
        "LOG_LEVEL",
        "choice",
        "INFO",
        "Lowest level that is logged.",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
    ),
    Setting(
        "MQTT_URL",
        "url",
        "",
        "MQTT broker for sensor ingestion and MQTT notifications, e.g. "
        "`mqtt://127.0.0.1:1883`. Empty: no MQTT.",
        secret=True,
        schemes=("mqtt", "mqtts"),
    ),
    Setting(
        "MQTT_GROUP",
        "str",
        "dos",
        "MQTT 5 shared-subscription group of the sensor ingestion: all processes with the same "
        "group share the measures; another installation on the same MQTT broker needs its own.",
    ),
    Setting(
        "BROKER_URL",
        "url",
        "",
        "Empty: the portal uses the broker in this process. Otherwise the base URL of any "
        "NGSI-LD broker, e.g. `http://orion:1026`.",
        schemes=("http", "https"),
    ),
    Setting(
        "PORTAL_NOTIFY_URL",
        "url",
        "",
        "Base URL under which the broker reaches this portal for the map's live notifications "
        "(NGSI-LD subscriptions). Empty: `http://127.0.0.1:<DOS_PORT>` (the same process or "
        "host). Set it when the broker is external or the portal runs behind another address.",
        schemes=("http", "https"),
    ),
    Setting(
        "BROKER_TOKEN",
        "str",
        "",
        "Bearer token the portal sends to an external broker (`DOS_BROKER_URL`).",
        secret=True,
    ),
    Setting(
        "BROKER_READ",
        "choice",
        "public",
        "NGSI-LD reads are `public` or need a `token`.",
        choices=("public", "token"),
    ),
    Setting(
        "BROKER_OPEN_WRITES",
        "bool",
        "false",
        "Demo only: accept NGSI-LD writes without a token (a warning is logged at start).",
    ),
    Setting(
        "BROKER_MAX_BODY",
        "int",
        "10485760",
        "Largest accepted NGSI-LD request body in bytes (larger: 413).",
    ),
    Setting(
        "BROKER_CONTEXT_TIMEOUT",
        "float",
        "3.0",
        "Seconds to wait for a user @context before answering LdContextNotAvailable.",
    ),
    Setting("BROKER_CONTEXT_MAX_BYTES", "int", "1048576", "Largest user @context fetched."),
    Setting(
        "BROKER_SQLITE_SYNCHRONOUS",
        "choice",
        "FULL",
        "SQLite `synchronous` mode of the broker's file (WAL journal). `FULL`: every "
        "acknowledged write survives a power loss (the writer syncs the log after each "
        "commit, outside the write lock, before it answers). `NORMAL`: no sync per commit "
        "(higher write rates); the database stays consistent and survives a crash or "
        "`kill -9` of the process, but a power loss or OS crash may lose the last "
        "acknowledged commits.",
        choices=("FULL", "NORMAL"),
    ),
    Setting(
        "BROKER_RETENTION_HOURS",
        "int",
        "24",
        "Hours between two runs of the temporal history's retention policies by `dos worker` "
        "(at start when due, then on schedule). 0: the worker never applies them.",
    ),
    Setting(
        "BROKER_TEMPORAL_LIMIT",
        "int",
        "1000",
        "Most attribute instances of one entity in a temporal answer; more: 206 Partial Content "
        "with the time range returned in Content-Range.",
    ),
    Setting(
        "OIDC_ISSUER",
        "url",
        "",
        "OpenID Connect issuer (e.g. Keycloak realm URL). Empty: OIDC login is off.",
        schemes=("http", "https"),
    ),
    Setting("OIDC_CLIENT_ID", "str", "", "OIDC client id."),
    Setting("OIDC_CLIENT_SECRET", "str", "", "OIDC client secret.", secret=True),
    Setting("OIDC_NAME", "str", "Single Sign-On", "Label of the OIDC login button."),
    Setting(
        "SMTP_HOST",
        "str",
        "",
        "SMTP server. Empty: mails are written as files to `<data dir>/mail/`.",
    ),
    Setting("SMTP_PORT", "int", "587", "SMTP port."),
    Setting("SMTP_USER", "str", "", "SMTP user name."),
    Setting("SMTP_PASSWORD", "str", "", "SMTP password.", secret=True),
    Setting("SMTP_TLS", "bool", "true", "Use STARTTLS."),
    Setting("EMAIL_FROM", "str", "DOS <noreply@dos.localhost>", "Sender of all mails."),
    Setting(
        "LOGIN_MAX_FAILURES",
        "int",
        "5",
        "Failed logins per account and address before login is paused.",
    ),
    Setting("LOGIN_LOCKOUT_SECONDS", "int", "300", "How long login stays paused."),
    Setting(
        "DASHBOARD_CACHE_SECONDS",
        "int",
        "5",
        "How long the dashboards reuse a city's sensor values read from the broker (maps, "
        "live values, analyses); 0 reads them anew for every request. Aggregated chart "
        "periods that are over are kept longer (see docs/dashboards.md).",
    ),
    Setting(
        "PAGE_CACHE_SECONDS",
        "int",
        "60",
        "How long each server process answers anonymous visitors from a kept copy of a public "
        "page (strategy, home, news, blog, pages). Any edit makes the next request fresh at "
        "once; the time bounds only what changes with the clock (a post published at a set "
        "time, upcoming events). 0 turns the page cache off (see docs/operations.md).",
    ),
    Setting(
        "PAGE_CACHE_MB",
        "int",
        "32",
        "Most megabytes of pages the page cache keeps per server process (the least recently "
        "used go first).",
    ),
    Setting(
        "GC_GEN0_THRESHOLD",
        "int",
        "50000",
        "Allocations between two collections of Python's youngest garbage-collector generation "
        "in each server process. CPython's default of 700 makes a request that builds many "
        "objects (the city map of 700 sensors) run several full collections over the whole "
        "heap; 50000 cut the map's cold p95 from about 330 to 150 ms. Objects are still freed "
        "at once by reference counting; only cyclic garbage waits longer. 0 keeps CPython's "
        "defaults.",
    ),
)

_BY_ENV: dict[str, Setting] = {s.env: s for s in SETTINGS}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse(setting: Setting, raw: str) -> Any:
    kind = setting.kind
    text = raw.strip()
    if kind == "str":
        return raw
    if kind == "path":
        return Path(text).expanduser()
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{setting.env} must be a whole number, got {text!r}") from None
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"{setting.env} must be a number, got {text!r}") from None
    if kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ConfigError(f"{setting.env} must be true or false, got {text!r}")
    if kind == "list":
        return [item.strip() for item in text.split(",") if item.strip()]
    if kind == "choice":
        if text not in setting.choices:
            allowed = ", ".join(setting.choices)
            raise ConfigError(f"{setting.env} must be one of {allowed}, got {text!r}")
        return text
    if kind == "url":
        if not text:
            return ""
        parts = urlsplit(text)
        if parts.scheme not in setting.schemes or not (parts.netloc or parts.path):
            allowed = ", ".join(f"{s}://" for s in setting.schemes)
            raise ConfigError(
                f"{setting.env} must be a URL starting with {allowed}, got {mask_url(text)!r}"
            )
        try:
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            raise ConfigError(f"{setting.env} has an invalid port: {mask_url(text)!r}") from None
        return text
    raise AssertionError(f"unknown setting kind {kind}")


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and `dos config`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<malformed URL>"
    if parts.password is None:
        return url
    user = quote(unquote(parts.username or ""))
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return SplitResult(parts.scheme, netloc, parts.path, parts.query, parts.fragment).geturl()


@dataclass(frozen=True)
class Config:
    """The effective settings: ``values`` by setting name, plus what was derived from them."""

    values: Mapping[str, Any]
    sources: Mapping[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name.upper()]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def production(self) -> bool:
        return bool(self.values["MODE"] == "production")

    @property
    def data_dir(self) -> Path:
        return Path(self.values["DATA_DIR"]).resolve()

    @property
    def uses_postgres(self) -> bool:
        return str(self.values["DATABASE_URL"]).startswith(("postgresql:", "postgres:"))

    def sqlite_path(self, part: str) -> Path:
        """The SQLite file of ``part`` ("portal" or "broker") in the embedded default."""
        url = str(self.values["DATABASE_URL"])
        if url.startswith("sqlite:"):
            base = Path(urlsplit(url).path)
            return base.parent / f"{base.stem}-{part}{base.suffix or '.sqlite3'}"
        return self.data_dir / f"{part}.sqlite3"

    def effective(self) -> list[tuple[str, str, str]]:
        """(variable, shown value, source) rows with secrets masked, for `dos config`."""
        rows = []
        for setting in SETTINGS:
            value = self.values[setting.name]
            if isinstance(value, list):
                shown = ",".join(value)
            elif isinstance(value, bool):
                shown = "true" if value else "false"
            else:
                shown = str(value)
            if setting.secret and shown:
                shown = mask_url(shown) if setting.kind == "url" else "***"
            rows.append((setting.env, shown, self.sources.get(setting.name, "default")))
        return rows


def load(environ: Mapping[str, str] | None = None, *, create_secret: bool = True) -> Config:
    """Read, validate and complete the settings from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    for key in env:
        if key.startswith(PREFIX) and not key.startswith(TEST_PREFIX) and key not in _BY_ENV:
            raise ConfigError(
                f"unknown setting {key} (the settings are listed in docs/settings.md)"
            )
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        if setting.env in env:
            values[setting.name] = _parse(setting, env[setting.env])
            sources[setting.name] = "environment"
        else:
            values[setting.name] = _parse(setting, setting.default)
    if values["MODE"] == "production":
        if not values["SECRET_KEY"]:
            raise ConfigError("DOS_SECRET_KEY is required in production mode")
        if values["DEBUG"]:
            raise ConfigError("DOS_DEBUG must be false in production mode")
    elif not values["SECRET_KEY"]:
        values["SECRET_KEY"] = _embedded_secret(Path(values["DATA_DIR"]), create=create_secret)
        sources["SECRET_KEY"] = "generated in data dir"
    if values["OIDC_ISSUER"] and not values["OIDC_CLIENT_ID"]:
        raise ConfigError("DOS_OIDC_CLIENT_ID is required when DOS_OIDC_ISSUER is set")
    return Config(values, sources)


def _embedded_secret(data_dir: Path, *, create: bool) -> str:
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    if not create:
        return ""
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def settings_markdown() -> str:
    """docs/settings.md, generated from :data:`SETTINGS` (a test keeps the file current)."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated by `dos config --markdown` from `src/dos/config.py`; do not edit. -->",
        "",
        "Every setting is an environment variable. An unknown `DOS_*` variable or a value of the",
        "wrong type stops start-up with one line naming it. Secrets are read only from the",
        "environment and shown masked by `dos config`. Variables starting with `DOS_TEST_` belong",
        "to the test suite (see docs/development.md).",
        "",
        "| variable | type | default | secret | meaning |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        kind = s.kind if not s.choices else " \\| ".join(s.choices)
        default = f"`{s.default}`" if s.default else "(empty)"
        lines.append(f"| `{s.env}` | {kind} | {default} | {'yes' if s.secret else ''} | {s.help} |")
    return "\n".join(lines) + "\n"
