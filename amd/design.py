"""The one flow: instance → solution concept → Pyomo model → HiGHS → answer → independent check.

``solve`` is what ``amd solve``, ``amd batch`` and the Python API call: it checks the options
once, picks the instance's solution concept from the registry (:mod:`amd.concepts`) and lets it
build, load, solve and verify, each timed separately. A result is ``optimal`` only when the
solver says so *and* the verifier passes (:func:`amd.result.checked`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from amd import concepts, modeling
from amd.certificate import Certificate
from amd.concepts.direct import solve_fixed_allocation
from amd.environment import Environment
from amd.errors import InstanceError
from amd.io.schema import Instance, load
from amd.mechanism import Mechanism
from amd.result import Result
from amd.solver import SolverOptions
from amd.verifier import DEFAULT_TOLERANCE
from amd.verifier import verify as check_mechanism

__all__ = ["Result", "solve", "solve_fixed_allocation", "verify"]

log = logging.getLogger(__name__)


def solve(instance: Instance | str | Path, *, time_limit: float | None = None, gap: float | None = None,
          threads: int | None = None, method: str = "choose", tolerance: float = DEFAULT_TOLERANCE,
          verbose: bool = False, full: bool | None = None, symmetric: bool | None = None,
          reduced: bool | None = None, tidy: bool = False, exact: bool = False, solver: str = "highs",
          constraints=None, objective=None) -> Result:
    """Solve ``instance`` (an :class:`Instance` or a file path) by its solution concept
    (:mod:`amd.concepts`) and verify the answer independently.

    Parameters
    ----------
    time_limit : seconds of wall time for the whole solve (build, load, every HiGHS call and
        separation round); on expiry the best incumbent (MIP) is returned with
        ``status == 'time_limit'`` and its gap. The model build itself is not interrupted.
    gap : relative MIP gap at which HiGHS may stop; default 1e-9 (a proven optimum, where
        HiGHS's own default of 1e-4 would accept a mechanism 0.01 % short of it).
    threads : HiGHS threads (default: HiGHS decides).
    method : ``choose`` | ``simplex`` | ``ipm`` | ``pdlp``.
    tolerance : the verifier's relative tolerance.
    full : build every IC row (True), generate them lazily (False), or decide (None: lazily
        for randomized private-value designs with at least 20,000 IC rows; see
        :mod:`amd.separation`). The optimum is the same either way.
    symmetric : solve over symmetric mechanisms when the agents are exchangeable (None or True,
        for randomized designs; see :mod:`amd.models.symmetry`), or never (False). The optimum
        is the same; the exploded mechanism is returned and verified.
    reduced : solve a single-item BIC design in interim reduced form (True), never (False), or
        decide (None: when the direct model would have at least 20,000 allocation columns, and
        always for instances too large to write out). See :mod:`amd.interim`. ``False`` also
        turns off the Myerson fast path: a single-item DSIC revenue design with independent
        private values is answered by Myerson's optimal auction without an LP (see
        :mod:`amd.concepts.optimal_auction`) unless ``reduced``, ``full``, ``symmetric`` or ``tidy``
        is given.
    tidy : after the optimum, pick on the optimal face a mechanism whose largest payment is
        smallest (same objective; ``details.tidy`` says before and after).
    exact : prove the optimum in rational arithmetic from HiGHS's basis (:mod:`amd.exact`): the
        objective as a fraction in ``objective_exact`` and the proof in ``certificate.exact``.
        Implies the LP (no Myerson fast path); not with ``tidy``.
    constraints : functions ``fn(m)`` of the readable Pyomo model (:func:`amd.build`) returning
        relational expressions to add (``m.payment["b1", "2", "1"] <= 1``); the answer is
        verified against them too (``user_constraints``). Mechanism instances; every row is built.
    objective : a function ``fn(m)`` returning the linear expression to optimize instead of the
        instance's objective (same sense).
    solver : ``highs`` (default: HiGHS through highspy, the fast path) or the name of any solver
        Pyomo's SolverFactory finds (``glpk``, ``cbc``, ``gurobi``, ``cplex``, ``scip``, …): the
        same model, every IC row built, verified by the same verifier. Not with ``tidy``,
        ``exact``, Border separation or a partial audience (they need HiGHS's kept model).

    Returns
    -------
    Result
        ``status``, ``objective``, the mechanism or outcome, the independent ``certificate``,
        ``details`` and ``timing``. A failed or unproven solve is a status, not an exception.

    Raises
    ------
    amd.InstanceError
        When the file or an option is bad (the message names the file or option and the key).

    Examples
    --------
    Myerson's auction for two bidders with values on a midpoint grid of 10 (Elkind's discrete
    form gives 181/400):

    >>> r = solve("instances/auctions/myerson-2-bidders-midpoint10.yaml")
    >>> r.status, round(r.objective, 9), r.certificate.verified
    ('optimal', 0.4525, True)

    References
    ----------
    V. Conitzer and T. Sandholm, Complexity of mechanism design, UAI 2002 (automated mechanism
    design as an LP/MIP); R. Myerson, Optimal auction design, 1981.
    """
    options = SolverOptions(time_limit=time_limit, gap=gap, threads=threads, method=method, verbose=verbose,
                            solver=solver)
    if solver != "highs":
        if exact or tidy:
            raise InstanceError("--solver", None, f"--{'exact' if exact else 'tidy'} needs HiGHS's kept model; "
                                                  "leave out --solver")
        full = True if full is None else full  # no constraint generation: one solve of the whole model
    choices = {"tolerance": tolerance, "full": full, "symmetric": symmetric, "reduced": reduced, "tidy": tidy,
               "exact": exact}
    for name, value in choices.items():
        if name == "tolerance":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise InstanceError("--tolerance", None, f"expected a number in (0, 1), got {value!r}")
        elif value is not None and not isinstance(value, bool):
            raise InstanceError(f"--{name}", None, f"expected true, false or None, got {value!r}")
    options = options.started()
    if not (constraints is None or isinstance(constraints, (list, tuple))) or \
            not all(callable(f) for f in constraints or ()) or not (objective is None or callable(objective)):
        raise InstanceError("constraints", None, "expected a list of functions fn(model) and an objective function")
    inst = instance if isinstance(instance, Instance) else load(instance)
    declared = getattr(inst.design, "extra", ())
    user = ([*modeling.declared(declared, inst.environment), *(constraints or ())], objective)
    customized = bool(user[0]) or objective is not None
    concept = concepts.for_instance(inst, reduced, lp=full is not None or symmetric is not None or bool(tidy)
                                    or bool(exact) or solver != "highs" or customized)
    if customized and (concept.name != "direct" or tidy):
        raise InstanceError("constraints", None, "user constraints and objectives go with the direct mechanism "
                                                 "model (kind: mechanism, written out), without --tidy")
    if tidy and concept.name != "direct":
        raise InstanceError("--tidy", None, "re-optimizes the direct mechanism LP; this instance is solved as "
                                            f"{concept.name.replace('_', ' ')}")
    if exact and tidy:
        raise InstanceError("--exact", None, "proves the first-stage optimum; leave out --tidy")
    log.info("%s: solved as %s", inst.name, concept.name)
    result = concept.solve(inst, options, tolerance, choices | {"user": user if customized else None})
    result.options, result.concept = options.as_dict() | choices, concept.name
    if customized:
        result.options |= {"user_constraints": len(user[0]) - len(declared), "declared_constraints": len(declared),
                           "user_objective": objective is not None}
    result.environment = inst.environment
    if exact:
        attach_proof(result)
    return result


def attach_proof(result: Result) -> None:
    """``--exact``: prove ``result``'s optimum from its program's basis (:func:`amd.exact.prove`)
    and record it: ``objective_exact`` and ``certificate.exact``. A result that is not a single
    LP's optimum says why nothing was proven."""
    from amd import exact

    program = result.program
    if result.status != "optimal" or program is None:
        proof = exact.Proof(False, None, f"nothing to prove: the answer is {result.status}" if program is not None
                            else "this answer is not a linear program's optimum")
    elif getattr(result.details, "pure_strategies", None) is not None:
        proof = exact.Proof(False, None, "a partial audience is answered by several LPs; each is proven only "
                                         "in floating point")
    else:
        omitted = program.omitted_rows() if program.omitted_rows is not None else None
        proof = exact.prove(program, omitted)
    if proof.proven:
        unit = getattr(result.details, "solver_units", None)
        value = proof.objective * (exact.rational(unit) if unit else 1)
        if abs(float(value) - result.objective) > max(1e-6, 1e-6 * abs(result.objective)):
            proof = exact.Proof(False, None, f"the exact optimum {float(value)!r} is not the reported "
                                             f"{result.objective!r}")
        else:
            proof.objective = value
            result.objective_exact = exact.fraction_text(value)
    if result.certificate is not None:
        result.certificate.exact = proof.to_dict()


def verify(instance, mechanism, *rest, tolerance: float = DEFAULT_TOLERANCE) -> Certificate:
    """``amd.verify``: check a mechanism against every constraint of an instance.

    Parameters
    ----------
    instance : :class:`amd.Instance` or the path of an instance file.
    mechanism : :class:`amd.Mechanism`, or a mapping laid out as SPEC §3 (``allocation``,
        ``payments``), or a result of ``amd solve`` (its ``mechanism``).
    tolerance : relative tolerance (see :func:`amd.verifier.verify`). The lower-level call
        ``verify(environment, design, mechanism)`` is accepted as well.

    Returns
    -------
    Certificate
        ``verified``, ``max_violation`` and, per constraint family, the worst deviation.

    Raises
    ------
    amd.InstanceError
        When the instance or the mechanism is malformed.

    Examples
    --------
    A posted price of 1 in a two-bidder auction sells to the first bidder even when the second
    values the good more — still DSIC and IR:

    >>> import amd, amd.classic
    >>> inst = amd.load("instances/auctions/two-bidders-two-values.yaml")
    >>> verify(inst, amd.classic.posted_price(inst.environment, 1)).verified
    True

    Charging b1 its value when high but nothing when low invites a lie:

    >>> cert = verify(inst, {"allocation": [[[0, 1, 0], [0, 0, 1]], [[0, 1, 0], [0, 1, 0]]],
    ...                      "payments": [[[0, 0], [2, 2]], [[0, 0], [0, 0]]]})
    >>> cert.verified, cert.failures(), cert.checks["dsic"].worst["gain"]
    (False, ['dsic'], 2.0)
    """
    if isinstance(instance, Environment):  # verify(env, design, mech)
        return check_mechanism(instance, mechanism, *rest, tolerance=tolerance)
    if rest:
        raise TypeError("verify(instance, mechanism) or verify(environment, design, mechanism)")
    inst = instance if isinstance(instance, Instance) else load(instance)
    if not isinstance(inst.environment, Environment):
        raise InstanceError(inst.file, "kind", "amd.verify checks mechanisms of explicit 'kind: mechanism' instances")
    if not isinstance(mechanism, Mechanism):
        data, path = mechanism, ""
        if isinstance(data, dict) and isinstance(data.get("mechanism"), dict):
            data, path = data["mechanism"], "mechanism"
        mechanism = Mechanism.from_dict(data, inst.environment, "<mechanism>", path,
                                        require_payments=inst.design.payments)
    return check_mechanism(inst.environment, inst.design, mechanism, tolerance)
