"""Configuration: ``[tool.ses-lsp]`` in pyproject.toml or a ``.ses-lsp.toml``.

Keys (all optional)::

    select = ["ALL"]                 # codes, names or code prefixes
    ignore = ["SES113"]
    severity = { SES509 = "error" }  # overrides per code or name
    fail-on = "error"                # CLI exit threshold
    region = "eu-west-1"             # the receiving Region, for checks that need it
    verified-domains = ["example.com"]
    routing-tests = ["*.routing.yaml", "!old/**"]   # the routing-test files (`ses-lsp test`)
    root = "."                       # the repository root: cross-file checks see every file under it
    include = ["rules/**"]           # the repository's files (default: every JSON/YAML file)
    exclude = ["drafts/**"]          # files left out of the repository
    [tool.ses-lsp.per-file-ignores]
    "legacy/*.json" = ["SES101"]
    [tool.ses-lsp.kinds]
    "rules/*.yaml" = "mailmanager:create-rule-set"

Globs are matched against the path relative to the config file's directory
(``*`` does not cross ``/``, ``**`` does).

Editor settings (the language server's) take the same keys, are validated the same way
(:func:`settings_config`) and are merged over each file's configuration (:func:`merged`):
their globs are relative to the workspace folder.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ses_lsp.lint.catalogue import CATALOGUE
from ses_lsp.lint.diagnostics import Severity
from ses_lsp.lint.files import (
    CONFIG_FILES,  # noqa: E402,F401 (one definition)
    find_config_path,
)
from ses_lsp.lint.kinds import all_kinds, resolve_kind_name
from ses_lsp.lint.text import closest
from ses_lsp.schema import ROUTING_TEST_KIND

_KNOWN_KEYS = {
    "select",
    "ignore",
    "severity",
    "fail-on",
    "region",
    "verified-domains",
    "per-file-ignores",
    "kinds",
    "extend-ignore",
    "extend-select",
    "active-rule-set",
    "routing-tests",
    "root",
    "include",
    "exclude",
}

# The files that are routing tests (kind ses-lsp:routing-test, run by `ses-lsp test`) unless the
# configuration's `routing-tests` globs say otherwise.
ROUTING_TEST_GLOBS = ("*.routing.yaml", "*.routing.yml", "*.routing.json")
_ROUTING_TEST_SUFFIXES = tuple(g[1:] for g in ROUTING_TEST_GLOBS)


# Where editor settings come from, in messages (as a config file's path is).
SETTINGS_SOURCE = "ses-lsp settings"


class ConfigError(Exception):
    """A configuration file or setting that cannot be used; the message says why."""


@dataclass(frozen=True)
class Glob:
    """A glob of a ``kinds`` or ``per-file-ignores`` table and the directory it is relative to:
    the config file's, the workspace folder for editor settings; None: the file's own directory
    (the pattern is matched against the file name)."""

    pattern: str
    base: str | None

    def matches(self, path: str) -> bool:
        rel = os.path.basename(path) if self.base is None else _relative(path, self.base)
        return glob_match(self.pattern, rel)


def _relative(path: str, base: str) -> str:
    """``path`` relative to ``base``, "/"-separated (as globs are matched)."""
    try:
        rel = os.path.relpath(os.path.abspath(path), base)
    except ValueError:  # other drive (Windows)
        rel = path
    return rel.replace(os.sep, "/")


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    fail_on: str = "error"
    region: str | None = None
    verified_domains: tuple[str, ...] = ()
    active_rule_set: str | None = None
    # Glob tables, in the order they are tried (a merged config: the editor's before the file's).
    per_file_ignores: tuple[tuple[Glob, tuple[str, ...]], ...] = ()
    kinds: tuple[tuple[Glob, str], ...] = ()
    # The routing-test globs (.gitignore lines: a later "!pattern" excludes), relative to ``root``.
    routing_tests: tuple[str, ...] = ROUTING_TEST_GLOBS
    # The config file's directory (its globs are relative to it), or None.
    root: str | None = None
    # The repository (ses_lsp.lint.repository): its root (absolute), and the .gitignore-style
    # globs of its files (relative to ``root``; a later "!pattern" excludes).
    repository_root: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    source: str | None = None  # the file the config came from
    # The keys the table set ("-" spelling): what replaces or extends another config's when
    # this one is merged over it (see ``merged``).
    given: frozenset[str] = frozenset()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def kind_for(self, path: str | None) -> str | None:
        """The kind the first matching ``kinds`` glob gives ``path``, else ``ses-lsp:routing-test``
        for a path the ``routing-tests`` globs match, else None."""
        if not path:
            return None
        for glob, kind in self.kinds:
            if glob.matches(path):
                return kind
        if self.is_routing_test(path):
            return ROUTING_TEST_KIND
        return None

    def is_routing_test(self, path: str) -> bool:
        """Do the ``routing-tests`` globs match ``path``?"""
        globs = self.routing_tests
        if globs == ROUTING_TEST_GLOBS:  # (the default: no pattern library needed)
            return os.path.basename(path).endswith(_ROUTING_TEST_SUFFIXES)
        if not globs:
            return False
        rel = os.path.basename(path) if self.root is None else _relative(path, self.root)
        return _glob_lines(globs).match_file(rel)

    def ignored_for(self, path: str | None) -> tuple[str, ...]:
        """The codes every matching ``per-file-ignores`` glob ignores for ``path``."""
        if not path or not self.per_file_ignores:
            return ()
        out: list[str] = []
        for glob, codes in self.per_file_ignores:
            if glob.matches(path):
                out.extend(codes)
        return tuple(out)

    def in_repository(self, path: str) -> bool:
        """Do the ``include`` globs (all files when there are none) take ``path``, and the
        ``exclude`` globs leave it?"""
        rel = os.path.basename(path) if self.root is None else _relative(path, self.root)
        if self.include and not _glob_lines(self.include).match_file(rel):
            return False
        return not (self.exclude and _glob_lines(self.exclude).match_file(rel))

    def with_overrides(self, **kw) -> Config:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    def fingerprint(self) -> str:
        """Stable text that changes whenever a setting that affects results changes."""
        return repr(
            (
                self.select,
                self.ignore,
                self.severity,
                self.region,
                self.verified_domains,
                self.active_rule_set,
                self.per_file_ignores,
                self.kinds,
                self.routing_tests,
                self.root,
            )
        )


@lru_cache(maxsize=256)
def _glob(pattern: str):
    """A gitignore-style pattern (pathspec's implementation of git's wildmatch rules)."""
    import pathspec  # imported only by configs that have globs (about 12 ms)

    # Relative to the config file's directory, so "./x" is "x" (git itself has no "./").
    return pathspec.GitIgnoreSpec.from_lines([pattern[2:] if pattern.startswith("./") else pattern])


@lru_cache(maxsize=64)
def _glob_lines(patterns: tuple[str, ...]):
    """Several .gitignore lines as one spec: a later ``!pattern`` excludes what earlier ones match."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([p[2:] if p.startswith("./") else p for p in patterns])


def glob_match(pattern: str, relpath: str) -> bool:
    """Whether ``relpath`` (relative to the config file's directory, "/"-separated) matches
    ``pattern`` as a .gitignore line would: a pattern without a "/" (but a trailing one) matches
    a name in any directory, one with a "/" is anchored, "**" spans directories."""
    return _glob(pattern).match_file(relpath)


def _load_toml(path: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def find_config_file(start: str) -> str | None:
    """The nearest config file at or above ``start`` (a file or directory)."""
    d = os.path.abspath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    return find_config_path(d)


def load_config_file(path: str) -> Config:
    data = _load_toml(path)
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("ses-lsp", {})
    return config_from_mapping(data, source=path, root=os.path.dirname(os.path.abspath(path)))


def config_from_mapping(data: dict, source: str | None = None, root: str | None = None) -> Config:
    """Build a Config from a mapping (a TOML table or editor settings); raises ConfigError."""
    where = source or "settings"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the ses-lsp configuration must be a table")
    unknown = sorted(set(data) - _KNOWN_KEYS - {k.replace("-", "_") for k in _KNOWN_KEYS})
    if unknown:
        hint = closest(unknown[0], sorted(_KNOWN_KEYS))
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}"
            + (f"; did you mean {hint!r}?" if hint else "")
            + f" (known keys: {', '.join(sorted(_KNOWN_KEYS))})"
        )

    def get(key: str):
        return data.get(key, data.get(key.replace("-", "_")))

    def str_list(key: str) -> tuple[str, ...] | None:
        v = get(key)
        if v is None:
            return None
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ConfigError(f"{where}: {key!r} must be a list of strings")
        return tuple(v)

    def check_codes(key: str, codes: tuple[str, ...] | None) -> None:
        if codes:
            try:
                CATALOGUE.expand(list(codes))
            except ValueError as exc:
                raise ConfigError(f"{where}: {key}: {exc}") from None

    select = str_list("select")
    ignore = str_list("ignore")
    extend_select = str_list("extend-select") or ()
    extend_ignore = str_list("extend-ignore") or ()
    for key, codes in (
        ("select", select),
        ("ignore", ignore),
        ("extend-select", extend_select),
        ("extend-ignore", extend_ignore),
    ):
        check_codes(key, codes)

    sev = get("severity") or {}
    if not isinstance(sev, dict):
        raise ConfigError(f'{where}: \'severity\' must be a table of CODE = "error"|"warning"|"info"')
    severity: list[tuple[str, str]] = []
    for code, level in sev.items():
        check_codes("severity", (code,))
        try:
            Severity.parse(str(level))
        except ValueError as exc:
            raise ConfigError(f"{where}: severity.{code}: {exc}") from None
        severity.append((code, str(level).lower()))

    fail_on = get("fail-on") or "error"
    if fail_on not in ("error", "warning", "info"):
        raise ConfigError(f'{where}: \'fail-on\' must be "error", "warning" or "info", not {fail_on!r}')

    pfi = get("per-file-ignores") or {}
    if not isinstance(pfi, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of \"glob\" = [codes]")
    per_file: list[tuple[Glob, tuple[str, ...]]] = []
    for pattern, listed in pfi.items():
        if isinstance(listed, str):
            listed = [listed]
        if not isinstance(listed, list) or not all(isinstance(c, str) for c in listed):
            raise ConfigError(f"{where}: per-file-ignores.{pattern!r} must be a list of codes")
        check_codes(f"per-file-ignores.{pattern}", tuple(listed))
        per_file.append((Glob(pattern, root), tuple(listed)))

    kinds_map = get("kinds") or {}
    if not isinstance(kinds_map, dict):
        raise ConfigError(f'{where}: \'kinds\' must be a table of "glob" = "kind"')
    kinds: list[tuple[Glob, str]] = []
    if kinds_map:
        for pattern, kind in kinds_map.items():
            full = resolve_kind_name(kind) if isinstance(kind, str) else None
            if full is None:
                hint = closest(str(kind), list(all_kinds()), cutoff=0.5)
                raise ConfigError(
                    f"{where}: kinds.{pattern!r}: unknown kind {kind!r}"
                    + (f"; did you mean {hint!r}?" if hint else "; run `ses-lsp kinds` for the list")
                )
            kinds.append((Glob(pattern, root), full))

    region = get("region")
    if region is not None:
        from ses_lsp.knowledge.arns import is_region

        if not (isinstance(region, str) and is_region(region)):
            raise ConfigError(f"{where}: 'region' must be an AWS Region name such as \"us-east-1\", not {region!r}")
    active = get("active-rule-set")
    if active is not None and not isinstance(active, str):
        raise ConfigError(f"{where}: 'active-rule-set' must be a string")

    routing = str_list("routing-tests")
    repo_root = get("root")
    if repo_root is not None:
        if not isinstance(repo_root, str) or not repo_root:
            raise ConfigError(
                f"{where}: 'root' must be a directory (relative to the configuration's), not {repo_root!r}"
            )
        repo_root = os.path.normpath(os.path.join(root or os.getcwd(), os.path.expanduser(repo_root)))
    return Config(
        select=(select or ("ALL",)) + tuple(extend_select),
        ignore=(ignore or ()) + tuple(extend_ignore),
        severity=tuple(severity),
        fail_on=fail_on,
        region=region,
        verified_domains=str_list("verified-domains") or (),
        active_rule_set=active,
        per_file_ignores=tuple(per_file),
        kinds=tuple(kinds),
        routing_tests=ROUTING_TEST_GLOBS if routing is None else routing,
        root=root,
        repository_root=repo_root,
        include=str_list("include") or (),
        exclude=str_list("exclude") or (),
        source=source,
        given=frozenset(k.replace("_", "-") for k in data),
    )


def settings_config(data: dict, workspace: str | None) -> Config:
    """The Config of editor settings (the keys of the config table), validated as a config file
    is: a ConfigError names the key and what is allowed.  Globs are relative to the workspace
    folder; without one, they are matched against the file name."""
    return config_from_mapping(data, source=SETTINGS_SOURCE, root=workspace)


def merged(base: Config, over: Config) -> Config:
    """``base`` (a configuration file's) with ``over`` (editor settings) on top: what ``over``
    gives wins.  ``select`` / ``ignore`` replace the base's lists, ``extend-select`` /
    ``extend-ignore`` extend them; ``severity`` entries override the base's per code;
    ``region``, ``verified-domains``, ``active-rule-set``, ``fail-on`` and ``routing-tests``
    replace the base's values; ``kinds`` and ``per-file-ignores`` globs are tried before the base's (each relative
    to its own directory)."""
    given = over.given
    kw: dict = {}
    if "select" in given:
        kw["select"] = over.select
    elif "extend-select" in given:
        kw["select"] = base.select + over.select[1:]  # over.select is ("ALL", *extend-select)
    if "ignore" in given:
        kw["ignore"] = over.ignore
    elif "extend-ignore" in given:
        kw["ignore"] = base.ignore + over.ignore  # over.ignore is the extend-ignore list
    if "severity" in given:
        kw["severity"] = base.severity + over.severity
    if over.per_file_ignores:
        kw["per_file_ignores"] = over.per_file_ignores + base.per_file_ignores
    if over.kinds:
        kw["kinds"] = over.kinds + base.kinds
    if "region" in given:
        kw["region"] = over.region
    if "verified-domains" in given:
        kw["verified_domains"] = over.verified_domains
    if "active-rule-set" in given:
        kw["active_rule_set"] = over.active_rule_set
    if "fail-on" in given:
        kw["fail_on"] = over.fail_on
    if "routing-tests" in given:
        kw["routing_tests"] = over.routing_tests
    if "root" in given:
        kw["repository_root"] = over.repository_root
    if "include" in given:
        kw["include"] = over.include
    if "exclude" in given:
        kw["exclude"] = over.exclude
    return replace(base, **kw) if kw else base


def config_for(path: str | None) -> Config:
    """The configuration that applies to ``path`` (a file or directory)."""
    found = find_config_file(path or os.getcwd())
    if found is None:
        return Config(root=os.getcwd())
    return _cached_load(found, _mtime(found))


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=64)
def _cached_load(path: str, mtime: float) -> Config:
    return load_config_file(path)
