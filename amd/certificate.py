"""What a verifier returns: per constraint family the largest violation and where it is."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DEFAULT_TOLERANCE = 1e-7


@dataclass
class Check:
    """One constraint family: its largest violation, whether it holds, and where."""

    max_violation: float
    holds: bool
    worst: dict | None = None

    def to_dict(self) -> dict:
        return {"holds": self.holds, "max_violation": self.max_violation, "worst": self.worst}


@dataclass
class Certificate:
    """The independent verifier's report (numpy, not the solver).

    Attributes
    ----------
    verified : bool
        Every constraint family holds within ``tolerance``.
    max_violation : float
        The largest violation over all families, in the instance's units.
    tolerance : float
        The absolute tolerance used: the relative tolerance times the instance's scale.
    checks : dict of str to Check
        Per constraint family (``dsic``, ``expost_ir``, ``obedience``, …) the largest
        violation, whether it holds and where the worst one is.

    Examples
    --------
    >>> import amd, amd.classic
    >>> inst = amd.load("instances/auctions/two-bidders-two-values.yaml")
    >>> cert = amd.verify(inst, amd.classic.posted_price(inst.environment, 3))  # nobody buys
    >>> cert.verified, sorted(cert.checks)
    (True, ['dsic', 'expost_ir', 'feasibility'])
    """

    verified: bool
    max_violation: float
    tolerance: float
    checks: dict[str, Check] = field(default_factory=dict)
    #: for an infeasible instance: the constraints that cannot hold together (amd.infeasibility)
    infeasibility: dict | None = None
    #: with ``--exact``: the rational proof of optimality (amd.exact.Proof)
    exact: dict | None = None

    def to_dict(self) -> dict:
        out = {
            "verified": self.verified,
            "max_violation": self.max_violation,
            "tolerance": self.tolerance,
            "checks": {k: c.to_dict() for k, c in self.checks.items()},
        }
        if self.infeasibility is not None:
            out["infeasibility"] = self.infeasibility
        if self.exact is not None:
            out["exact"] = self.exact
        return out

    def _repr_html_(self) -> str:
        from amd.tables import certificate_html

        return certificate_html(self)

    def failures(self) -> list[str]:
        return [k for k, c in self.checks.items() if not c.holds]

    def merge(self, other: "Certificate") -> None:
        """Add every family of ``other`` (judged already, at its own tolerance)."""
        for name, check in other.checks.items():
            self.checks[name] = check
            self.verified = self.verified and check.holds
            self.max_violation = max(self.max_violation, check.max_violation)

    def include(self, name: str, violation: float, where: dict | None = None) -> Check:
        """Add one more family, judged at this certificate's (absolute) tolerance."""
        v = float(violation)
        v = float("inf") if v != v else max(0.0, v)
        check = Check(v, v <= self.tolerance, where if v > self.tolerance else None)
        self.checks[name] = check
        self.verified = self.verified and check.holds
        self.max_violation = max(self.max_violation, v)
        return check


def magnitude(*numbers) -> float:
    """The instance's units: the largest magnitude among ``numbers`` (arrays or scalars; None
    skipped), or 1 when all are zero. Verifiers scale their tolerance by it."""
    return max((float(np.abs(np.asarray(x, dtype=float)).max(initial=0)) for x in numbers if x is not None),
               default=0.0) or 1.0


class Checks:
    """What every verifier does between its arithmetic: collect one :class:`Check` per constraint
    family at the absolute tolerance ``tolerance × scale`` (``scale``: the instance's units, never
    the candidate's numbers) and make the :class:`Certificate`.

    >>> checks = Checks(1e-7, scale=2.0)
    >>> checks.add("nonnegative", -0.5).holds, checks.add("ic", 1e-3, {"agent": "b1"}).holds
    (True, False)
    >>> cert = checks.certificate()
    >>> cert.verified, cert.max_violation, cert.failures()
    (False, 0.001, ['ic'])
    """

    def __init__(self, tolerance: float, scale: float = 1.0):
        self.tolerance = tolerance * scale
        self.checks: dict[str, Check] = {}

    def add(self, name: str, violation: float, where: dict | None = None, *, holds: bool | None = None) -> Check:
        """Record family ``name`` with its largest ``violation`` (negative means slack: 0) and where it
        is (kept only when positive). It holds when the violation is within the tolerance, unless
        ``holds`` decides otherwise (a test in other units). NaN never holds and reads as ∞."""
        v = float(violation)
        if v != v:  # NaN compares false with everything: it would pass
            v, holds = float("inf"), False
        v = max(0.0, v)
        check = Check(v, v <= self.tolerance if holds is None else bool(holds), where if v > 0 else None)
        self.checks[name] = check
        return check

    def certificate(self) -> Certificate:
        worst = max((c.max_violation for c in self.checks.values()), default=0.0)
        return Certificate(all(c.holds for c in self.checks.values()), worst, self.tolerance, self.checks)
