"""Typed reading of the secretary's YAML: line numbers, field names, errors.

Field names are written as on paper (``föredragande``, ``expedieras till``,
``e-post``) and compared after normalisation, so case, åäö and the choice of
space, hyphen or underscore do not matter. Problems are collected, never
raised one at a time, so the secretary sees all of them in one run.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Hashable

import yaml

from . import limits
from .errors import Problem, quote

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


class YamlRefused(Exception):
    """YAML that is valid but refused: too large or deep when written out, or a list as a key."""

    def __init__(self, message: str, mark: yaml.Mark | None):
        super().__init__(message)
        self.message = message
        self.mark = mark


_TOO_MANY_ALIASES = (
    "filen använder för många hänvisningar (&/*): högst {aliases} hänvisningar med * och högst {values} "
    "värden när de skrivs ut är tillåtna. Skriv ut värdena där de behövs i stället för att hänvisa till dem."
)
_SELF_REFERENCE = ("hänvisningen *{anchor} pekar in i sig själv. Skriv ut värdet i stället för att hänvisa "
                   "till det.")
_KEY_NOT_A_NAME = ("före kolon står en lista eller flera fält, men där ska det stå ett namn. Kontrollera "
                   "hakparenteser, klamrar och citattecken på raden.")
_TOO_DEEP = (
    "filen har för många nivåer inuti varandra (indrag, [ ] eller {{ }}; högst {depth}). "
    "Kontrollera indragen och att varje [ och {{ stängs."
)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


class _LimitedComposer(yaml.SafeLoader):
    """A SafeLoader that refuses alias bombs and deep nesting while composing.

    Composing builds the node graph, where an alias is one shared node; its
    cost grows with the text. Every node's size and depth *as written out*
    are tracked, so too many aliases (or too deep a structure) are refused
    before anything is constructed or printed.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._expanded: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) when written out
        self._aliases = 0
        self._alias_values = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            return self._compose_alias(parent, index)
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > limits.MAX_YAML_DEPTH:
            raise YamlRefused(_TOO_DEEP.format(depth=limits.MAX_YAML_DEPTH), mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        sizes = [self._expanded.get(id(child), (1, 1)) for child in _children(node)]
        values = 1 + sum(v for v, _ in sizes)
        depth = 1 + max((d for _, d in sizes), default=0)
        if depth > limits.MAX_YAML_DEPTH:
            raise YamlRefused(_TOO_DEEP.format(depth=limits.MAX_YAML_DEPTH), mark)
        self._expanded[id(node)] = (values, depth)
        return node

    def _compose_alias(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        node = super().compose_node(parent, index)  # the anchored node, or ComposerError
        expanded = self._expanded.get(id(node))
        if expanded is None:  # the anchor is still open: *a inside &a
            raise YamlRefused(_SELF_REFERENCE.format(anchor=quote(event.anchor, 40)), event.start_mark)
        self._aliases += 1
        self._alias_values += expanded[0]
        if self._aliases > limits.MAX_YAML_ALIASES or self._alias_values > limits.MAX_YAML_ALIAS_VALUES:
            values = f"{limits.MAX_YAML_ALIAS_VALUES:,}".replace(",", " ")
            raise YamlRefused(_TOO_MANY_ALIASES.format(aliases=limits.MAX_YAML_ALIASES, values=values),
                              event.start_mark)
        return node


def _plain_when_invalid(construct: Callable[[Any, yaml.Node], Any]) -> Callable[[Any, yaml.Node], Any]:
    """A scalar constructor that gives the text as written when the value is impossible.

    PyYAML raises ValueError for 2020-02-30 or a 5,000-digit number, and
    IndexError, KeyError or AttributeError for an empty or odd ``!!int``,
    ``!!bool`` or ``!!timestamp``. As text, the field's own converter explains
    what is wrong, with field and line.
    """

    def construct_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except yaml.YAMLError:
            raise
        except Exception:  # noqa: BLE001 - one scalar; any failure means "not this type"
            return loader.construct_scalar(node)

    return construct_or_text


class _Loader(_LimitedComposer):
    line_offset = 0


for _tag in ("timestamp", "int", "float", "bool", "null"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}",
                            _plain_when_invalid(yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{_tag}"]))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.key_lines = {}
    result.duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise YamlRefused(_KEY_NOT_A_NAME, key_node.start_mark)
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
    except YamlRefused as exc:
        line = exc.mark.line + 1 + line_offset if exc.mark else None
        problems.append(Problem(path, exc.message, line=line))
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
    if not path.is_file():
        problems.append(Problem(path, "filen saknas." if not path.exists() else "är ingen vanlig fil."))
        return None
    try:
        content = read_limited_text(path, limits.MAX_YAML_BYTES)
    except FileTooLarge as exc:
        problems.append(Problem(path, too_large_message(exc, YAML_ADVICE)))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(path, "filen är inte sparad som UTF-8. Spara den som UTF-8 i din editor."))
        return None
    except OSError as exc:
        problems.append(Problem(path, unreadable_message(exc)))
        return None
    before = len(problems)
    data = load_yaml(content, path, problems)
    if data is None and len(problems) == before:
        if empty is not None:
            return empty
        problems.append(Problem(path, "filen är tom."))
    return data


# ------------------------------------------------------------ file sizes

YAML_ADVICE = ("En sådan fil är normalt några kilobyte; kontrollera att det är rätt fil och att inget "
               "stort har klistrats in i den.")
MARKDOWN_ADVICE = ("En tjänsteskrivelse eller Markdown-bilaga är normalt under 50 kB. Kontrollera att det är "
                   "rätt fil; lägg långa texter, bilder eller tabeller som en PDF-bilaga i stället.")
BILAGA_ADVICE = ("Minska filen (i Acrobat: 'Spara som annan > Reducerad PDF'; i Word: komprimera bilderna) "
                 "eller dela upp den i flera bilagor.")


class FileTooLarge(Exception):
    """A source file over its size limit."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"{size} > {limit}")
        self.size = size
        self.limit = limit


def file_size_text(size: int) -> str:
    """``1234567`` -> ``1,2 MB``, as a Swedish file manager writes it."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".", ",").replace(",0 ", " ")
    return f"{size} byte"


def too_large_message(exc: FileTooLarge, advice: str, subject: str = "filen") -> str:
    """``filen är för stor (5,2 MB; högst 1 MB tillåts). <advice>``; ``subject`` names what is too large."""
    size, limit = file_size_text(exc.size), file_size_text(exc.limit)
    if size == limit:  # just over: rounding would hide the difference
        size, limit = (f"{n:,} byte".replace(",", " ") for n in (exc.size, exc.limit))
    return f"{subject} är för stor ({size}; högst {limit} tillåts). {advice}".lstrip()


def unreadable_message(exc: OSError) -> str:
    return (f"filen går inte att läsa ({exc.strerror or type(exc).__name__}). Kontrollera att den finns och "
            "att du har behörighet att läsa den.")


def check_file_size(path: Path, limit: int) -> None:
    """Raise FileTooLarge when the file on disk is over ``limit`` bytes."""
    size = path.stat().st_size
    if size > limit:
        raise FileTooLarge(size, limit)


def read_limited_text(path: Path, limit: int) -> str:
    """The file as UTF-8 text; FileTooLarge when it has more than ``limit`` bytes.

    Reads at most ``limit + 1`` bytes, so a file that grows or lies about its
    size cannot make the read unbounded.
    """
    check_file_size(path, limit)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(max(path.stat().st_size, len(data)), limit)
    return data.decode("utf-8")


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
        raise Invalid(f"'{quote(result)}' är ingen tid. Skriv till exempel \"09:00\" eller \"09:00-12:00\".")
    return re.sub(r"^kl\.?\s*", "", result).replace(" ", "")


def date_value(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    written = str(value).strip()
    try:
        return dt.date.fromisoformat(written)
    except ValueError:
        raise Invalid(_date_advice(written)) from None


_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december")
_DATE_SHAPE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])")


def _date_advice(written: str) -> str:
    """Why ``written`` is no date, e.g. ``'2020-02-30' är inget giltigt datum (februari 2020 har 29 dagar)``."""
    how = "Skriv datum som ÅÅÅÅ-MM-DD, till exempel 2020-12-11."
    match = _DATE_SHAPE.match(written)
    if match is None:
        return f"'{quote(written)}' är inget datum. {how}"
    return f"'{quote(written)}' är inget giltigt datum ({_date_fault(*map(int, match.groups()))}). {how}"


def _date_fault(year: int, month: int, day: int) -> str:
    if year < 1:
        return f"det finns inget år {year}"
    if not 1 <= month <= 12:
        return f"det finns ingen månad {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{_MONTHS[month - 1]} {year} har {days} dagar"
    return "skriv månad och dag med två siffror och inget efter datumet"


_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def email(value: Any) -> str:
    result = text(value)
    if not _EMAIL.match(result):
        raise Invalid(f"'{quote(result)}' är ingen giltig e-postadress (namn@exempel.se).")
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
            raise Invalid(f"'{quote(value)}' är inte tillåtet här. Välj ett av: {', '.join(choices)}.")
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
