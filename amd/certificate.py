"""What a verifier returns: per constraint family the largest violation and where it is."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    verified: bool
    max_violation: float
    tolerance: float
    checks: dict[str, Check] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "verified": self.verified,
            "max_violation": self.max_violation,
            "tolerance": self.tolerance,
            "checks": {k: c.to_dict() for k, c in self.checks.items()},
        }

    def failures(self) -> list[str]:
        return [k for k, c in self.checks.items() if not c.holds]
