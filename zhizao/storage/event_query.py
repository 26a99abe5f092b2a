"""A QuerySpec as SQL conditions over `epcis_events e` (identifiers and sensors by EXISTS)."""

from __future__ import annotations

from typing import Any

from zhizao.events.query import QuerySpec


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def where_sql(spec: QuerySpec, p: str) -> tuple[list[str], list[Any]]:
    """(conditions joined by AND, arguments) with `p` as the placeholder."""
    where: list[str] = []
    args: list[Any] = []

    def marks(values: list[Any]) -> str:
        args.extend(values)
        return ",".join([p] * len(values))

    if spec.event_types:
        where.append(f"e.event_type IN ({marks(spec.event_types)})")
    for column, op, when in spec.times:
        where.append(f"e.{column} {op} {p}")
        args.append(when)
    for column, values in spec.equals.items():
        where.append(f"e.{column} IN ({marks(values)})")
    for match in spec.matches:
        roles = marks(list(match.roles))
        alternatives = []
        if match.exact:
            alternatives.append(f"i.id IN ({marks(match.exact)})")
        for prefix in match.prefixes:
            # the class itself, or any instance of it
            alternatives.append(f"i.id = {p} OR i.id LIKE {p} ESCAPE '\\'")
            args.extend([prefix, _like(prefix + "/")])
        where.append(
            f"EXISTS (SELECT 1 FROM epcis_ids i WHERE i.seq = e.seq AND i.role IN ({roles}) "
            f"AND ({' OR '.join(alternatives)}))"
        )
    if spec.error_declared:
        where.append("e.is_error = 1")
    for op, quantity in spec.quantities:
        where.append(
            f"EXISTS (SELECT 1 FROM epcis_ids i WHERE i.seq = e.seq AND i.quantity {op} {p})"
        )
        args.append(quantity)
    if spec.sensor_types and not spec.sensors:
        types = marks(spec.sensor_types)
        where.append(
            f"EXISTS (SELECT 1 FROM epcis_sensors s WHERE s.seq = e.seq AND s.type IN ({types}))"
        )
    for field, uom, op, value in spec.sensors:
        condition = (
            f"EXISTS (SELECT 1 FROM epcis_sensors s WHERE s.seq = e.seq AND s.field = {p} "
            f"AND s.uom = {p} AND s.value {op} {p}"
        )
        args.extend([field, uom, value])
        if spec.sensor_types:
            condition += f" AND s.type IN ({marks(spec.sensor_types)})"
        where.append(condition + ")")
    return where, args
