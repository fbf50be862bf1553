"""The report as people read it: sections (chart + its data table + details), CSV, plain text.

Charts are inline SVG, role="img" with a <title> and a <desc> that says what the chart shows, and
each one sits beside the table of exactly its figures; a suppressed figure is written out
("masqué : moins de 10 personnes"), never drawn as a zero.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from html import escape

from bot.stats.report import ALL, GRIDS, RADIUS_KM, REFERRAL_FIGURES, Report, dept_label, month_label


def shown(value: float | int | None, k: int) -> str:
    """A figure as written in tables: French decimals, or why it is hidden."""
    if value is None:
        return f"masqué (moins de {k})"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    bars: list[tuple[str, float | int | None]]
    unit: str = "personnes"


@dataclass
class Section:
    id: str
    title: str
    intro: str
    charts: list[Chart] = field(default_factory=list)
    #: detailed table: caption, header row, rows (first cell is the row header)
    details: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)


def svg_chart(chart: Chart, k: int) -> str:
    """A horizontal bar chart as accessible inline SVG."""
    label_w, bar_w, row_h, top = 230, 300, 28, 8
    values = [v for _, v in chart.bars if v is not None]
    peak = max(values) if values and max(values) > 0 else 1
    height = top * 2 + row_h * max(1, len(chart.bars))
    parts = [f'<svg class="chart" viewBox="0 0 640 {height}" width="100%" role="img" '
             f'aria-labelledby="{chart.id}-t {chart.id}-d" focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart.id}-t">{escape(chart.title)}</title>',
             f'<desc id="{chart.id}-d">{escape(chart.desc)}</desc>']
    for i, (label, value) in enumerate(chart.bars):
        y = top + i * row_h
        text = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="13" fill="#1a1a1a">'
                     f'{escape(text)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w}" y="{y + 18}" font-size="13" fill="#3d3d3d" font-style="italic">'
                         f'masqué (moins de {k})</text>')
            continue
        w = max(2.0, bar_w * float(value) / peak) if value else 0.0
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" fill="#12305a"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" font-size="13" fill="#1a1a1a">'
                     f'{escape(shown(value, k))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _grid_table(report: Report, name: str, title: str) -> tuple[str, list[str], list[list[str]]]:
    grid = report.grids[name]
    header = ["Mois", *[dept_label(d) for d in report.departements], "Tous départements"]
    rows = [[month_label(m), *[shown(grid[m, d], report.k) for d in [*report.departements, ALL]]]
            for m in [*report.months, ALL]]
    return f"{title}, par mois et par département", header, rows


def sections(report: Report) -> list[Section]:
    """What the page shows, in order."""
    k = report.k
    out: list[Section] = []
    by_dept = [d for d in report.departements]
    res = report.grids["results"]
    s = Section("resultats", GRIDS["results"],
                "Conversations où la personne a vu ses résultats (une conversation compte une fois, au mois de "
                "ses derniers résultats).")
    s.charts.append(Chart("c-res-mois", "Conversations arrivées aux résultats, par mois",
                          "Diagramme en barres : nombre de conversations arrivées aux résultats pour chaque mois, "
                          "tous départements. Les valeurs sont dans le tableau à côté.",
                          [(month_label(m), res[m, ALL]) for m in report.months], "conversations"))
    s.charts.append(Chart("c-res-dep", "Conversations arrivées aux résultats, par département",
                          "Diagramme en barres : nombre de conversations arrivées aux résultats par département, "
                          "sur toute la période. Les valeurs sont dans le tableau à côté.",
                          [(dept_label(d), res[ALL, d]) for d in by_dept], "conversations"))
    s.details.append(_grid_table(report, "results", GRIDS["results"]))
    out.append(s)

    s = Section("dispositifs", "Dispositifs les plus recommandés",
                "Nombre de personnes à qui chaque dispositif a été recommandé (une personne peut en avoir "
                "plusieurs). Seuls les dispositifs recommandés à au moins " + str(k) + " personnes apparaissent.")
    top = report.schemes.get((ALL, ALL), [])
    s.charts.append(Chart("c-disp", "Dispositifs les plus recommandés, toute la période",
                          "Diagramme en barres : les dispositifs les plus recommandés, du plus au moins fréquent, "
                          "tous départements. Les valeurs sont dans le tableau à côté.",
                          [(title, n) for _, title, n in top]))
    rows = []
    for m in [*report.months, ALL]:
        for d in [*report.departements, ALL]:
            items = report.schemes.get((m, d))
            if items and (m, d) != (ALL, ALL):
                rows.append([f"{month_label(m)} — {dept_label(d)}", " ; ".join(f"{t} : {n}" for _, t, n in items)])
    s.details.append(("Dispositifs les plus recommandés, par mois et par département",
                      ["Mois et département", "Dispositifs (personnes)"], rows))
    out.append(s)

    s = Section("sans-reponse", "Besoins sans réponse",
                f"Profils arrivés aux résultats sans aucun dispositif recommandé, et profils dont la commune n'a "
                f"aucune structure d'accompagnement à moins de {RADIUS_KM:.0f} km.")
    for name, cid in (("no_scheme", "c-nodisp"), ("no_structure", "c-nostruct")):
        if name not in report.grids:
            continue
        grid = report.grids[name]
        s.charts.append(Chart(cid, f"{GRIDS[name]}, par département",
                              f"Diagramme en barres : {GRIDS[name].lower()} par département, sur toute la période. "
                              "Les valeurs sont dans le tableau à côté.",
                              [(dept_label(d), grid[ALL, d]) for d in by_dept]))
        s.details.append(_grid_table(report, name, GRIDS[name]))
    out.append(s)

    if "no_training" in report.grids:
        s = Section("formations", "Objectifs et domaines sans formation à proximité",
                    f"Profils dont le domaine visé est connu et pour lesquels le catalogue n'a aucune formation à "
                    f"moins de {RADIUS_KM:.0f} km de leur commune, par objectif et par domaine.")
        for kind, cid, what in (("goal", "c-obj", "objectif"), ("field", "c-dom", "domaine visé")):
            cells, labels = report.unmet[kind], report.unmet_labels[kind]
            cats = sorted({c for (_, _, c) in cells}, key=lambda c: labels.get(c, c))
            bars = [(labels.get(c, c), cells[ALL, ALL, c]) for c in cats if cells[ALL, ALL, c] != 0]
            s.charts.append(Chart(cid, f"Sans formation à proximité, par {what}",
                                  f"Diagramme en barres : nombre de profils sans formation à moins de "
                                  f"{RADIUS_KM:.0f} km, par {what}, toute la période et tous départements. Les "
                                  "valeurs sont dans le tableau à côté."
                                  , bars))
            rows = []
            for m in [*report.months, ALL]:
                for d in [*report.departements, ALL]:
                    parts = [f"{labels.get(c, c)} : {shown(cells[m, d, c], k)}" for c in cats if cells[m, d, c] != 0]
                    if parts:
                        rows.append([f"{month_label(m)} — {dept_label(d)}", " ; ".join(parts)])
            s.details.append((f"Sans formation à proximité par {what}, par mois et par département",
                              ["Mois et département", f"Par {what} (personnes)"], rows))
        s.details.append(_grid_table(report, "no_training", GRIDS["no_training"]))
        out.append(s)

    s = Section("orientations", "Orientations vers les structures",
                "Demandes de rappel envoyées aux structures, prises en charge et closes, avec les délais médians "
                "depuis l'envoi.")
    if report.referrals is not None:
        s.charts.append(Chart("c-orient", "Orientations envoyées, par département",
                              "Diagramme en barres : nombre d'orientations envoyées par département sur toute la "
                              "période. Les valeurs sont dans le tableau à côté.",
                              [(dept_label(d), report.referrals[ALL, d]["sent"]) for d in by_dept], "orientations"))
        header = ["Mois et département", *REFERRAL_FIGURES.values()]
        rows = []
        for m in [*report.months, ALL]:
            for d in [*report.departements, ALL]:
                fig = report.referrals[m, d]
                if fig["sent"] == 0:
                    continue
                rows.append([f"{month_label(m)} — {dept_label(d)}", *[shown(fig[f], k) for f in REFERRAL_FIGURES]])
        s.details.append(("Orientations par mois et par département", header, rows))
    out.append(s)
    return out


def to_csv(report: Report) -> str:
    """Every published figure (long format, `;`-separated, decimal comma: opens as is in a French spreadsheet)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["indicateur", "mois", "departement", "categorie", "valeur", "statut"])

    def row(indicator: str, m: str, d: str, cat: str, value: float | int | None) -> None:
        status = "publie" if value is not None else f"masque_moins_de_{report.k}"
        text = "" if value is None else (f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value))
        w.writerow([indicator, "total" if m == ALL else m, "total" if d == ALL else d, cat, text, status])

    for name, grid in report.grids.items():
        for (m, d), v in grid.items():
            row(name, m, d, "", v)
    for (m, d), items in report.schemes.items():
        for sid, _title, n in items:
            row("recommended_scheme", m, d, sid, n)
    for kind, cells in report.unmet.items():
        for (m, d, c), v in cells.items():
            if v != 0:
                row(f"no_training_by_{kind}", m, d, c, v)
    if report.referrals is None:
        w.writerow(["referrals", "", "", "", "", "indisponible"])
    else:
        for (m, d), fig in report.referrals.items():
            if fig["sent"] == 0:
                continue
            for f, v in fig.items():
                row(f"referrals_{f}", m, d, "", v)
    return buf.getvalue()


def to_text(report: Report) -> str:
    """The page's tables as plain text (for the terminal)."""
    lines = [f"Statistiques anonymes — k = {report.k} (toute valeur de 1 à {report.k - 1} personnes est masquée), "
             f"produit le {report.generated_at}", ""]
    for sec in sections(report):
        lines += [sec.title.upper(), sec.intro]
        if sec.id == "orientations" and report.referrals is None:
            lines.append("Orientations : indisponibles (pas de table des orientations).")
        for caption, header, rows in sec.details:
            lines += ["", caption, " | ".join(header)]
            lines += [" | ".join(r) for r in rows] or ["(aucune donnée publiable)"]
        lines.append("")
    return "\n".join(lines)
