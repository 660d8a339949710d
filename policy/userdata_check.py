"""Designations rows checked one by one and together, then built into a `Policy`."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, replace

from ingest.caps import CELL_MAX, CELL_MAX_OTHER, DES_MAX_CLUSTERS
from ingest.messages import Msg, Seq
from ingest.report import Report
from ingest.text import show as _show
from policy.model import BASES, TIERS, City, Cluster, Designation, Policy
from policy.userdata_read import CITY_COLUMNS, COLUMNS, _cell, _Row

# These words are selectors wherever clusters are chosen (`--clusters all`,
# the app's query string), so a cluster with such an id could not be picked.
RESERVED_IDS = ("all", "none", "pillar", "emerging")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_ADCODE = re.compile(r"(\d+)(?:\.0*)?")


@dataclass(frozen=True)
class _Valid:
    src: _Row
    cluster_id: str
    cluster_zh: str | None
    cluster_en: str | None
    cluster_en_given: bool
    tier: str | None
    place_zh: str = ""
    adcode: str = ""
    role_zh: str = ""
    role: str = ""
    basis: str = ""
    quote: str = ""
    # False when only the cluster fields are sound: such a row still takes part in
    # the cluster-consistency checks so that every problem is reported at once.
    complete: bool = True

    @property
    def group(self) -> tuple[str, ...]:
        return (self.cluster_id, self.basis, self.role, self.role_zh, self.place_zh, self.quote)




# ---------------------------------------------------------------- checks

def _suggest_city(base: Policy, text: str, close: bool = True) -> Msg:
    """Why `text` is no city: a region term, or an unknown name with the closest city
    names when `close` (a problem past the report's cap is only counted, and 5,000
    unknown names took seconds of difflib for nothing)."""
    for r in base.regions.values():
        if text in (r.term_zh, r.id) or text.lower() == r.name_en.lower():
            members = "、".join(base.cities[a].name_zh for a in r.members)
            return Msg("des.city_is_region", text=_show(text), members=members)
    if not close:
        return Msg("des.city_unknown", text=_show(text), n=len(base.cities))
    names: dict[str, City] = {}
    for c in base.cities.values():
        for n in (c.name_zh, c.full_name_zh, c.name_en.lower()):
            names[n] = c
    close = difflib.get_close_matches(text.lower(), list(names), n=5, cutoff=0.5)
    found: list[City] = []
    for m in close:
        if names[m] not in found:
            found.append(names[m])
    if found:
        hint = ", ".join(f"{c.name_zh} ({c.name_en}, {c.adcode})" for c in found[:3])
        return Msg("des.city_unknown_close", text=_show(text), hint=hint)
    return Msg("des.city_unknown", text=_show(text), n=len(base.cities))


def _city(r: _Row, base: Policy, texts: dict[str, str | None], unreadable: set[str], flag,
          listed=lambda: True) -> City | None:
    """The row's city, or None after flagging why not; `listed()`: whether a problem
    would still be listed (then unknown names and codes get the closest ones)."""
    by_name = by_code = None
    bad = False
    name, code = texts.get("city_zh"), texts.get("adcode")
    if name is not None:
        by_name = base.find_city(name)
        if by_name is None:
            flag(r.col("city_zh"), _suggest_city(base, name, listed()))
            bad = True
    if code is not None:
        m = _ADCODE.fullmatch(unicodedata.normalize("NFKC", code))  # ４４０１００ is 440100
        if not m:
            flag(r.col("adcode"), Msg("des.adcode_not_number", code=_show(code)))
            bad = True
        else:
            by_code = base.cities.get(m.group(1))
            if by_code is None:
                close = difflib.get_close_matches(m.group(1), list(base.cities), n=3, cutoff=0.6) if listed() else []
                flag(r.col("adcode"), Msg("des.adcode_unknown_close", code=_show(code),
                                          close=", ".join(f"{a} ({base.cities[a].name_zh})" for a in close))
                     if close else Msg("des.adcode_unknown", code=_show(code), n=len(base.cities)))
                bad = True
    if bad:
        return None
    if by_name and by_code and by_name.adcode != by_code.adcode:
        flag(r.col("adcode"), Msg("des.city_disagree", code=by_code.adcode, code_city=by_code.name_zh,
                                  text=_show(name), name_city=by_name.name_zh, name_code=by_name.adcode))
        return None
    if by_name is None and by_code is None:
        if any(c in r.present for c in CITY_COLUMNS) and not unreadable & set(CITY_COLUMNS):
            col = "city_zh" if "city_zh" in r.present else "adcode"
            flag(r.col(col), Msg("des.city_required"))
        return None
    return by_name or by_code


def _check_row(r: _Row, base: Policy, rep: Report) -> _Valid | None:
    # Columns with a problem in this row. Kept here rather than read back from
    # the report, which says a repeated problem (a nested cluster's) only once.
    bad_cols: set[str | None] = set()

    def flag(column: str | None, message: Msg) -> None:
        bad_cols.add(column)
        rep.add(r.row, column, message)

    texts: dict[str, str | None] = {}
    unreadable: set[str] = set()
    for c in COLUMNS:
        text, err = _cell(r.values.get(c), CELL_MAX[c])
        if err:
            flag(r.col(c), err)
            unreadable.add(c)
        texts[c] = text
    for name, v in r.other.items():
        _, err = _cell(v, CELL_MAX_OTHER)
        if err:
            flag(name, err)

    def need(c: str, what: str, **params) -> str | None:
        # The message is made only when the value is missing: most rows have it.
        if texts[c] is None and c in r.present and c not in unreadable:
            flag(r.col(c), Msg("des.required", what=Msg(what, **params)))
        return texts[c]

    tiers, bases = Seq(TIERS, "or"), Seq(BASES, "or")
    cid = need("cluster_id", "des.what.cluster_id")
    if cid is not None:
        if not _SLUG.fullmatch(cid):
            flag(r.col("cluster_id"), Msg("des.cluster_id_form", cid=_show(cid)))
        elif cid in RESERVED_IDS:
            flag(r.col("cluster_id"), Msg("des.cluster_id_reserved", cid=_show(cid), reserved=", ".join(RESERVED_IDS)))
    cluster_zh = need("cluster_zh", "des.what.cluster_zh")
    tier = need("tier", "des.what.tier", tiers=tiers)
    if tier is not None:
        tier = tier.lower()
        if tier not in TIERS:
            flag(r.col("tier"), Msg("des.tier_bad", value=_show(texts["tier"]), tiers=tiers))
    # Each cluster field that is sound on its own still takes part in the
    # cross-row checks, so that a file is fixed in one round, not several.
    cid_ok = cid is not None and r.col("cluster_id") not in bad_cols
    zh_ok = cluster_zh is not None and r.col("cluster_zh") not in bad_cols
    en_ok = texts["cluster_en"] is not None and r.col("cluster_en") not in bad_cols
    tier_ok = tier is not None and r.col("tier") not in bad_cols
    if not r.cluster_only:
        roles = ", ".join(base.role_categories)
        role = need("role", "des.what.role", roles=roles)
        if role is not None:
            role = role.lower()
            if role not in base.role_categories:
                flag(r.col("role"), Msg("des.role_bad", value=_show(texts["role"]), roles=roles))
        basis = need("basis", "des.what.basis", bases=bases)
        if basis is not None:
            basis = basis.lower()
            if basis not in BASES:
                flag(r.col("basis"), Msg("des.basis_bad", value=_show(texts["basis"]), bases=bases))
        need("quote", "des.what.quote")
        city = _city(r, base, texts, unreadable, flag, lambda: rep.listing)
    if not cid_ok:
        return None
    partial = _Valid(r, cid, cluster_zh if zh_ok else None, texts["cluster_en"] if en_ok else None, en_ok,
                     tier if tier_ok else None)
    if not bad_cols and r.cluster_only:
        return replace(partial, cluster_en=texts["cluster_en"] or cluster_zh)
    # A column missing from the header was reported once, on row 1, not per row.
    if r.cluster_only or bad_cols or None in (cluster_zh, tier, role, basis, texts["quote"], city):
        return replace(partial, complete=False)
    return _Valid(
        src=r,
        cluster_id=cid,
        cluster_zh=cluster_zh,
        cluster_en=texts["cluster_en"] or cluster_zh,
        cluster_en_given=texts["cluster_en"] is not None,
        tier=tier,
        place_zh=texts["place_zh"] or city.name_zh,
        adcode=city.adcode,
        role_zh=texts["role_zh"] or base.role_categories[role]["zh"],
        role=role,
        basis=basis,
        quote=texts["quote"],
    )


def _check_together(valid: list[_Valid], base: Policy, mode: str, rep: Report) -> None:
    """One name and tier per cluster_id; no row twice; at most DES_MAX_CLUSTERS clusters."""
    by_cluster: dict[str, list[_Valid]] = {}
    for v in valid:
        by_cluster.setdefault(v.cluster_id, []).append(v)
    if len(by_cluster) > DES_MAX_CLUSTERS:
        rep.add(None, None, Msg("des.clusters_many", n=len(by_cluster), max=DES_MAX_CLUSTERS))
    fields = (("cluster_zh", "name_zh"), ("tier", "tier"), ("cluster_en", "name_en"))
    for cid, vs in by_cluster.items():
        builtin = base.clusters.get(cid) if mode == "beside" else None
        for attr, builtin_attr in fields:
            verb, rule = Msg(f"des.verb.{attr}"), Msg(f"des.rule.{attr}")
            given = [v for v in vs if getattr(v, attr) is not None and (attr != "cluster_en" or v.cluster_en_given)]
            if not given:
                continue
            if builtin is not None:
                ref = getattr(builtin, builtin_attr)
                where, rule = Msg("des.where.builtin"), Msg("des.rule.builtin")
            else:
                # The value most rows agree on is the reference (ties: the first), so
                # the odd row out is the one reported.
                counts: dict[str, int] = {}
                for v in given:
                    counts[getattr(v, attr)] = counts.get(getattr(v, attr), 0) + 1
                ref = max(counts, key=counts.__getitem__)
                first = next(v for v in given if getattr(v, attr) == ref)
                others = counts[ref] - 1
                where = Msg("des.where.rows", label=first.src.label, n=others) if others else first.src.label
            for v in given:
                if getattr(v, attr) != ref:
                    rep.add(v.src.row, v.src.col(attr), Msg("des.mismatch", cid=cid, verb=verb, ref=_show(ref),
                                                            where=where, value=_show(getattr(v, attr)), rule=rule))
    seen: dict[tuple, _Valid] = {}
    for v in valid:
        if not v.complete:
            continue
        other = seen.setdefault(v.group + (v.adcode,), v)
        if other is not v:
            rep.add(v.src.row, v.src.where, Msg("des.duplicate", label=other.src.label))


# ---------------------------------------------------------------- building

def _build(base: Policy, valid: list[_Valid], mode: str, rep: Report) -> Policy:
    builtin_keys = set()
    if mode == "beside":
        for d in base.designations:
            for a in d.adcodes:
                builtin_keys.add((d.cluster_id, a, d.role, d.basis, d.quote))
    order: dict[str, _Valid] = {}
    name_en: dict[str, str] = {}
    groups: dict[str, dict[tuple, list[str]]] = {}
    skipped = 0
    for v in valid:
        order.setdefault(v.cluster_id, v)
        if v.cluster_en_given:
            name_en.setdefault(v.cluster_id, v.cluster_en)
        g = groups.setdefault(v.cluster_id, {})
        if v.src.cluster_only:
            continue
        if (v.cluster_id, v.adcode, v.role, v.basis, v.quote) in builtin_keys:
            skipped += 1
            continue
        g.setdefault(v.group, []).append(v.adcode)
    if skipped:
        rep.notes.append(Msg("des.skipped", n=skipped))

    clusters: dict[str, Cluster] = dict(base.clusters) if mode == "beside" else {}
    numbers = {t: 0 for t in TIERS}
    if mode == "beside":
        for c in base.clusters.values():
            numbers[c.tier] = max(numbers[c.tier], c.number)
    for cid, v in order.items():
        made = [
            (basis, role, role_zh, place_zh, quote, tuple(adcodes))
            for (_, basis, role, role_zh, place_zh, quote), adcodes in groups[cid].items()
        ]
        if cid in clusters:
            old = clusters[cid]
            start = len(old.designations)
        else:
            start = 0
        designations = tuple(
            Designation(id=f"{cid}-{start + i}", cluster_id=cid, basis=basis, place_zh=place_zh, role_zh=role_zh,
                        role=role, quote=quote, adcodes=adcodes, region_id="")
            for i, (basis, role, role_zh, place_zh, quote, adcodes) in enumerate(made, start=1)
        )
        if cid in clusters:
            clusters[cid] = replace(old, designations=old.designations + designations)
        else:
            numbers[v.tier] += 1
            clusters[cid] = Cluster(id=cid, number=numbers[v.tier], tier=v.tier, name_zh=v.cluster_zh,
                                    name_en=name_en.get(cid, v.cluster_zh), designations=designations, unplaced=v.src.unplaced)
    return Policy(
        cities=base.cities,
        zones=base.zones,
        overlays=base.overlays,
        regions=base.regions,
        clusters=clusters,
        role_categories=base.role_categories,
        document=base.document,
        sources=base.sources,  # the zoning's document still holds; the scene credits the file for clusters
    )


