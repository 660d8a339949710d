"""One city matcher for the policy model, designations and boundaries.

Keys are normalised before lookup: NFKC (full-width digits and letters become
ASCII: ４４０１００ -> 440100), traditional characters of the 21 city names
become simplified (廣州 -> 广州), white space goes, case folds. A small table
is enough for 21 fixed names; a general converter (OpenCC) would add a
compiled dependency for nine characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")

# The traditional forms occurring in the names of Guangdong's 21 prefecture-level
# cities and of the province itself (廣東省).
_TRADITIONAL = str.maketrans({
    "廣": "广", "東": "东", "頭": "头", "關": "关", "門": "门",
    "陽": "阳", "慶": "庆", "遠": "远", "雲": "云", "縣": "县", "區": "区",
})
_ADCODE = re.compile(r"(\d{6})(?:\.0*)?|(\d{6})0{6}(?:\.0*)?")
_PROVINCE_PREFIXES = ("广东省", "广东")
_SUFFIXES = (" city", " shi", " prefecture", "city", "shi")


class _City(Protocol):
    adcode: str
    name_zh: str
    full_name_zh: str
    name_en: str


def normalise(text: str) -> str:
    """The lookup key of a name or code as a user may write it."""
    s = unicodedata.normalize("NFKC", str(text)).translate(_TRADITIONAL).strip()
    if re.search(r"[\u4e00-\u9fff]", s):
        s = re.sub(r"\s+", "", s)
    else:
        s = re.sub(r"\s+", " ", s)
    return s.lower()


def parse_adcode(value: object) -> str | None:
    """A 6-digit adcode from 440100, '440100', '440100.0', '４４０１００' or the
    12-digit statistical code 440100000000; None for anything else."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        value = str(value)
    elif not isinstance(value, str):
        try:  # numpy scalars
            return parse_adcode(value.item())
        except (AttributeError, ValueError, TypeError):
            return None
    m = _ADCODE.fullmatch(unicodedata.normalize("NFKC", value).strip())
    if not m:
        return None
    return m.group(1) or m.group(2)


class NameIndex(Generic[V]):
    """Values by name, looked up as a user may write the name: `normalise`d, and an
    adcode also as `parse_adcode` reads it (440100.0, ４４０１００). The one lookup
    behind files, `cli.py compare` and the app's link (`city`, `a`, `b`)."""

    def __init__(self, names: Mapping[str, V]) -> None:
        self.by_key: dict[str, V] = {}
        for name, value in names.items():
            self.by_key.setdefault(normalise(name), value)

    def get(self, text: str) -> V | None:
        key = normalise(text)
        if key in self.by_key:
            return self.by_key[key]
        code = parse_adcode(key)
        return self.by_key.get(code) if code else None


class CityMatcher:
    """Finds one of the given cities from a name or code as a user may write it."""

    def __init__(self, cities: Iterable[_City]) -> None:
        self.index: NameIndex[_City] = NameIndex(
            {key: c for c in cities for key in (c.adcode, c.name_zh, c.full_name_zh, c.name_en)})

    def exact(self, text: str) -> _City | None:
        """Name or adcode, normalised; no prefix or suffix stripping."""
        return self.index.get(text)

    def find(self, text: str) -> _City | None:
        """Also accepts 广东省广州市, 'Guangzhou City', 'Guangzhou Shi'."""
        if not isinstance(text, str):
            code = parse_adcode(text)
            return self.index.by_key.get(code) if code else None
        city = self.exact(text)
        if city is not None:
            return city
        key = normalise(text)
        if not key:
            return None
        for prefix in _PROVINCE_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                city = self.exact(key[len(prefix):])
                if city is not None:
                    return city
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                city = self.exact(key[: -len(suffix)].strip())
                if city is not None:
                    return city
        return self.index.by_key.get(key.replace(" ", ""))
