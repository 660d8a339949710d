"""Typed model of the policy data and its loader.

The data files are reviewed by hand (see data/clusters.yaml); the loader checks
them so that a typo can never reach the map: every city, region, tier and role
must be known and every quote must occur in the document.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from ingest.cities import CityMatcher, NameIndex
from policy.text import find_quote, read_document

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DOCUMENT = "policy/yuefuhan-2020-82.txt"
DOCUMENT_ID = "粤府函〔2020〕82号"
# How English text names it: the gloss, then the original in brackets (DOCUMENT_ID_GLOSSED).
DOCUMENT_ID_EN = "Guangdong Government Letter [2020] No. 82"
DOCUMENT_ID_GLOSSED = f"{DOCUMENT_ID_EN} ({DOCUMENT_ID})"
DOCUMENT_TITLE_ZH = "广东省人民政府关于培育发展战略性支柱产业集群和战略性新兴产业集群的意见"
DOCUMENT_TITLE_EN = (
    "Opinions of the People's Government of Guangdong Province on Cultivating and Developing "
    "Strategic Pillar Industry Clusters and Strategic Emerging Industry Clusters"
)
DOCUMENT_DATE = "2020-05-18"

TIERS = ("pillar", "emerging")
BASES = ("explicit", "region")


class PolicyDataError(ValueError):
    """A bundled or user-supplied policy data file is missing or inconsistent."""


@dataclass(frozen=True)
class Source:
    """A document a layer of the map comes from, as its data file cites it: `cite_*`
    short (a subtitle), `credit_*` with its issuer (a footer); English glosses the original."""

    id: str
    cite_zh: str
    cite_en: str
    credit_zh: str
    credit_en: str
    title_zh: str
    title_en: str
    date: str

    def cite(self, lang: str) -> str:
        return self.cite_zh if lang == "zh" else self.cite_en

    def credit(self, lang: str) -> str:
        return self.credit_zh if lang == "zh" else self.credit_en


SOURCE_FIELDS = ("id", "cite_zh", "cite_en", "credit_zh", "credit_en", "title_zh", "title_en", "date")


@dataclass(frozen=True)
class City:
    adcode: str
    name_zh: str
    full_name_zh: str
    name_en: str
    zone: str


@dataclass(frozen=True)
class Zone:
    id: str
    name_zh: str
    name_en: str
    short_zh: str
    short_en: str
    members: tuple[str, ...]  # adcodes


@dataclass(frozen=True)
class Region:
    id: str
    term_zh: str
    name_en: str
    members: tuple[str, ...]  # adcodes
    note: str


@dataclass(frozen=True)
class Designation:
    id: str  # "<cluster_id>-<n>", stable while the data file keeps its order
    cluster_id: str
    basis: str
    place_zh: str
    role_zh: str
    role: str
    quote: str
    adcodes: tuple[str, ...]
    region_id: str | None = None


@dataclass(frozen=True)
class Cluster:
    id: str
    number: int
    tier: str
    name_zh: str
    name_en: str
    designations: tuple[Designation, ...]
    unplaced: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    cities: dict[str, City]  # by adcode, in data/cities.csv order
    zones: dict[str, Zone]
    overlays: dict[str, Zone]
    regions: dict[str, Region]
    clusters: dict[str, Cluster]  # pillar 1-10, then emerging 1-10
    role_categories: dict[str, dict[str, str]]
    document: str = field(repr=False)
    # The documents of the layers: "clusters" (the designations) and "zoning" (一核一带一区).
    sources: dict[str, Source] = field(default_factory=dict)
    # Where the designations came from when they are not (only) the built-in data:
    # the user's file name and "replace" or "beside"; maps and exports credit it.
    user_source: str = ""
    user_mode: str = ""

    @cached_property
    def designations(self) -> tuple[Designation, ...]:
        return tuple(d for c in self.clusters.values() for d in c.designations)

    @cached_property
    def city_by_name(self) -> dict[str, City]:
        """Short, full Chinese and English names (case-insensitive) and adcodes."""
        out: dict[str, City] = {}
        for c in self.cities.values():
            for key in (c.adcode, c.name_zh, c.full_name_zh, c.name_en.lower()):
                out[key] = c
        return out

    @cached_property
    def city_matcher(self) -> CityMatcher:
        return CityMatcher(self.cities.values())

    def find_city(self, name: str) -> City | None:
        """A city by short, full Chinese or English name or adcode, as a user may
        write it: 廣州, ４４０１００ and 440100.0 all find 广州."""
        return self.city_matcher.exact(name)

    @cached_property
    def zone_index(self) -> NameIndex[Zone]:
        return NameIndex({k: z for z in self.zones.values()
                          for k in (z.id, z.name_zh, z.short_zh, z.name_en, z.short_en)})

    def find_zone(self, name: str) -> Zone | None:
        """A zone by id, name or short name, normalised as a city's (full-width
        letters, case, white space)."""
        return self.zone_index.get(name)


def _restore(path: Path) -> str:
    """How to get a bundled file back, with the path git knows it by."""
    try:
        rel = path.resolve().relative_to(DATA_DIR.parent)
    except ValueError:
        return "restore it from the project's repository"
    return f"restore it from the project's repository (git checkout -- {rel.as_posix()})"


def _read_yaml(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise PolicyDataError(f"{path}: file is missing; {_restore(path)}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyDataError(
            f"{path}: not valid UTF-8 YAML ({' '.join(str(exc).split())}); {_restore(path)}") from None
    if not isinstance(data, dict):
        raise PolicyDataError(f"{path}: expected a YAML mapping at the top level")
    return data


def _source(raw: dict, path: Path) -> Source:
    """The `source` block of a data file: every field present and a non-empty string."""
    block = raw.get("source")
    if not isinstance(block, dict):
        raise PolicyDataError(f"{path}: no `source` block (the document the data comes from); {_restore(path)}")
    bad = [k for k in SOURCE_FIELDS if not isinstance(block.get(k), str) or not block[k].strip()]
    if bad:
        raise PolicyDataError(f"{path}: `source` lacks {', '.join(bad)}; {_restore(path)}")
    return Source(**{k: block[k].strip() for k in SOURCE_FIELDS})


def _read_cities(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise PolicyDataError(f"{path}: file is missing; {_restore(path)}") from None
    need = {"adcode", "name_zh", "full_name_zh", "name_en"}
    if not rows or not need <= set(rows[0]):
        raise PolicyDataError(f"{path}: expected columns {sorted(need)}")
    return rows


def _resolve_names(names, by_name: dict[str, str], where: str) -> tuple[str, ...]:
    out = []
    for n in names or ():
        if n not in by_name:
            raise PolicyDataError(f"{where}: unknown city {n!r}; expected one of {sorted(by_name)}")
        out.append(by_name[n])
    if len(set(out)) != len(out):
        raise PolicyDataError(f"{where}: a city is listed twice")
    return tuple(out)


def load_policy(data_dir: Path | str | None = None) -> Policy:
    data_dir = Path(DATA_DIR if data_dir is None else data_dir)
    try:
        document = read_document(data_dir / DOCUMENT)
    except FileNotFoundError:
        path = data_dir / DOCUMENT
        raise PolicyDataError(f"{path}: policy text is missing; {_restore(path)}") from None

    city_rows = _read_cities(data_dir / "cities.csv")
    by_name = {r["name_zh"]: r["adcode"] for r in city_rows}

    zoning = _read_yaml(data_dir / "zoning.yaml")
    zoning_source = _source(zoning, data_dir / "zoning.yaml")

    def zone_of(raw: dict, where: str) -> Zone:
        return Zone(
            id=raw["id"],
            name_zh=raw["name_zh"],
            name_en=raw["name_en"],
            short_zh=raw.get("short_zh", raw["name_zh"]),
            short_en=raw.get("short_en", raw["name_en"]),
            members=_resolve_names(raw["members"], by_name, f"{where} {raw['id']}"),
        )

    zones = {z["id"]: zone_of(z, "zoning.yaml zone") for z in zoning["zones"]}
    overlays = {z["id"]: zone_of(z, "zoning.yaml overlay") for z in zoning.get("overlays", [])}
    zone_by_adcode = {a: z.id for z in zones.values() for a in z.members}
    if sorted(zone_by_adcode) != sorted(by_name.values()) or sum(
        len(z.members) for z in zones.values()
    ) != len(by_name):
        raise PolicyDataError("zoning.yaml: the zones must partition the cities of cities.csv")

    cities = {
        r["adcode"]: City(r["adcode"], r["name_zh"], r["full_name_zh"], r["name_en"], zone_by_adcode[r["adcode"]])
        for r in city_rows
    }

    regions = {
        r["id"]: Region(
            id=r["id"],
            term_zh=r["term_zh"],
            name_en=r["name_en"],
            members=_resolve_names(r["members"], by_name, f"regions.yaml {r['id']}"),
            note=" ".join(str(r.get("note", "")).split()),
        )
        for r in _read_yaml(data_dir / "regions.yaml")["regions"]
    }

    raw = _read_yaml(data_dir / "clusters.yaml")
    clusters_source = _source(raw, data_dir / "clusters.yaml")
    roles = raw["role_categories"]
    clusters: dict[str, Cluster] = {}
    for rc in raw["clusters"]:
        cid = rc["id"]
        if rc["tier"] not in TIERS:
            raise PolicyDataError(f"clusters.yaml {cid}: tier {rc['tier']!r} not in {TIERS}")
        designations = []
        for i, rd in enumerate(rc.get("designations") or [], start=1):
            where = f"clusters.yaml {cid} designation {i}"
            basis = rd.get("basis")
            if basis == "explicit":
                adcodes = _resolve_names(rd.get("places"), by_name, where)
                region_id = None
            elif basis == "region":
                region_id = rd.get("region")
                if region_id not in regions:
                    raise PolicyDataError(f"{where}: unknown region {region_id!r}; expected one of {sorted(regions)}")
                adcodes = regions[region_id].members
            else:
                raise PolicyDataError(f"{where}: basis {basis!r} not in {BASES}")
            if not adcodes:
                raise PolicyDataError(f"{where}: names no city")
            if rd.get("role") not in roles:
                raise PolicyDataError(f"{where}: role {rd.get('role')!r}; expected one of {sorted(roles)}")
            if find_quote(document, rd["quote"]) < 0:
                raise PolicyDataError(f"{where}: quote not found in {DOCUMENT}: {rd['quote']}")
            designations.append(
                Designation(
                    id=f"{cid}-{i}",
                    cluster_id=cid,
                    basis=basis,
                    place_zh=rd["place_zh"],
                    role_zh=rd["role_zh"],
                    role=rd["role"],
                    quote=rd["quote"],
                    adcodes=adcodes,
                    region_id=region_id,
                )
            )
        clusters[cid] = Cluster(
            id=cid,
            number=int(rc["number"]),
            tier=rc["tier"],
            name_zh=rc["name_zh"],
            name_en=rc["name_en"],
            designations=tuple(designations),
            unplaced=tuple(rc.get("unplaced") or ()),
        )
    return Policy(
        cities=cities,
        zones=zones,
        overlays=overlays,
        regions=regions,
        clusters=clusters,
        role_categories=roles,
        document=document,
        sources={"clusters": clusters_source, "zoning": zoning_source},
    )
