"""One graph being edited: ``GraphEditor`` with bounded undo/redo and a change counter.

Each change bumps ``seq``; ``save_job`` says what to save and ``mark_saved`` what
the store has, so a slow save of older edits never overwrites a newer one.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from agent_runtime.spec import Problem as SpecProblem
from agent_runtime.spec import validate

HISTORY_LIMIT = 100

Spec = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class SaveJob:
    graph_id: str
    session: str
    seq: int
    spec: Spec
    message: str


class GraphEditor:
    """One graph being edited: its spec, undo/redo stacks and what is not saved yet."""

    def __init__(self, graph_id: str, spec: Spec, *, limit: int = HISTORY_LIMIT) -> None:
        self.graph_id = graph_id
        self.spec = spec
        self.session = uuid.uuid4().hex
        self.limit = limit
        self.undo_stack: list[Spec] = []
        self.redo_stack: list[Spec] = []
        self.seq = 0  # one more per change
        self.saved_seq = 0  # the newest change the store has
        self.stored_spec = spec  # the store's newest version, as far as this editor knows
        self.notes: list[tuple[int, str]] = []  # what changed since the last save
        self.drafts: dict[str, tuple[str, str]] = {}  # JSON fields that do not parse yet
        self._problems: tuple[int, list[SpecProblem]] | None = None

    @property
    def problems(self) -> list[SpecProblem]:
        if self._problems is None or self._problems[0] != self.seq:
            self._problems = (self.seq, validate(self.spec))
        return self._problems[1]

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    @property
    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    @property
    def dirty(self) -> bool:
        return self.saved_seq < self.seq

    def _changed(self, spec: Spec, note: str) -> None:
        self.spec = spec
        self.seq += 1
        self.notes.append((self.seq, note))

    def commit(self, spec: Spec, note: str) -> bool:
        """Make ``spec`` current (undoable); False when nothing changed."""
        if spec == self.spec:
            return False
        self.undo_stack = [*self.undo_stack, self.spec][-self.limit :]
        self.redo_stack = []
        self._changed(spec, note)
        return True

    def undo(self) -> bool:
        if not self.undo_stack:
            return False
        self.redo_stack = [*self.redo_stack, self.spec][-self.limit :]
        *self.undo_stack, spec = self.undo_stack
        self.drafts = {}
        self._changed(spec, "Undo")
        return True

    def redo(self) -> bool:
        if not self.redo_stack:
            return False
        self.undo_stack = [*self.undo_stack, self.spec][-self.limit :]
        *self.redo_stack, spec = self.redo_stack
        self.drafts = {}
        self._changed(spec, "Redo")
        return True

    def save_job(self) -> SaveJob | None:
        """What to save now, or None when the store has every change (or the same spec)."""
        if not self.dirty:
            return None
        if self.spec == self.stored_spec:  # e.g. edits undone: no version for nothing
            self.mark_saved(self.seq)
            return None
        notes = list(dict.fromkeys(note for _, note in self.notes))
        message = "; ".join(notes[:4]) + (f" (+{len(notes) - 4} more)" if len(notes) > 4 else "")
        return SaveJob(self.graph_id, self.session, self.seq, self.spec, message[:500])

    def mark_saved(self, seq: int, spec: Spec | None = None) -> None:
        """The store has every change up to ``seq`` (whose spec was ``spec``, if given)."""
        if seq >= self.saved_seq:
            self.stored_spec = (
                spec if spec is not None else (self.spec if seq == self.seq else self.stored_spec)
            )
        self.saved_seq = max(self.saved_seq, seq)
        self.notes = [(s, n) for s, n in self.notes if s > self.saved_seq]
