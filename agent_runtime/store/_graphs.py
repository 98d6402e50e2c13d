"""Graphs and their immutable version history.

Every save migrates the spec to the current schema (``migrate`` returns a copy), validates
it and inserts a new ``graph_version`` row in the transaction that bumps
``graph.current_version``.
Invalid specs are kept as drafts (``is_valid=False``) with their problems; only input
that is not a spec at all (``SpecParseError``, ``SpecVersionError``) is refused, before
anything is written.

The ``graph`` row caches what the current version says (name, description, validity,
node count), so the spec stays the one source of truth: renaming saves a new version.

``export_graph`` dumps a graph with every version (spec, message, time) as plain JSON;
``import_graph`` re-creates it from such a dump, keeping the dump's id when it is free,
so a deleted graph can be brought back whole (the home page's Undo) or moved between stores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal

import pydantic
import sqlalchemy as sa
from sqlalchemy.orm import Session

from agent_runtime.errors import NotFoundError, SpecParseError, StoreError
from agent_runtime.spec import Problem, migrate, new_graph_spec, validate
from agent_runtime.store._db import Database, ensure_json
from agent_runtime.store._records import GraphSummary, GraphVersionInfo, GraphVersionSummary
from agent_runtime.store._tables import (
    GraphRow,
    GraphVersionRow,
    RunEventRow,
    RunRow,
    new_id,
    utcnow,
)

__all__ = ["GraphOps"]

MAX_NAME_LENGTH = 200
DUMP_FORMAT = "orchestrall.graph"
DUMP_FORMAT_VERSION = 1
_GRAPH_ID = re.compile(r"[0-9a-f]{32}")


def _clean_name(name: str) -> str:
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned:
        raise StoreError("A graph needs a non-empty name.", code="invalid_name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise StoreError(
            f"A graph name can have at most {MAX_NAME_LENGTH} characters.", code="invalid_name"
        )
    return cleaned


def _catalog_fields(spec: dict[str, Any]) -> dict[str, Any]:
    """The ``graph`` columns the current version determines; bad names keep the old one."""
    fields: dict[str, Any] = {"node_count": _node_count(spec)}
    name = spec.get("name")
    if isinstance(name, str) and name.strip() and len(name.strip()) <= MAX_NAME_LENGTH:
        fields["name"] = name.strip()
    if isinstance(spec.get("description"), str):
        fields["description"] = spec["description"]
    return fields


def _node_count(spec: dict[str, Any]) -> int:
    nodes = spec.get("nodes")
    return len(nodes) if isinstance(nodes, list | dict) else 0


def _graph_not_found(graph_id: str) -> NotFoundError:
    return NotFoundError(f"Graph {graph_id!r} not found.")


def _version_summary(row: GraphVersionRow) -> GraphVersionSummary:
    return GraphVersionSummary(
        graph_id=row.graph_id,
        version=row.version,
        is_valid=row.is_valid,
        message=row.message,
        created_at=row.created_at,
        problem_count=len(row.problems),
    )


def _version_info(row: GraphVersionRow) -> GraphVersionInfo:
    return GraphVersionInfo(
        **_version_summary(row).model_dump(),
        spec=row.spec,
        problems=[Problem.model_validate(p) for p in row.problems],
    )


class _VersionDump(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    spec: dict[str, Any]
    message: str = ""
    created_at: pydantic.AwareDatetime | None = None


class _GraphDump(pydantic.BaseModel):
    """What ``export_graph`` writes; ``import_graph`` accepts nothing else."""

    model_config = pydantic.ConfigDict(extra="forbid")

    format: Literal["orchestrall.graph"]
    format_version: Literal[1]
    id: str | None = None
    name: str
    description: str = ""
    created_at: pydantic.AwareDatetime | None = None
    versions: list[_VersionDump] = pydantic.Field(min_length=1)


def _parse_dump(dump: Any) -> _GraphDump:
    try:
        return _GraphDump.model_validate(dump)
    except pydantic.ValidationError as e:
        where = [
            f"{'.'.join(str(part) for part in err['loc']) or 'dump'}: {err['msg']}"
            for err in e.errors(include_url=False, include_input=False)[:3]
        ]
        raise SpecParseError(
            "Not a graph export: " + "; ".join(where), code="invalid_graph_dump"
        ) from None


class GraphOps:
    """Graph methods of ``Store`` (a mixin; ``_db`` is set by ``Store``)."""

    _db: Database

    def create_graph(
        self,
        name: str,
        description: str = "",
        spec: dict[str, Any] | None = None,
        *,
        template: tuple[str, str] | None = None,
    ) -> GraphSummary:
        """A new graph whose version 1 is ``spec`` (default: a minimal input → output graph).

        ``name`` (and ``description``, if not empty) are written into the stored spec.
        ``template``: (slug, version) of the marketplace template it is installed from.
        """
        name = _clean_name(name)
        if spec is None:
            data = new_graph_spec(name, description)
        else:
            data = migrate(spec)
            data["name"] = name
            if description or not isinstance(data.get("description"), str):
                data["description"] = description
        problems = validate(data)
        now = utcnow()
        row = GraphRow(
            id=new_id(),
            created_at=now,
            updated_at=now,
            current_version=1,
            is_valid=not problems,
            template_slug=template[0] if template else None,
            template_version=template[1] if template else None,
            **_catalog_fields(data),
        )
        message = f"Installed from template {template[0]} {template[1]}" if template else "Created"
        with self._db.write() as s:
            s.add(row)
            s.flush()
            s.add(_new_version_row(row.id, 1, data, problems, message, now))
        return GraphSummary.model_validate(row)

    def list_graphs(self, search: str | None = None) -> list[GraphSummary]:
        """All graphs, most recently edited first; ``search`` matches name or description."""
        stmt = sa.select(GraphRow).order_by(
            GraphRow.updated_at.desc(), GraphRow.created_at.desc(), GraphRow.id
        )
        if search and search.strip():
            term = search.strip()
            stmt = stmt.where(
                sa.or_(
                    GraphRow.name.icontains(term, autoescape=True),
                    GraphRow.description.icontains(term, autoescape=True),
                )
            )
        with self._db.read() as s:
            return [GraphSummary.model_validate(r) for r in s.scalars(stmt)]

    def get_graph(self, graph_id: str) -> GraphSummary:
        with self._db.read() as s:
            return GraphSummary.model_validate(_graph_row(s, graph_id))

    def get_spec(self, graph_id: str, version: int | None = None) -> dict[str, Any]:
        """The spec of ``version`` (default: current), upgraded to the current schema."""
        with self._db.read() as s:
            if version is None:
                version = _graph_row(s, graph_id).current_version
            spec = _version_row(s, graph_id, version).spec
        return migrate(spec)

    def save_graph(
        self, graph_id: str, spec: dict[str, Any], message: str = ""
    ) -> GraphVersionInfo:
        """Store ``spec`` as the next version; invalid specs become drafts with problems."""
        data = migrate(spec)
        problems = validate(data)
        return self._append_version(graph_id, lambda _s, _g: (data, problems), message)

    def list_versions(self, graph_id: str) -> list[GraphVersionSummary]:
        """Every version of a graph, newest first."""
        with self._db.read() as s:
            _graph_row(s, graph_id)
            rows = s.scalars(
                sa.select(GraphVersionRow)
                .where(GraphVersionRow.graph_id == graph_id)
                .order_by(GraphVersionRow.version.desc())
            )
            return [_version_summary(r) for r in rows]

    def get_version(self, graph_id: str, version: int) -> GraphVersionInfo:
        """One version exactly as saved, with its spec and problems."""
        with self._db.read() as s:
            return _version_info(_version_row(s, graph_id, version))

    def restore_version(
        self, graph_id: str, version: int, message: str | None = None
    ) -> GraphVersionInfo:
        """Save a copy of an old version as the new current version (history is kept)."""
        old = self.get_version(graph_id, version)
        return self.save_graph(graph_id, old.spec, message or f"Restored version {version}")

    def rename_graph(
        self, graph_id: str, name: str, description: str | None = None
    ) -> GraphSummary:
        """Save a new version whose spec has ``name`` (and ``description``, if given)."""
        name = _clean_name(name)

        def renamed(s: Session, graph: GraphRow) -> tuple[dict[str, Any], list[Problem]]:
            spec = migrate(_version_row(s, graph_id, graph.current_version).spec)
            spec["name"] = name
            if description is not None:
                spec["description"] = description
            return spec, validate(spec)

        self._append_version(graph_id, renamed, f"Renamed to {name!r}")
        return self.get_graph(graph_id)

    def duplicate_graph(self, graph_id: str, name: str | None = None) -> GraphSummary:
        """A new graph (one version) holding a copy of this graph's current spec."""
        source = self.get_graph(graph_id)
        spec = self.get_version(graph_id, source.current_version).spec
        if name is None:
            name = f"{source.name[: MAX_NAME_LENGTH - 7]} (copy)"
        return self.create_graph(name, source.description, spec)

    def delete_graph(self, graph_id: str) -> None:
        """Delete a graph with all its versions, runs and run events."""
        with self._db.write() as s:
            _graph_row(s, graph_id)
            run_ids = sa.select(RunRow.id).where(RunRow.graph_id == graph_id)
            for stmt in (
                sa.delete(RunEventRow).where(RunEventRow.run_id.in_(run_ids)),
                sa.delete(RunRow).where(RunRow.graph_id == graph_id),
                sa.delete(GraphVersionRow).where(GraphVersionRow.graph_id == graph_id),
                sa.delete(GraphRow).where(GraphRow.id == graph_id),
            ):
                s.execute(stmt.execution_options(synchronize_session=False))

    def link_template(self, graph_id: str, slug: str, version: str) -> GraphSummary:
        """Record that the graph is (now) version ``version`` of marketplace template ``slug``."""
        with self._db.write() as s:
            row = _graph_row(s, graph_id)
            row.template_slug, row.template_version = slug, version
            s.add(row)
            s.flush()
            return GraphSummary.model_validate(row)

    def export_graph(self, graph_id: str) -> dict[str, Any]:
        """The graph with every version, oldest first, as JSON-ready data for ``import_graph``.

        Runs are not part of it. Specs are exported exactly as they were saved.
        """
        with self._db.read() as s:
            graph = _graph_row(s, graph_id)
            rows = s.scalars(
                sa.select(GraphVersionRow)
                .where(GraphVersionRow.graph_id == graph_id)
                .order_by(GraphVersionRow.version)
            ).all()
            return {
                "format": DUMP_FORMAT,
                "format_version": DUMP_FORMAT_VERSION,
                "id": graph.id,
                "name": graph.name,
                "description": graph.description,
                "created_at": graph.created_at.isoformat(),
                "versions": [
                    {
                        "spec": row.spec,
                        "message": row.message,
                        "created_at": row.created_at.isoformat(),
                    }
                    for row in rows
                ],
            }

    def import_graph(self, dump: Mapping[str, Any]) -> GraphSummary:
        """A graph re-created from an ``export_graph`` dump, with all its versions in order.

        The dump's id is kept when it is free (so links to the graph work again), else a
        new id is drawn. Version times are kept (never later than now). Each spec is
        migrated and validated as on save; a dump that is not one, or a spec that is not a
        spec, raises ``SpecParseError``/``SpecVersionError`` and writes nothing.
        """
        parsed = _parse_dump(dump)
        name = _clean_name(parsed.name)
        now = utcnow()
        versions = []
        for item in parsed.versions:
            data = migrate(item.spec)
            created = min(item.created_at or now, now)
            versions.append((data, validate(data), item.message, created))
        last_spec, last_problems, _, updated_at = versions[-1]
        fields = {"name": name, "description": parsed.description, **_catalog_fields(last_spec)}
        with self._db.write() as s:
            graph_id = parsed.id
            if graph_id is None or not _GRAPH_ID.fullmatch(graph_id) or s.get(GraphRow, graph_id):
                graph_id = new_id()
            row = GraphRow(
                id=graph_id,
                created_at=min(parsed.created_at or versions[0][3], now),
                updated_at=updated_at,
                current_version=len(versions),
                is_valid=not last_problems,
                **fields,
            )
            s.add(row)
            s.flush()
            for number, (data, problems, message, created) in enumerate(versions, start=1):
                s.add(_new_version_row(graph_id, number, data, problems, message, created))
        return GraphSummary.model_validate(row)

    def _append_version(
        self,
        graph_id: str,
        build: Callable[[Session, GraphRow], tuple[dict[str, Any], list[Problem]]],
        message: str,
    ) -> GraphVersionInfo:
        """Insert version ``current + 1`` from ``build`` in one transaction.

        The graph row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite write
        transactions are ``BEGIN IMMEDIATE``), so concurrent saves get distinct numbers.
        """
        now = utcnow()
        with self._db.write() as s:
            graph = s.get(GraphRow, graph_id, with_for_update=True)
            if graph is None:
                raise _graph_not_found(graph_id)
            data, problems = build(s, graph)
            graph.current_version += 1
            graph.updated_at = now
            graph.is_valid = not problems
            for key, value in _catalog_fields(data).items():
                setattr(graph, key, value)
            row = _new_version_row(graph_id, graph.current_version, data, problems, message, now)
            s.add(row)
        return _version_info(row)


def _new_version_row(
    graph_id: str,
    version: int,
    spec: dict[str, Any],
    problems: list[Problem],
    message: str,
    now: datetime,
) -> GraphVersionRow:
    ensure_json(spec, "The graph spec")
    return GraphVersionRow(
        graph_id=graph_id,
        version=version,
        spec=spec,
        is_valid=not problems,
        problems=[p.model_dump(mode="json") for p in problems],
        message=message,
        created_at=now,
    )


def _graph_row(s: Session, graph_id: str) -> GraphRow:
    row = s.get(GraphRow, graph_id)
    if row is None:
        raise _graph_not_found(graph_id)
    return row


def _version_row(s: Session, graph_id: str, version: int) -> GraphVersionRow:
    row = s.get(GraphVersionRow, (graph_id, version))
    if row is None:
        _graph_row(s, graph_id)
        raise NotFoundError(f"Graph {graph_id!r} has no version {version}.")
    return row
