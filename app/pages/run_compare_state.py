"""State of the comparison page (``/runs/compare/[run_a]/[run_b]``): two runs side by side."""

from __future__ import annotations

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import run_history
from app.services.run_history import RunRow, RunSide, StepPair

EMPTY_SIDE = RunSide(RunRow("", "", "", 0, "", "", "", 0, "", "", ""), "", "", "", "")


class RunCompareState(rx.State):
    """Runs A and B (summary, input, output, error) and their steps matched by node."""

    a: RunSide = EMPTY_SIDE
    b: RunSide = EMPTY_SIDE
    steps: list[StepPair] = []
    shown: bool = False
    load_error: str = ""

    @rx.event
    def load_comparison(self):
        """On page load: compare the URL's two runs."""
        params = self.router.page.params
        return RunCompareState.show_comparison(
            params.get("run_a", "") or "", params.get("run_b", "") or ""
        )

    @rx.event
    def show_comparison(self, run_a: str, run_b: str):
        """Show ``run_a`` beside ``run_b``, or say why not."""
        try:
            both = run_history.compare_runs(run_a, run_b)
        except OrchestrallError as exc:
            self.a, self.b, self.steps, self.shown = EMPTY_SIDE, EMPTY_SIDE, [], False
            self.load_error = (
                f"Cannot compare: {exc.message} It may have been deleted with its graph."
                if exc.code == "not_found"
                else f"Could not compare the runs: {exc.message}"
            )
            return
        self.a, self.b, self.steps = both.a, both.b, both.steps
        self.shown, self.load_error = True, ""
