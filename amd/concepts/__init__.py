"""Solution concepts: one module each, one contract, one registry.

A concept is what amd computes for an instance — the optimal direct mechanism, the interim
reduced form of a single-item auction, a Bayes correlated equilibrium, a sequential
information design, a design on a given game tree. Each module exposes one :class:`Concept`
that keeps the same small contract (:mod:`amd.concepts.base`): solve the instance, check a
written result again independently, print what is particular to it, and describe the instance
in the library. ``design.solve``, the command line (``solve``, ``verify``, ``plot``), ``batch``,
``library`` and the report reach concepts only through :func:`for_instance` and
:func:`for_result`; a new concept is its module here, its formulation in ``models/``, its tests
and one line in :data:`REGISTRY`.
"""

from __future__ import annotations

from amd.concepts import (
    bce,
    direct,
    dynamic,
    extensive,
    optimal_auction,
    reduced_form,
    sequential,
)
from amd.concepts.base import Concept

#: every concept by name: for ``kind: information`` the name is the file's ``solution``
REGISTRY: dict[str, Concept] = {c.name: c for c in (direct.CONCEPT, reduced_form.CONCEPT, bce.CONCEPT,
                                                    sequential.CONCEPT, extensive.CONCEPT, dynamic.CONCEPT,
                                                    optimal_auction.CONCEPT)}


def for_instance(inst, reduced: bool | None = None, lp: bool = False) -> Concept:
    """The concept that answers ``inst``: its ``solution`` for information design; for mechanism
    design Myerson's optimal auction where the theorem answers it (unless ``lp``: an option of
    the LP was asked for, or ``reduced`` is set), the interim reduced form where it applies and
    pays (``reduced``: force it on or off, see :func:`amd.concepts.reduced_form.chosen`), else the
    direct model."""
    if inst.kind == "information":
        return REGISTRY[inst.design.solution]
    if inst.kind == "dynamic":
        return REGISTRY["dynamic"]
    if not lp and optimal_auction.applies(inst, reduced) is not None:
        return REGISTRY["optimal_auction"]
    return REGISTRY["reduced_form"] if reduced_form.chosen(inst, reduced) else REGISTRY["direct"]


def for_result(inst, document: dict) -> Concept:
    """The concept that wrote ``document`` (a result read back by ``amd verify``)."""
    if inst.kind == "information":
        return REGISTRY[inst.design.solution]
    if inst.kind == "dynamic":
        return REGISTRY["dynamic"]
    if isinstance(document.get("optimal_auction"), dict):
        return REGISTRY["optimal_auction"]
    if document.get("mechanism") is None and isinstance(document.get("reduced_form"), dict):
        return REGISTRY["reduced_form"]
    return REGISTRY["direct"]


__all__ = ["REGISTRY", "Concept", "for_instance", "for_result"]
