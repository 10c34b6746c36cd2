"""PDF downloads generated from the live data: the complete strategy and a project's
Steckbrief. Pure Python (fpdf2) with the PDF core fonts in Windows-1252, which covers German
umlauts, ß, „“ and €; other characters are replaced."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from dos.portal.strategy import queries
from dos.portal.strategy.models import ActionField, Project, Strategy

FONT = "helvetica"
BRAND = (26, 95, 158)


def text(value: Any) -> str:
    """``value`` as text the core fonts can show."""
    return str(value).encode("cp1252", "replace").decode("cp1252")


def euro(value: Decimal | None) -> str:
    return f"{formats.number_format(value, 0, force_grouping=True)} €" if value is not None else "–"


class Document(FPDF):
    """A DOS document: A4, title in the header, page numbers and date in the footer."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.doc_title = text(title)
        self.set_title(self.doc_title)
        self.set_creator("DOS")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def header(self) -> None:
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.doc_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        stand = formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
        self.cell(
            0,
            6,
            text(_("As of %(date)s · page %(page)s") % {"date": stand, "page": self.page_no()}),
        )

    def heading(self, value: str, size: int = 14) -> None:
        self.ln(2)
        self.set_font(FONT, "B", size)
        self.set_text_color(*BRAND)
        self.multi_cell(0, size * 0.5, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def paragraph(self, value: str, size: int = 10, style: str = "") -> None:
        if not value:
            return
        self.set_font(FONT, style, size)
        self.multi_cell(0, size * 0.5, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        self.set_font(FONT, "", 9)
        with self.table(col_widths=(45, 129), first_row_as_headings=False, line_height=5) as table:
            for label, value in rows:
                row = table.row()
                row.cell(text(label))
                row.cell(text(value))
        self.ln(2)

    def grid(self, headings: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        self.set_font(FONT, "", 8)
        with self.table(col_widths=widths, line_height=4.5) as table:
            head = table.row()
            for value in headings:
                head.cell(text(value))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(text(value))
        self.ln(2)


def _project_facts(project: Project) -> list[tuple[str, str]]:
    cities = ", ".join(c.name for c in project.cities.all()) or _("Whole region")
    funding = _("Federally funded") if project.federally_funded else ""
    if project.funding_programme:
        funding = (
            f"{funding}: {project.funding_programme}" if funding else project.funding_programme
        )
    if project.funding_amount is not None:
        funding += f" ({euro(project.funding_amount)})"
    period = "–".join(
        formats.date_format(d, "m/Y") if d else "–" for d in (project.start_date, project.end_date)
    )
    rows = [
        (
            _("Action fields"),
            ", ".join(f"{a.code} {a.text('name')}" for a in project.action_fields.all()),
        ),
        (_("Cities"), cities),
        (_("Phase"), str(project.get_phase_display())),
        (_("Status"), str(project.get_status_display())),
        (_("Progress"), f"{project.progress} %"),
        (_("Period"), period),
        (_("Lead"), project.lead_department or "–"),
        (_("Partners"), ", ".join(project.partner_list) or "–"),
        (_("Budget"), euro(project.budget)),
        (_("Funding"), funding or _("No external funding")),
        (
            _("Sustainable development goals"),
            ", ".join(f"{g.number} {g.name}" for g in project.sdg_goals.all()) or "–",
        ),
        (_("Contact"), project.contact_email or "–"),
    ]
    if project.is_example:
        rows.insert(0, (_("Example"), _("not part of the adopted strategy")))
    return rows


def _number(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{formats.number_format(value.normalize(), use_l10n=True)} {unit}".strip()


def _steckbrief(pdf: Document, project: Project) -> None:
    pdf.set_font(FONT, "B", 9)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 5, text(project.code), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.heading(project.text("title"), 18)
    pdf.paragraph(project.text("summary"), 11)
    pdf.facts(_project_facts(project))
    if project.text("description"):
        pdf.heading(_("Description"), 12)
        pdf.paragraph(project.text("description"))
    milestones = list(project.milestones.all())
    if milestones:
        pdf.heading(_("Milestones"), 12)
        pdf.grid(
            [_("Milestone"), _("Planned"), _("Reached")],
            [
                [
                    m.title,
                    formats.date_format(m.planned_date, "SHORT_DATE_FORMAT"),
                    formats.date_format(m.actual_date, "SHORT_DATE_FORMAT") if m.done else "–",
                ]
                for m in milestones
            ],
            (94, 40, 40),
        )
    kpis = list(project.kpis.all())
    if kpis:
        pdf.heading(_("Key performance indicators"), 12)
        rows = []
        for kpi in kpis:
            values = list(kpi.values.all())
            latest = values[-1] if values else None
            rows.append(
                [
                    kpi.name,
                    _number(kpi.baseline, kpi.unit),
                    _number(kpi.target, kpi.unit),
                    f"{_number(latest.value, kpi.unit)} ({formats.date_format(latest.date, 'SHORT_DATE_FORMAT')})"
                    if latest
                    else "–",
                ]
            )
        pdf.grid([_("KPI"), _("Baseline"), _("Target"), _("Latest value")], rows, (64, 32, 32, 46))
    for evaluation in project.evaluations.all():
        score = evaluation.weighted_score()
        pdf.heading(f"{_('Evaluation')}: {evaluation.round.name}", 12)
        pdf.paragraph(
            f"{_('Recommendation')}: {evaluation.get_recommendation_display()}"
            + (f" · {_('Weighted score')}: {formats.number_format(score, 2)} / 5" if score else ""),
            style="B",
        )
        pdf.paragraph(evaluation.narrative)


def project_pdf(slug: str) -> bytes:
    """The Steckbrief of one project as PDF."""
    project = queries.project_detail(slug)
    pdf = Document(f"{project.code} {project.text('title')}")
    pdf.add_page()
    _steckbrief(pdf, project)
    return bytes(pdf.output())


def strategy_pdf() -> bytes:
    """The complete strategy: vision, guidelines, action fields and every project's state."""
    strategy = Strategy.objects.order_by("pk").first()
    title = strategy.text("title") if strategy else _("Strategy")
    pdf = Document(title)
    pdf.add_page()
    pdf.heading(title, 22)
    if strategy:
        pdf.paragraph(
            _("Period %(first)s–%(last)s.")
            % {"first": strategy.start_year, "last": strategy.end_year},
            11,
        )
        pdf.heading(_("Vision"))
        for part in strategy.text("vision").split("\n\n"):
            pdf.paragraph(part.strip(), 11)
        if strategy.guideline_list:
            pdf.heading(_("Guidelines"))
            for guideline in strategy.guideline_list:
                pdf.paragraph(f"– {guideline}")
    summaries = queries.field_summaries()
    pdf.heading(_("Action fields"))
    pdf.grid(
        [_("Action field"), _("Projects"), _("Mean progress")],
        [
            [f"{s.field.code} {s.field.text('name')}", str(s.count), f"{s.progress} %"]
            for s in summaries
        ],
        (110, 32, 32),
    )
    grouped = queries.projects_by_field()
    for field in ActionField.objects.all():
        pdf.add_page()
        pdf.heading(f"{field.code} – {field.text('name')}", 16)
        pdf.paragraph(field.text("description"))
        for project in grouped.get(field.pk, []):
            pdf.heading(f"{project.code} {project.text('title')}", 11)
            pdf.paragraph(project.text("summary"))
            pdf.facts(
                _project_facts(project)[:6]
                if not project.is_example
                else _project_facts(project)[:7]
            )
    return bytes(pdf.output())
