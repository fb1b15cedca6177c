"""Project configuration: `.nginxlint.yaml`, or `[tool.nginxlint]` in
`pyproject.toml`, the nearest one upwards from the folder of the linted
paths, else from the working directory (or given with --config). It holds
the same settings as the command line, plus per-rule severities, the
opt-in packs to turn on, and `entry:`, the main config(s) `check --staged`
lints staged files inside; command-line options win over it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FileError
from ..findings.records import SEVERITIES
from ..policy.model import GivenValue
from ..policy.yamlload import Map, Seq, YamlError, load_yaml
from ..semantics.effective import parse_version

YAML_NAME = ".nginxlint.yaml"
# key -> kind of value: "list" (of strings), "map" (string to string) or a
# tuple of allowed strings ("" for any string).
KEYS = {
    "policies": "list", "packs": "list", "select": "list", "ignore": "list", "severity": "map", "params": "map",
    "entry": "list", "exclude": "list", "directives": "list", "nginx-version": "", "fail-on": SEVERITIES,
    "format": ("text", "json", "sarif", "github", "concise"),
}


class ConfigError(FileError):
    """A project config (`.nginxlint.yaml`, `pyproject.toml`) that cannot be used."""


@dataclass
class ProjectConfig:
    file: str | None = None
    values: dict = field(default_factory=dict)  # validated; policies made absolute


def find_config(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / YAML_NAME).is_file():
            return directory / YAML_NAME
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and re.search(r"^\[tool\.nginxlint\]", _text(pyproject), re.M):
            return pyproject
    return None


def find_config_for(paths: tuple[str, ...] | list[str], cwd: Path) -> Path | None:
    """The project config of a run over `paths`: the nearest upwards from
    the folder that holds them all (a path that is a folder counts as
    itself, a file as its folder; standard input and a path that does not
    exist as nothing), else the
    nearest upwards from the working directory. As in ruff, the config
    nearest the files decides, so `nginxlint check site/a.conf` run from
    anywhere reads site/.nginxlint.yaml; one run reads one config."""
    folders = [_folder(path, cwd) for path in paths if path != "-" and os.path.exists(os.path.join(cwd, path))]
    if folders:
        found = find_config(Path(os.path.commonpath(folders)))
        if found is not None:
            return found
    return find_config(cwd)


def _folder(path: str, cwd: Path) -> str:
    absolute = os.path.normpath(os.path.join(cwd, path))
    return absolute if os.path.isdir(absolute) else os.path.dirname(absolute)


def load_config(path: Path) -> ProjectConfig:
    text = _text(path)
    if path.name == "pyproject.toml":
        import tomllib  # only for a pyproject.toml with [tool.nginxlint]: most runs read none

        try:
            table = tomllib.loads(text).get("tool", {}).get("nginxlint", {})
        except tomllib.TOMLDecodeError as exc:
            at = re.search(r"at line (\d+)", str(exc))  # tomllib reports the line only in its message
            line = int(at.group(1)) if at else text.count("\n") + 1  # "at end of document"
            raise ConfigError(str(path), line, f"invalid TOML: {exc}") from None
        lines = _toml_key_lines(text)
    else:
        try:
            table = load_yaml(text) or Map()
        except YamlError as exc:
            raise ConfigError(str(path), exc.line, exc.message) from None
        if not isinstance(table, Map):
            raise ConfigError(str(path), getattr(table, "line", 1), "expected a mapping of settings")
        lines = table.key_lines
    values = {}
    for key, value in table.items():
        line = lines.get(key)
        if key not in KEYS:
            raise ConfigError(str(path), line, f"unknown setting {key!r}; known: {', '.join(KEYS)}")
        values[key] = _check(KEYS[key], key, value, str(path), line)
    if "params" in values:
        values["params"] = _given_params(table["params"], str(path), lines.get("params"))
    if "packs" in values:  # an unknown name is reported at this line once the packs are loaded
        values["packs"] = [GivenValue(name, str(path), lines.get("packs")) for name in values["packs"]]
    if "nginx-version" in values:
        try:
            parse_version(values["nginx-version"])
        except ValueError as exc:
            raise ConfigError(str(path), lines.get("nginx-version"), str(exc)) from None
    for key in ("policies", "entry"):  # relative to the config's folder
        if key in values:
            values[key] = [str((path.parent / p).resolve()) for p in values[key]]
    if "severity" in values:
        for rule, severity in values["severity"].items():
            if severity not in SEVERITIES:
                raise ConfigError(str(path), lines.get("severity"), f"severity of {rule} must be one of {', '.join(SEVERITIES)}")
    return ProjectConfig(str(path), values)


def _check(kind: str | tuple[str, ...], key: str, value: object, file: str, line: int | None) -> str | list[str] | dict[str, str]:
    if kind == "list":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, Seq)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(file, line, f"{key} must be a list of strings")
        return list(value)
    if kind == "map":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(file, line, f"{key} must map names to string values (quote numbers in TOML)")
        return dict(value)
    if not isinstance(value, str):
        raise ConfigError(file, line, f"{key} must be a string")
    if kind and value not in kind:
        raise ConfigError(file, line, f"{key} must be one of {', '.join(kind)}")
    return value


def _given_params(params: dict, file: str, line: int | None) -> dict[str, GivenValue]:
    """Parameter values that remember their file and line (each its own in
    YAML; the params table's in TOML), for the policy loader's errors."""
    key_line = params.line_of if isinstance(params, Map) else lambda _name: line
    return {name: GivenValue(value, file, key_line(name)) for name, value in params.items()}


def _text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None


def _toml_key_lines(text: str) -> dict[str, int]:
    """Line of each key of [tool.nginxlint]; tomllib does not report lines."""
    lines, inside = {}, False
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("["):
            inside = stripped.startswith("[tool.nginxlint")
            sub = re.match(r"\[tool\.nginxlint\.([\w-]+)\]", stripped)
            if sub:
                lines.setdefault(sub.group(1), number)
        elif inside:
            key = re.match(r"([\w-]+)\s*=", stripped)
            if key:
                lines.setdefault(key.group(1), number)
    return lines
