"""The canonical numeric form of a mechanism-design problem.

An :class:`Environment` is the economic situation (who, which types, which beliefs, which
outcomes, who values what); a :class:`Design` is what the designer asks for (the class of
mechanisms, the constraints, the objective). Both are built once by :mod:`amd.io.schema` from a
validated file and trusted everywhere after that.

Notation (Börgers, *An Introduction to the Theory of Mechanism Design*, ch. 3 and 6):
agents i = 1..n with finite type sets Θ_i (|Θ_i| = k_i), a prior p on Θ = Θ_1 × … × Θ_n,
outcomes O, valuations v_i(o, θ) and a designer value d(o, θ).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

IC = Literal["dsic", "bic", "none"]
IR = Literal["expost", "interim", "exante", "none"]
Budget = Literal["none", "expost", "expost_weak", "exante", "exante_weak"]


@dataclass(frozen=True, eq=False)
class Environment:
    """Agents, types, prior, outcomes and valuations as numpy arrays.

    Attributes
    ----------
    agents, types, outcomes
        Labels; ``types[i]`` lists agent i's types in the order of axis i.
    prior
        Joint prior, shape ``(k_1, …, k_n)``, non-negative, summing to one.
    values
        ``values[i, θ_1, …, θ_n, o] = v_i(o, θ)``, shape ``(n, k_1, …, k_n, |O|)``
        (private values are broadcast along the other agents' axes).
    designer_values
        ``d(o, θ)``, shape ``(k_1, …, k_n, |O|)``.
    private
        ``private[i]`` is true when v_i depends on θ_i alone.
    independent
        True when the prior was given as a product of marginals.
    """

    agents: tuple[str, ...]
    types: tuple[tuple[str, ...], ...]
    outcomes: tuple[str, ...]
    prior: np.ndarray
    values: np.ndarray
    designer_values: np.ndarray
    private: tuple[bool, ...]
    independent: bool

    @property
    def n_agents(self) -> int:
        return len(self.agents)

    @property
    def shape(self) -> tuple[int, ...]:
        """Type-profile shape ``(k_1, …, k_n)``."""
        return self.prior.shape

    @property
    def n_profiles(self) -> int:
        return int(self.prior.size)

    @property
    def n_outcomes(self) -> int:
        return len(self.outcomes)

    def marginal(self, i: int) -> np.ndarray:
        """p_i(θ_i), the prior probability of each of agent i's types."""
        others = tuple(a for a in range(self.n_agents) if a != i)
        return self.prior.sum(axis=others)

    def beliefs(self, i: int) -> np.ndarray:
        """Agent i's interim beliefs p(θ_{-i} | θ_i), laid out like the prior.

        ``beliefs(i)[θ] = p(θ) / p_i(θ_i)``. A type of prior probability zero has no
        beliefs: its entries are zero, so every interim constraint on it is vacuous (it
        never occurs). Correlated priors are handled exactly: nothing here assumes
        independence.
        """
        m = self.marginal(i)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(m > 0, 1.0 / np.where(m > 0, m, 1.0), 0.0)
        shape = [1] * self.n_agents
        shape[i] = -1
        return self.prior * scale.reshape(shape)


@dataclass(frozen=True)
class Objective:
    """A linear objective E[Σ_i w_i u_i + w_pay Σ_i t_i + w_d d(x)] to maximize or minimize.

    ``revenue`` is (w_i, w_pay, w_d) = (0, 1, 1), ``welfare`` (1, 1, 1) — payments cancel,
    leaving E[Σ_i v_i + d] — and ``designer`` (0, 0, 1).
    """

    sense: Literal["maximize", "minimize"]
    name: str  # revenue | welfare | designer | weights
    agent_weights: tuple[float, ...]
    payment_weight: float
    designer_weight: float

    @classmethod
    def named(cls, sense: str, name: str, n_agents: int) -> "Objective":
        w = {"revenue": (0.0, 1.0, 1.0), "welfare": (1.0, 1.0, 1.0), "designer": (0.0, 0.0, 1.0)}
        a, pay, d = w[name]
        return cls(sense, name, (a,) * n_agents, pay, d)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Design:
    """The class of mechanisms searched and the constraints imposed on it."""

    randomized: bool = True
    payments: bool = True
    payment_bounds: tuple[float | None, float | None] = (None, None)
    ic: IC = "dsic"
    ir: IR = "expost"
    budget: Budget = "none"
    #: budget balance counts the designer's own value of the outcome too (a project's cost, a
    #: seller's value of the good): Σ_i t_i + d(x) instead of Σ_i t_i
    budget_designer: bool = False
    #: declared extra constraints (constraints.extra; amd.modeling.declared)
    extra: tuple = ()
    objective: Objective = field(
        default_factory=lambda: Objective("maximize", "revenue", (), 1.0, 1.0)
    )
