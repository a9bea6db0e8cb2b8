"""Typed reading of the secretary's YAML: line numbers, field names, errors.

Field names are written as on paper (``föredragande``, ``expedieras till``,
``e-post``) and compared after normalisation, so case, åäö and the choice of
space, hyphen or underscore do not matter. Problems are collected, never
raised one at a time, so the secretary sees all of them in one run.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import Problem

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def norm_key(key: object) -> str:
    """``Expedieras till`` -> ``expedieras_till``; ``e-post`` -> ``epost``."""
    text = str(key).strip().lower().translate(_FOLD)
    text = re.sub(r"[\s_]+", "_", text)
    return text.replace("-", "")


class LineDict(dict):
    """A mapping from YAML that remembers where it and its keys stand."""

    line: int = 0
    key_lines: dict[str, int]
    duplicates: list[tuple[str, int]]


class _Loader(yaml.SafeLoader):
    line_offset = 0


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.key_lines = {}
    result.duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1 + loader.line_offset
        if key in result:
            result.duplicates.append((str(key), line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = line
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, path: Path, problems: list[Problem], line_offset: int = 0) -> Any:
    """Parse YAML; a syntax error becomes a Problem with its line."""

    class Loader(_Loader):
        pass

    Loader.line_offset = line_offset
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        what = exc.problem or str(exc)
        problems.append(
            Problem(
                path,
                f"YAML-syntaxen går inte att läsa ({what}). Kontrollera indrag, kolon "
                "och citattecken på raden; text med kolon eller # inom citattecken.",
                line=line,
            )
        )
    except yaml.YAMLError as exc:
        problems.append(Problem(path, f"YAML-syntaxen går inte att läsa: {exc}"))
    return None


def load_yaml_file(path: Path, problems: list[Problem], *, empty: Any = None) -> Any:
    """Read a YAML file; missing, non-UTF-8, malformed or empty files become Problems.

    An empty file gives ``empty`` when that is not None (an optional settings
    file may be empty), else a problem.
    """
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(path, "filen saknas."))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(path, "filen är inte sparad som UTF-8. Spara den som UTF-8 i din editor."))
        return None
    before = len(problems)
    data = load_yaml(content, path, problems)
    if data is None and len(problems) == before:
        if empty is not None:
            return empty
        problems.append(Problem(path, "filen är tom."))
    return data


# ---------------------------------------------------------------- fields


@dataclass
class Field:
    name: str  # as written on paper, used in messages and docs
    convert: Callable[[Any], Any]
    required: bool = False
    default: Any = None
    aliases: tuple[str, ...] = ()

    @property
    def keys(self) -> set[str]:
        return {norm_key(self.name), *(norm_key(a) for a in self.aliases)}


class Invalid(ValueError):
    """Raised by a converter with a Swedish explanation."""


@dataclass
class Reader:
    """Reads one mapping against a list of fields, collecting problems."""

    path: Path
    problems: list[Problem]
    warnings: list[Problem]
    where: str = ""  # prefix for field names, e.g. "ledamöter[3]."

    def read(self, data: Any, fields: list[Field], line: int | None = None) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            self.problems.append(
                Problem(
                    self.path,
                    "här ska det stå fält på formen 'namn: värde'.",
                    field=self.where.rstrip(".") or None,
                    line=line,
                )
            )
            return None
        line = getattr(data, "line", line)
        key_lines = getattr(data, "key_lines", {})
        for key, dup_line in getattr(data, "duplicates", []):
            self.problems.append(
                Problem(self.path, "fältet står två gånger; ta bort det ena.", field=self.where + key, line=dup_line)
            )
        by_key = {k: f for f in fields for k in f.keys}
        values: dict[str, Any] = {}
        for key, value in data.items():
            spec = by_key.get(norm_key(key))
            if spec is None:
                names = [f.name for f in fields]
                close = difflib.get_close_matches(str(key).lower(), names, n=1, cutoff=0.6)
                hint = f" Menade du '{close[0]}'?" if close else f" Kända fält: {', '.join(names)}."
                self.warnings.append(
                    Problem(self.path, f"okänt fält, det används inte.{hint}",
                            field=self.where + str(key), line=key_lines.get(str(key), line))
                )
                continue
            if value is None or value == "" or value == []:
                continue
            try:
                values[spec.name] = spec.convert(value)
            except Invalid as exc:
                self.problems.append(
                    Problem(self.path, str(exc), field=self.where + str(key), line=key_lines.get(str(key), line))
                )
                values[spec.name] = spec.default
        for spec in fields:
            if spec.name not in values:
                if spec.required:
                    self.problems.append(
                        Problem(self.path, "fältet saknas eller är tomt men måste fyllas i.",
                                field=self.where + spec.name, line=line)
                    )
                values[spec.name] = spec.default() if callable(spec.default) else spec.default
        return values

    def sub(self, where: str) -> "Reader":
        return Reader(self.path, self.problems, self.warnings, self.where + where)


# ------------------------------------------------------------ converters


def text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise Invalid("här ska det stå en text, inte en lista eller flera fält.")
    if isinstance(value, bool):
        raise Invalid("här ska det stå en text; skriv den inom citattecken.")
    return str(value).strip()


def time_text(value: Any) -> str:
    """A clock time or range. YAML 1.1 reads an unquoted 10:30 as 630."""
    if isinstance(value, int) and not isinstance(value, bool):
        hours, minutes = divmod(value, 60)
        return f"{hours:02d}:{minutes:02d}"
    result = text(value)
    if not re.fullmatch(r"(kl\.?\s*)?\d{1,2}[:.]\d{2}(\s*[-–]\s*\d{1,2}[:.]\d{2})?", result):
        raise Invalid(f"'{result}' är ingen tid. Skriv till exempel \"09:00\" eller \"09:00-12:00\".")
    return re.sub(r"^kl\.?\s*", "", result).replace(" ", "")


def date_value(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(f"'{value}' är inget datum. Skriv datum som ÅÅÅÅ-MM-DD, till exempel 2020-12-11.") from None


_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def email(value: Any) -> str:
    result = text(value)
    if not _EMAIL.match(result):
        raise Invalid(f"'{result}' är ingen giltig e-postadress (namn@exempel.se).")
    return result


def text_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()]
    if not isinstance(value, list):
        raise Invalid("här ska det stå en lista, en rad per mottagare som börjar med '- '.")
    return [text(v) for v in value if v is not None and str(v).strip()]


def one_of(*choices: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        result = text(value).lower()
        if result not in choices:
            raise Invalid(f"'{value}' är inte tillåtet här. Välj ett av: {', '.join(choices)}.")
        return result

    return convert


def raw(value: Any) -> Any:
    return value


@dataclass
class Collected:
    """Problems and warnings gathered while loading."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def reader(self, path: Path, where: str = "") -> Reader:
        return Reader(path, self.problems, self.warnings, where)
