"""The export commands behind `cli.py export-map` and `cli.py export-all`.

Every argument is checked before anything is drawn or written, so a bad one
leaves the disk untouched; errors are `ExportError` (a ValueError) with one
line naming the value and what is accepted.
"""

from __future__ import annotations

import sys
from pathlib import Path

from export.options import (
    BASES,
    DEFAULT_DPI,
    DPI_CHOICES,
    FORMATS,
    LANGS,
    LAYERS,
    POSTER_SIZE,
    SIZES,
    ExportError,
    check_choice,
    check_dpi,
    check_out_file,
    check_size,
    default_dpi,
    resolve_format,
)
from policy.model import Policy
from views.state import ViewState, expand_clusters


def parse_clusters(policy: Policy, spec: str) -> tuple[str, ...]:
    tiers = {cid: c.tier for cid, c in policy.clusters.items()}
    ids, unknown = expand_clusters(spec, tiers)
    if unknown:
        shown = ", ".join(repr(u[:40]) for u in unknown[:5])
        raise ExportError(
            f"--clusters: unknown cluster id(s) {shown}; accepted: all, pillar, emerging, key numbers "
            f"1-{len(tiers)} or ids {', '.join(tiers)}"
        )
    if not ids:
        raise ExportError(f"--clusters {spec!r} selects no cluster; accepted: all, pillar, emerging, key numbers "
                          f"1-{len(tiers)} or ids {', '.join(tiers)}")
    return ids


def layer_state(policy: Policy, layer: str, clusters: str | None = None, *, basis: str = "explicit",
                tier: str = "all", lang: str = "zh") -> ViewState:
    """The view one `--layer` stands for."""
    if layer not in LAYERS:
        raise ExportError(f"layer {layer!r} is not accepted; choose one of: {', '.join(LAYERS)}")
    if layer == "cluster":
        if clusters is None:
            raise ExportError("--layer cluster needs --clusters ID[,ID...] (or all, pillar, emerging)")
        return ViewState(clusters=parse_clusters(policy, clusters), basis=basis, tier=tier,
                         coverage=False, zoning=False, lang=lang)
    if clusters is not None:
        raise ExportError(f"--clusters is only used with --layer cluster, not with --layer {layer}")
    if layer == "coverage":
        return ViewState(basis=basis, tier=tier, coverage=True, zoning=False, lang=lang)
    return ViewState(basis=basis, tier=tier, coverage=False, zoning=True, lang=lang)


def export_map(policy: Policy, out: str | Path, *, fmt: str | None = None, layer: str = "coverage",
               clusters: str | None = None, basis: str = "explicit", tier: str = "all", lang: str = "zh",
               dpi=None, size: str = "a4-landscape", focus: str | None = None, data=None,
               approval: str | None = None) -> Path:
    """One map. `focus`: a city (any name or code `cli.py compare` takes) outlined as the
    city in focus; without it print shows none (it is the app's selection, not the map's).
    `data`: the boundaries drawn (an export.data.StaticData; None: the bundled ones);
    `approval`: their map approval number (审图号), only for a user's boundaries."""
    out = Path(out)
    fmt = resolve_format(out, fmt)
    check_size(size)
    dpi = check_dpi(default_dpi(size) if dpi is None else dpi)
    state = layer_state(policy, layer, clusters, basis=basis, tier=tier, lang=lang)
    if focus is not None:
        city = policy.find_city(str(focus))
        if city is None:
            raise ExportError(f"--focus: unknown city {focus[:40]!r}; accepted: a city's name or adcode, "
                              f"e.g. 广州, Guangzhou, 440100")
        state = state.with_(city=city.adcode)
    check_out_file(out, fmt)
    from export.render import render_map

    render_map(policy, state, out, fmt=fmt, size=size, dpi=dpi, data=data, approval=approval)
    return out


def export_poster(policy: Policy, out: str | Path, *, fmt: str | None = None, lang: str = "zh",
                  basis: str = "explicit", dpi=None, size: str = POSTER_SIZE, data=None,
                  approval: str | None = None) -> Path:
    out = Path(out)
    fmt = resolve_format(out, fmt)
    check_size(size)
    dpi = check_dpi(DEFAULT_DPI if dpi is None else dpi)
    check_choice("--lang", lang, LANGS)
    check_choice("--basis", basis, BASES)
    check_out_file(out, fmt)
    from export.poster import render_poster

    render_poster(policy, out, fmt=fmt, lang=lang, basis=basis, size=size, dpi=dpi, data=data, approval=approval)
    return out


def plan_all(policy: Policy, lang: str = "zh") -> list[tuple[str, ViewState]]:
    """(file stem, view) for the 22 maps: coverage overview, zoning, one per cluster.

    The overview counts cities the document names (basis explicit, as every other
    count in the project); each cluster map shows named cities solid and
    region-level mentions pale and dashed (basis all), since five clusters are
    only designated through regions.
    """
    plan = [
        ("coverage", ViewState(coverage=True, zoning=False, basis="explicit", lang=lang)),
        ("zoning", ViewState(coverage=False, zoning=True, lang=lang)),
    ]
    for cid in policy.clusters:
        plan.append((f"cluster-{cid}", ViewState(clusters=(cid,), coverage=False, zoning=False,
                                                 basis="all", lang=lang)))
    return plan


def export_all(policy: Policy, out_dir: str | Path, *, fmt: str = "png", lang: str = "zh", dpi=None,
               size: str = "a4-landscape", progress: bool = True, stream=None, data=None,
               approval: str | None = None) -> list[Path]:
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not accepted; choose one of: {', '.join(FORMATS)}")
    check_size(size)
    dpi = check_dpi(default_dpi(size) if dpi is None else dpi)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"--out {str(out_dir)!r} is a file; give a directory")
    plan = plan_all(policy, lang)
    from export.data import StaticData
    from export.render import render_map

    data = data or StaticData.load()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(plan), file=stream or sys.stderr, unit="map", desc="export", leave=True,
                   dynamic_ncols=True, mininterval=0.2)
    try:
        for stem, state in plan:
            path = out_dir / f"{stem}.{fmt}"
            if bar is not None:
                bar.set_postfix_str(path.name, refresh=False)
            render_map(policy, state, path, fmt=fmt, size=size, dpi=dpi, data=data, approval=approval)
            written.append(path)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return written


__all__ = [
    "DPI_CHOICES",
    "FORMATS",
    "LAYERS",
    "SIZES",
    "default_dpi",
    "export_all",
    "export_map",
    "export_poster",
    "layer_state",
    "parse_clusters",
    "plan_all",
]
