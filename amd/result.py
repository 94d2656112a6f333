"""What a solve returns (SPEC §3), and the pieces every solution concept shares to produce it.

A :class:`Result` is reported ``optimal`` only when the solver says so *and* the independent
verifier passes and the value recomputed from the solution matches the solver's
(:func:`checked`). :func:`timed` and :func:`no_gc` are the timing and build helpers.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

from amd.certificate import Certificate
from amd.mechanism import Mechanism, clean
from amd.provenance import versions

if TYPE_CHECKING:
    from amd.solver import LinearProgram

#: what a result's status may be (SPEC §3)
STATUSES = ("optimal", "bounded", "infeasible", "unbounded", "time_limit", "error")
#: statuses that answer the question (``bounded``: a certified interval, SPEC §1.3)
ANSWERS = ("optimal", "bounded", "infeasible", "unbounded")


@dataclass(frozen=True)
class Details(Mapping):
    """What a concept reports beyond the value and the certificate, as a dataclass whose field
    names are the result's JSON keys (SPEC §3); a field left None is not written. Each concept
    subclasses it (:class:`amd.concepts.direct.DirectDetails`, …). It reads like a mapping as well,
    so that ``result.details["leaves"]`` and the JSON document agree."""

    def _keys(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]

    def __getitem__(self, key: str):
        if key in self._keys():
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self):
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def to_dict(self) -> dict:
        return {k: _plain(v) for k, v in self.items()}


def _plain(value):
    if isinstance(value, Details):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass
class Result:
    """The answer to one instance (SPEC §3): what :func:`amd.solve` returns.

    Attributes
    ----------
    status : str
        One of :data:`STATUSES`. ``optimal`` only when HiGHS proves it, the independent
        verifier passes and the value recomputed from the answer matches HiGHS's.
    objective : float or None
        The optimal value (None unless a solution exists).
    mechanism : Mechanism or None
        The optimal direct mechanism (``kind: mechanism``).
    outcome : numpy.ndarray or None
        Information design: π(θ, a), laid out ``[state][a_1]…[a_n]``.
    certificate : Certificate or None
        The independent verifier's report.
    details : Details
        What the solution concept reports besides (e.g. ``constraint_generation``,
        ``posteriors``, ``plan``), typed per concept and written into the JSON.
    timing : dict
        Seconds spent in ``build_s``, ``load_s``, ``solve_s``, ``verify_s``, ….
    gap, message, options :
        The MIP gap, the solver's or the checker's remark, the options it was solved with.

    Examples
    --------
    >>> import amd, json
    >>> r = amd.solve("instances/auctions/two-bidders-two-values.yaml")
    >>> r.status, round(r.objective, 9), r.certificate.verified
    ('optimal', 1.5, True)
    >>> sorted(json.loads(json.dumps(r.to_dict())))[:5]
    ['certificate', 'format', 'instance', 'kind', 'mechanism']
    """

    instance: str
    status: str
    objective: float | None = None
    mechanism: Mechanism | None = None
    certificate: Certificate | None = None
    timing: dict = field(default_factory=dict)
    gap: float | None = None
    message: str = ""
    kind: str = "mechanism"
    #: information design: π(θ, a) laid out [state][a_1]…[a_n], and what it implies
    outcome: np.ndarray | None = None
    #: what the concept reports besides (a :class:`Details` subclass per concept)
    details: Details = field(default_factory=Details)
    #: the options it was solved with (SPEC §3: every result carries them)
    options: dict = field(default_factory=dict)
    #: the solution concept that produced it (a name in amd.concepts.REGISTRY); not serialized
    concept: str = "direct"
    #: with ``exact``: the objective as a fraction ('181/400'), proven by amd.exact
    objective_exact: str | None = None
    #: the instance's environment, for labelled tables (to_frame, to_xarray); not serialized
    environment: object = field(default=None, repr=False, compare=False)
    #: the kept HiGHS model (add rows, change bounds, re-solve warm); not serialized
    program: LinearProgram | None = field(default=None, repr=False, compare=False)

    def to_frame(self):
        """The answer as a pandas DataFrame, one row per type profile (a mechanism), per (state,
        action profile) with mass (an information outcome), per (state, leaf) (a game tree) or per
        node (a limited-commitment plan), the probability a column (:mod:`amd.tables`)."""
        from amd.tables import frame

        return frame(self, self.environment)

    def to_xarray(self):
        """The mechanism (allocation, payments, prior) or the outcome π as xarray with named
        dimensions (:func:`amd.tables.xarray`)."""
        from amd.tables import xarray

        return xarray(self, self.environment)

    def _repr_html_(self) -> str:
        from amd.tables import result_html

        return result_html(self, self.environment)

    def to_dict(self) -> dict:
        out = {
            "format": "amd/1",
            "instance": self.instance,
            "kind": self.kind,
            "status": self.status,
            "objective": self.objective,
        }
        if self.objective_exact is not None:
            out["objective_exact"] = self.objective_exact
        if self.kind == "information":
            out["outcome"] = None if self.outcome is None else clean(self.outcome).tolist()
        elif self.kind == "mechanism":
            out["mechanism"] = self.mechanism.to_dict() if self.mechanism is not None else None
        out.update(self.details.to_dict())
        out |= {
            "certificate": self.certificate.to_dict() if self.certificate is not None else None,
            "timing": {k: round(v, 6) for k, v in self.timing.items()},
        }
        if self.gap is not None:
            out["gap"] = self.gap
        if self.message:
            out["message"] = self.message
        out["options"] = self.options
        out["versions"] = versions()
        return out


def checked(status: str, message: str, value: float, lp_value: float, cert: Certificate, recomputed: str,
             what: str) -> tuple[str, str]:
    """The status to report: "error" (and why) when the value recomputed from the solution differs
    from HiGHS's or the independent check fails, else the solver's own."""
    if abs(value - lp_value) > cert.tolerance:
        return "error", f"{recomputed} ({value!r}) differs from HiGHS's ({lp_value!r})"
    if not cert.verified:
        return "error", f"{what} fails verification: " + ", ".join(
            f"{k} violated by {cert.checks[k].max_violation:.3g}" for k in cert.failures())
    return status, message


@contextmanager
def no_gc():
    """Pyomo's build and compile allocate many small objects that never form cycles;
    pausing the cyclic collector there is measured to save 1.4-2.3x (DESIGN.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def timed(timing: dict, key: str):
    """Add the wall time of the block to ``timing[key]`` (seconds)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timing[key] = timing.get(key, 0.0) + time.perf_counter() - start
