"""The contract every solution concept keeps, and the LP run they share."""

from __future__ import annotations

from pathlib import Path

from amd import limits
from amd.certificate import Certificate
from amd.errors import InstanceError
from amd.result import Result, checked, no_gc, timed
from amd.solver import LinearProgram, SolverOptions


class Concept:
    """One solution concept. Subclasses set ``name`` and implement :meth:`solve`,
    :meth:`check`, :meth:`describe` and :meth:`problem`; :meth:`report`, :meth:`footnote` and
    :meth:`plot` have defaults."""

    name = ""
    #: what the value of a result is called in ``amd verify``'s report
    value_label = "objective"

    def solve(self, inst, options: SolverOptions, tolerance: float, choices: dict) -> Result:
        """The optimum of ``inst``, verified independently (``choices``: full, symmetric)."""
        raise NotImplementedError

    def check(self, inst, document: dict, file: str) -> tuple[float, Certificate]:
        """Read a result written by :meth:`solve` back from ``document`` (errors name ``file`` and
        the key) and verify it with numpy alone: (its value, the certificate)."""
        raise NotImplementedError

    def report(self, result: Result, inst, console, max_rows: int) -> None:
        """Print what is particular to this concept, between the header and the certificate."""

    def footnote(self, result: Result) -> str | None:
        """A dim line printed after the certificate, or None."""
        return None

    def describe(self, inst) -> str:
        """The instance's size in one phrase, for ``amd library`` and ``amd validate``."""
        raise NotImplementedError

    def problem(self, inst) -> str:
        """What is asked, in one line, for ``amd library``."""
        raise NotImplementedError

    def plottable(self, inst) -> None:
        """Raise InstanceError when :meth:`plot` cannot draw this instance (checked before solving)."""
        raise InstanceError(inst.file, "kind", "plots are drawn for 'kind: information' instances")

    def plot(self, inst, result: Result, path: Path, title: str) -> Path:
        """Draw the result into ``path``."""
        raise NotImplementedError


def run_lp(form, options: SolverOptions, timing: dict):
    """Compile and load a built formulation into HiGHS and solve it once: (program, outcome)."""
    with timed(timing, "load_s"), no_gc():
        program = LinearProgram.from_pyomo(form.model, form.columns, options)
    out = program.solve()
    timing["solve_s"] = timing.get("solve_s", 0.0) + out.solve_s  # several LPs may share one timing
    return program, out


def solve_information(inst, options: SolverOptions, tolerance: float, build, read) -> Result:
    """The information-design flow: ``build()`` → a :class:`~amd.models.linear.Formulation`; one
    LP; then ``read(values, layout)`` → (outcome π, certificate, designer value, details) with
    numpy alone; reported ``optimal`` only when the certificate holds and the value matches."""
    timing: dict[str, float] = {}
    with timed(timing, "build_s"), no_gc():
        form = build()
    program, out = run_lp(form, options, timing)
    if out.values is None:
        return Result(inst.name, out.status, timing=timing, message=out.message, kind="information", program=program)
    with timed(timing, "verify_s"):
        pi, cert, value, details = read(out.values, form.layout)
    status, message = checked(out.status, out.message, value, out.objective, cert,
                              "designer value recomputed from the outcome", "the solver's outcome")
    return Result(inst.name, status, value, None, cert, timing, None, message, kind="information",
                  outcome=pi, details=details, program=program)


def count(n: int, noun: str) -> str:
    """'3 agents', '1 state', '1e+20 profiles' (a count for the library)."""
    return f"{limits.count(n)} {noun}{'' if n == 1 else 's'}"
