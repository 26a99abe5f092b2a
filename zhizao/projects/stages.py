"""How a project moves through its stages, and what may be recorded of it month by month.

The allowed moves are declared in one table. A project can be signed at an expo without a
recorded negotiation, and a project started and finished within a year goes straight to
production without a "carried-over construction" stage; nothing moves backwards.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from zhizao.errors import InvalidProject
from zhizao.projects.model import Project, Stage

S = Stage
TRANSITIONS: dict[Stage | None, frozenset[Stage]] = {
    None: frozenset({S.PLANNED, S.NEGOTIATING, S.SIGNED}),
    S.PLANNED: frozenset({S.NEGOTIATING, S.SIGNED}),
    S.NEGOTIATING: frozenset({S.SIGNED}),
    S.SIGNED: frozenset({S.STARTED}),
    S.STARTED: frozenset({S.UNDER_CONSTRUCTION, S.IN_PRODUCTION}),
    S.UNDER_CONSTRUCTION: frozenset({S.IN_PRODUCTION}),
    S.IN_PRODUCTION: frozenset({S.AT_CAPACITY}),
    S.AT_CAPACITY: frozenset(),
}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def advance(project: Project, stage: Stage, on: date) -> None:
    """Move the project to `stage` on `on`, or raise naming what is wrong."""
    current = project.history[-1] if project.history else None
    allowed = TRANSITIONS[current[0] if current else None]
    if stage not in allowed:
        now = current[0].value if current else "no stage"
        nexts = ", ".join(s.value for s in Stage if s in allowed) or "none (final stage)"
        raise InvalidProject(
            f"project {project.id} cannot go from {now} to {stage.value}; allowed: {nexts}",
            field="stage",
        )
    if current and on < current[1]:
        raise InvalidProject(
            f"{stage.value} on {on} is before {current[0].value} on {current[1]}", field="date"
        )
    project.history.append((stage, on))


def check_month(month: str) -> str:
    if not _MONTH.match(month or ""):
        raise InvalidProject(f"month {month!r} is not YYYY-MM", field="month")
    return month


def record_funds(project: Project, month: str, yuan: Decimal) -> None:
    """Funds that arrived in `month` (replaces an earlier figure for that month)."""
    check_month(month)
    signed = project.signed_on
    if signed is None or month < f"{signed.year:04d}-{signed.month:02d}":
        raise InvalidProject(
            f"funds for {month} precede the signing of project {project.id}", field="month"
        )
    if sum(project.funds.values(), Decimal(0)) - project.funds.get(month, Decimal(0)) + yuan > (
        project.amount * 2
    ):
        # more than twice the contract is a typing error (a figure in yuan given as 万元)
        raise InvalidProject(
            f"funds would reach more than twice the contracted {project.amount} yuan",
            field="amount",
        )
    project.funds[month] = yuan


def record_output(project: Project, month: str, units: Decimal) -> None:
    """What the project's plant produced in `month` (e.g. vehicles of the park)."""
    check_month(month)
    started = project.reached(Stage.IN_PRODUCTION)
    if started is None or month < f"{started.year:04d}-{started.month:02d}":
        raise InvalidProject(
            f"output for {month} but project {project.id} was not in production", field="month"
        )
    project.output[month] = units


def advance_to(project: Project, stage: Stage, on: date) -> None:
    """Bring the project to `stage` on `on` by the shortest allowed path: a spreadsheet gives
    the current stage and its date only, so the stages passed on the way get that date too."""
    start = project.history[-1][0] if project.history else None
    paths: dict[Stage | None, list[Stage]] = {start: []}
    frontier: list[Stage | None] = [start]
    while frontier and stage not in paths:
        nxt: list[Stage | None] = []
        for here in frontier:
            for there in sorted(TRANSITIONS[here], key=lambda s: s.rank):
                if there not in paths:
                    paths[there] = [*paths[here], there]
                    nxt.append(there)
        frontier = nxt
    if stage == start:
        return
    for step in paths.get(stage) or [stage]:  # unreachable: advance() names the problem
        advance(project, step, on)
