"""What every published report must respect, whatever the data."""

from __future__ import annotations

from bot.stats.report import ALL, Report


def published_counts(report: Report) -> list[int]:
    """Every published count of people (not the median delays)."""
    out = [v for grid in report.grids.values() for v in grid.values() if v is not None]
    out += [n for items in report.schemes.values() for _, _, n in items]
    out += [v for cells in report.unmet.values() for v in cells.values() if v is not None]
    for fig in (report.referrals or {}).values():
        out += [fig[f] for f in ("sent", "taken", "closed") if fig[f] is not None]
    return out


def assert_k_anonymous(report: Report, truth_grids: dict[str, dict] | None = None) -> None:
    """No published count of 1..k-1; no suppressed value recomputable by subtraction from a total."""
    k = report.k
    small = [v for v in published_counts(report) if 0 < v < k]
    assert not small, f"published counts under k={k}: {small}"
    if truth_grids is None:
        return
    for name, truth in truth_grids.items():
        grid = report.grids[name]
        months = report.months
        lines = [[(m, d) for d in report.departements] for m in [*months, ALL]]
        lines += [[(m, d) for m in months] for d in [*report.departements, ALL]]
        totals = [(m, ALL) for m in [*months, ALL]] + [(ALL, d) for d in [*report.departements, ALL]]
        for parts, total in zip(lines, totals, strict=True):
            if grid[total] is None:
                continue
            hidden = sum(truth.get(p, 0) for p in parts if grid[p] is None)
            assert not 0 < hidden < k, f"{name}: {total} minus what is shown gives {hidden} people"
