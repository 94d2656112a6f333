"""A direct mechanism: an allocation rule and payments over finite type profiles.

``allocation[θ_1, …, θ_n, o] = x(o | θ)`` (a distribution over outcomes per profile) and
``payments[i, θ_1, …, θ_n] = t_i(θ)``, paid by agent i to the designer. Labels travel with
the arrays; the JSON layout is SPEC §3.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from amd.environment import Environment
from amd.errors import InstanceError
from amd.io.arrays import nested_array


@dataclass(frozen=True, eq=False)
class Mechanism:
    """A direct mechanism with its labels.

    Attributes
    ----------
    agents, types, outcomes : tuples of str
        The labels of the axes, as in the instance.
    allocation : numpy.ndarray
        ``allocation[θ_1, …, θ_n, o]`` = x(o | θ), shape (k_1, …, k_n, |O|).
    payments : numpy.ndarray
        ``payments[i, θ_1, …, θ_n]`` = t_i(θ), paid by agent i to the designer.

    Examples
    --------
    >>> import amd
    >>> m = amd.solve("instances/auctions/two-bidders-two-values.yaml").mechanism
    >>> m.agents, m.outcomes, m.allocation.shape
    (('b1', 'b2'), ('none', 'b1', 'b2'), (2, 2, 3))
    >>> m.allocation[1, 1].round(9).tolist()  # both high: a fair coin decides
    [0.0, 0.5, 0.5]
    """

    agents: tuple[str, ...]
    types: tuple[tuple[str, ...], ...]
    outcomes: tuple[str, ...]
    allocation: np.ndarray
    payments: np.ndarray

    @property
    def deterministic(self) -> bool:
        return bool(np.all((self.allocation == 0) | (self.allocation == 1)))

    def profiles(self):
        """(index tuple, label tuple) of every type profile, in C order."""
        for idx in itertools.product(*(range(len(t)) for t in self.types)):
            yield idx, tuple(self.types[i][j] for i, j in enumerate(idx))

    def to_dict(self) -> dict:
        """The SPEC §3 ``mechanism`` object."""
        return {
            "agents": [{"name": a, "types": list(t)} for a, t in zip(self.agents, self.types)],
            "outcomes": list(self.outcomes),
            "allocation": clean(self.allocation).tolist(),
            "payments": clean(self.payments).tolist(),
        }

    @classmethod
    def from_dict(cls, data: Any, env: Environment, file: str, path: str = "",
                  require_payments: bool = True) -> "Mechanism":
        """Read a mechanism for ``env`` (labels, if given, must match the instance's)."""

        def at(key: str) -> str:
            return f"{path}.{key}" if path else key

        if not isinstance(data, dict):
            raise InstanceError(file, path or None, "expected a mapping with 'allocation' and 'payments'")
        if "outcomes" in data and list(data["outcomes"]) != list(env.outcomes):
            raise InstanceError(file, at("outcomes"), f"expected {list(env.outcomes)}, got {data['outcomes']!r}")
        if "agents" in data:
            got = [(a.get("name"), list(map(str, a.get("types", [])))) if isinstance(a, dict) else a
                   for a in data["agents"]]
            want = [(a, list(t)) for a, t in zip(env.agents, env.types)]
            if got != want:
                raise InstanceError(file, at("agents"), "agents and types differ from the instance's")
        if "allocation" not in data:
            raise InstanceError(file, at("allocation"), "required key is missing")
        axes = [f"one per type of {a}" for a in env.agents]
        x = nested_array(data["allocation"], env.shape + (env.n_outcomes,), axes + ["one per outcome"],
                         file, at("allocation"))
        if data.get("payments") is None:
            if require_payments:
                raise InstanceError(file, at("payments"), "required key is missing")
            t = np.zeros((env.n_agents,) + env.shape)
        else:
            t = nested_array(data["payments"], (env.n_agents,) + env.shape, ["one per agent"] + axes,
                             file, at("payments"))
        return cls(env.agents, env.types, env.outcomes, x, t)

    def to_frame(self, prior: np.ndarray | None = None):
        """One row per type profile: the types, its probability ``p(θ)`` (when ``prior`` — the
        Environment's, shaped like the profiles — is given), x(o|θ) per outcome and t_i(θ) per
        agent, solver dust (|z| < 1e-12, -0.0) shown as 0. Needs pandas (``amd[frame]``)."""
        from amd.tables import _pandas, mechanism_records

        return _pandas().DataFrame(mechanism_records(self, prior)).set_index(list(self.agents))

    def _repr_html_(self) -> str:
        from amd.tables import html_table, mechanism_records

        return html_table(mechanism_records(self))


def clean(a: np.ndarray) -> np.ndarray:
    """Round away solver dust (|z| < 1e-12 and -0.0) for output."""
    out = np.where(np.abs(a) < 1e-12, 0.0, a)
    return out + 0.0
