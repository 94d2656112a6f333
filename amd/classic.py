r"""Classic mechanisms as :class:`~amd.mechanism.Mechanism` objects on any instance.

* :func:`vcg` — the efficient rule x*(θ) ∈ argmax_o W(o, θ), W = Σ_i v_i + d (the designer's
  value counts as a non-strategic party), with Groves payments
  t_i(θ) = h_i(θ_{-i}) − W_{-i}(x*(θ), θ), W_{-i} = W − v_i (Vickrey 1961, Clarke 1971,
  Groves 1973). ``pivot=True`` is Clarke's h_i = max_o W_{-i}(o, θ).
* :func:`agv` — the expected-externality mechanism (d'Aspremont & Gérard-Varet 1979, Arrow
  1979): efficient, t_i = −ξ_i(θ_i) + Σ_{j≠i} ξ_j(θ_j)/(n−1) with
  ξ_i(θ_i) = E_{θ_{-i}}[W_{-i}(x*(θ), θ)]; BIC with independent types and Σ_i t_i = 0 at
  every profile.
* :func:`second_price` and :func:`posted_price` — for single-good environments (each agent
  values only "its" outcome, and one outcome gives the good to nobody).
* :func:`myerson` — the optimal auction with discrete, possibly irregular, independent values:
  ironed virtual values (Myerson 1981; the discrete form of Elkind 2007), the good to the highest
  positive one (ties split evenly), and the revenue-maximal payments of that rule, which are the
  Rochet shortest paths (:mod:`amd.rochet`), i.e. the discrete envelope formula.

Ties in argmax go to the first outcome in the file's order, a fixed rule, so the allocation of
each agent is a function of the reports alone (what Groves payments need).
"""

from __future__ import annotations

import numpy as np

from amd.certificate import magnitude
from amd.environment import Design, Environment
from amd.io.schema import Instance
from amd.mechanism import Mechanism
from amd.verifier import Check, verify


def _mechanism(env: Environment, x: np.ndarray, t: np.ndarray) -> Mechanism:
    return Mechanism(env.agents, env.types, env.outcomes, x, t)


def welfare(env: Environment) -> np.ndarray:
    """W(o, θ) = Σ_i v_i(o, θ) + d(o, θ), shape (k_1..k_n, |O|)."""
    return env.values.sum(axis=0) + env.designer_values


#: how a tie between welfare-maximizing outcomes (or top bids) is broken
TIES = ("first", "last", "uniform")


def default_ties(env: Environment) -> str:
    """The textbook tie rule: an auction (a single-good environment) splits ties evenly; a public
    project (outcomes ``no, build``) builds when Σθ ≥ C; anything else takes the first outcome in
    the file's order."""
    try:
        single_good_outcomes(env)
        return "uniform"
    except ValueError:
        pass
    return "last" if tuple(env.outcomes) == ("no", "build") else "first"


def efficient_allocation(env: Environment, ties: str = "first") -> np.ndarray:
    """x*(θ) ∈ argmax_o W(o, θ) as an array (k_1..k_n, |O|): the first or the last maximizer in
    the file's order (0/1), or all maximizers with equal probability (``uniform``). Outcomes within
    1e-12 (relative) of the maximum count as tied. Any of these keeps Groves payments DSIC: every
    tied outcome has the same welfare."""
    W = welfare(env)
    O = env.n_outcomes
    tied = W >= W.max(axis=-1, keepdims=True) - 1e-12 * magnitude(W)
    if ties == "uniform":
        return tied / tied.sum(axis=-1, keepdims=True)
    pick = np.argmax(tied, axis=-1) if ties == "first" else O - 1 - np.argmax(tied[..., ::-1], axis=-1)
    return np.eye(O)[pick]


def vcg(env: Environment, pivot: bool = True, h: np.ndarray | None = None, ties: str = "first") -> Mechanism:
    """The VCG (Groves) mechanism: the efficient rule with Groves payments.

    Parameters
    ----------
    env : Environment
        An explicit mechanism-design environment (``amd.load(path).environment``).
    pivot : bool
        Clarke's pivot h_i(θ_{-i}) = max_o W_{-i}(o, θ) (default), else h_i = 0.
    h : numpy.ndarray, optional
        A given h, shape (n, k_1..k_n); for DSIC row i must not depend on agent i's own type
        (the verifier tells if it does). Overrides ``pivot``.
    ties : str
        ``first``, ``last`` or ``uniform`` (see :func:`efficient_allocation`).

    Returns
    -------
    Mechanism
        x*(θ) ∈ argmax_o W(o, θ) (ties by ``ties``) and
        t_i(θ) = h_i(θ_{-i}) − W_{-i}(x*(θ), θ) (in expectation over a tie lottery).

    Examples
    --------
    Two bidders with values 1 or 2, uniform: the second price, E = 1/4·2 + 3/4·1.

    >>> import amd
    >>> from amd.verifier import objective_value
    >>> inst = amd.load("instances/auctions/two-bidders-two-values.yaml")
    >>> m = vcg(inst.environment)
    >>> amd.verify(inst, m).verified, objective_value(inst.environment, inst.design, m)
    (True, 1.25)

    References
    ----------
    W. Vickrey, Counterspeculation, auctions, and competitive sealed tenders, J. Finance 1961;
    E. Clarke, Multipart pricing of public goods, Public Choice 1971; T. Groves, Incentives in
    teams, Econometrica 1973.
    """
    W = welfare(env)
    x = efficient_allocation(env, ties)
    t = np.empty((env.n_agents,) + env.shape)
    for i in range(env.n_agents):
        W_others = W - env.values[i]
        realized = (x * W_others).sum(axis=-1)
        if h is not None:
            base = np.asarray(h, float)[i]
        elif pivot:
            base = W_others.max(axis=-1)
        else:
            base = 0.0
        t[i] = base - realized
    return _mechanism(env, x, t)


def agv(env: Environment, ties: str = "first") -> Mechanism:
    """The AGV (expected-externality) mechanism: efficient, BIC with independent types, and
    balanced at every profile.

    Parameters
    ----------
    env : Environment
        An explicit environment with at least two agents.

    Returns
    -------
    Mechanism
        The efficient rule with t_i = −ξ_i(θ_i) + Σ_{j≠i} ξ_j(θ_j)/(n−1),
        ξ_i(θ_i) = E_{θ_{-i}}[W_{-i}(x*(θ), θ)].

    Raises
    ------
    ValueError
        With fewer than two agents.

    Examples
    --------
    >>> import amd
    >>> env = amd.load("instances/public-goods/agv-3-agents.yaml").environment
    >>> checks = properties(env, agv(env))
    >>> checks["bic"].holds, checks["expost_budget"].holds, checks["dsic"].holds
    (True, True, False)

    References
    ----------
    C. d'Aspremont and L.-A. Gérard-Varet, Incentives and incomplete information, J. Public
    Economics 1979; K. Arrow, The property rights doctrine and demand revelation under
    incomplete information, 1979.
    """
    n = env.n_agents
    if n < 2:
        raise ValueError("AGV needs at least two agents")
    W = welfare(env)
    x = efficient_allocation(env, ties)
    xi = []
    for i in range(n):
        realized = (x * (W - env.values[i])).sum(axis=-1)
        belief = env.beliefs(i)  # p(θ_-i | θ_i), = p(θ_-i) with independent types
        others = tuple(a for a in range(n) if a != i)
        xi.append((belief * realized).sum(axis=others))  # ξ_i(θ_i)
    t = np.empty((n,) + env.shape)
    for i in range(n):
        total = np.zeros(env.shape)
        for j in range(n):
            shape = [1] * n
            shape[j] = -1
            term = xi[j].reshape(shape)
            total = total + (-term if j == i else term / (n - 1))
        t[i] = total
    return _mechanism(env, x, t)


def single_good_outcomes(env: Environment) -> tuple[int, list[int]]:
    """(outcome 'nobody gets it', [agent i's own outcome]) of a single-good environment."""
    V = env.values.reshape(env.n_agents, -1, env.n_outcomes)
    own = []
    for i in range(env.n_agents):
        support = np.flatnonzero(np.abs(V[i]).max(axis=0) > 0)
        if len(support) != 1:
            raise ValueError(f"not a single-good environment: {env.agents[i]} values {len(support)} outcomes")
        own.append(int(support[0]))
    rest = [o for o in range(env.n_outcomes) if o not in own]
    if len(set(own)) != env.n_agents or len(rest) != 1:
        raise ValueError("not a single-good environment: expected one outcome per agent plus one for nobody")
    return rest[0], own


def _bids(env: Environment) -> np.ndarray:
    """b[i, θ] = v_i(own outcome, θ), shape (n, k_1..k_n)."""
    _, own = single_good_outcomes(env)
    return np.stack([env.values[i][..., o] for i, o in enumerate(own)])


def second_price(env: Environment, reserve: float = 0.0, ties: str = "first") -> Mechanism:
    """Vickrey's second-price auction with a reserve.

    Parameters
    ----------
    env : Environment
        A single-good environment (each agent values only its own outcome; one outcome gives
        the good to nobody).
    reserve : float
        The lowest winning bid.

    Returns
    -------
    Mechanism
        The highest bid ≥ ``reserve`` wins and pays max(reserve, highest other bid); tied top
        bidders by ``ties``: the first, the last, or each with equal probability (``uniform``).

    Raises
    ------
    ValueError
        When ``env`` is not a single-good environment.

    Examples
    --------
    >>> import amd
    >>> from amd.verifier import objective_value
    >>> inst = amd.load("instances/auctions/two-bidders-two-values.yaml")
    >>> objective_value(inst.environment, inst.design, second_price(inst.environment, reserve=2))
    1.5

    References
    ----------
    W. Vickrey, Counterspeculation, auctions, and competitive sealed tenders, J. Finance 1961.
    """
    none, own = single_good_outcomes(env)
    b = _bids(env)
    top = b.max(axis=0)
    sells = top >= reserve
    tied = b >= top[None] - 1e-12 * magnitude(b)
    if ties == "uniform":
        share = tied / tied.sum(axis=0)
    else:
        n = env.n_agents
        pick = np.argmax(tied, axis=0) if ties == "first" else n - 1 - np.argmax(tied[::-1], axis=0)
        share = (np.arange(n).reshape((-1,) + (1,) * len(env.shape)) == pick[None]).astype(float)
    x = np.zeros(env.shape + (env.n_outcomes,))
    t = np.zeros((env.n_agents,) + env.shape)
    for i, o in enumerate(own):
        wins = np.where(sells, share[i], 0.0)
        x[..., o] = wins
        others = np.delete(b, i, axis=0).max(axis=0) if env.n_agents > 1 else np.full(env.shape, -np.inf)
        t[i] = wins * np.maximum(reserve, others)
    x[..., none] = ~sells
    return _mechanism(env, x, t)


def posted_price(env: Environment, price: float) -> Mechanism:
    """A posted price offered to the agents in order; the first whose value is at least
    ``price`` buys at ``price``.

    Parameters
    ----------
    env : Environment
        A single-good environment (see :func:`second_price`).
    price : float

    Returns
    -------
    Mechanism
        Deterministic, DSIC and ex-post IR.

    Examples
    --------
    >>> import amd
    >>> env = amd.load("instances/auctions/two-bidders-two-values.yaml").environment
    >>> posted_price(env, 2).payments[0].tolist()  # b1 buys whenever its value is 2
    [[0.0, 0.0], [2.0, 2.0]]
    """
    none, own = single_good_outcomes(env)
    b = _bids(env)
    x = np.zeros(env.shape + (env.n_outcomes,))
    t = np.zeros((env.n_agents,) + env.shape)
    unsold = np.ones(env.shape, bool)
    for i, o in enumerate(own):
        buys = unsold & (b[i] >= price)
        x[..., o] = buys
        t[i] = np.where(buys, price, 0.0)
        unsold &= ~buys
    x[..., none] = unsold
    return _mechanism(env, x, t)


def ironed_virtual_values(values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Ironed virtual values of a discrete distribution (values increasing).

    φ(v_j) = v_j − (v_{j+1} − v_j)(1 − F(v_j)) / f(v_j) (φ(v_k) = v_k); ironing replaces φ by
    the slopes of the lower convex envelope of H(F_j) = Σ_{l≤j} f_l φ(v_l) (Myerson 1981 §6).
    Types of zero probability take the value of the nearest interval.
    """
    f = np.asarray(probs, float)
    v = np.asarray(values, float)
    F = np.cumsum(f)
    gaps = np.append(np.diff(v), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(f > 0, v - gaps * (1 - F) / np.where(f > 0, f, 1), -np.inf)
    pts_x = np.concatenate([[0.0], F[f > 0]])
    pts_y = np.concatenate([[0.0], np.cumsum(f[f > 0] * phi[f > 0])])
    hull = [0]
    for j in range(1, len(pts_x)):  # lower convex hull (monotone chain)
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (pts_y[b] - pts_y[a]) * (pts_x[j] - pts_x[a]) >= (pts_y[j] - pts_y[a]) * (pts_x[b] - pts_x[a]):
                hull.pop()
            else:
                break
        hull.append(j)
    slopes = np.empty(len(pts_x) - 1)
    for a, b in zip(hull[:-1], hull[1:]):
        slopes[a:b] = (pts_y[b] - pts_y[a]) / (pts_x[b] - pts_x[a])
    out = np.empty(len(v))
    pos = np.flatnonzero(f > 0)
    out[pos] = slopes
    for j in np.flatnonzero(f == 0):  # a type that never occurs: keep monotone
        later = pos[pos > j]
        out[j] = out[later[0]] if len(later) else out[pos[-1]]
    return out


def myerson(inst: Instance) -> Mechanism:
    """Myerson's revenue-optimal single-good auction for independent, discrete private values.

    Parameters
    ----------
    inst : Instance
        A single-good instance with an independent prior and private values.

    Returns
    -------
    Mechanism
        The good to the highest positive ironed virtual value (ties split evenly), with the
        revenue-maximal payments of that rule (the Rochet shortest paths, the discrete envelope
        formula). It is DSIC and ex-post IR, and optimal among all BIC, interim-IR mechanisms.

    Raises
    ------
    ValueError
        When the prior is correlated, values are interdependent, or ``inst`` is not a single
        good.

    Examples
    --------
    >>> import amd
    >>> from amd.verifier import objective_value
    >>> inst = amd.load("instances/auctions/two-bidders-two-values.yaml")
    >>> objective_value(inst.environment, inst.design, myerson(inst))  # E[max φ⁺] = 3/2
    1.5

    References
    ----------
    R. Myerson, Optimal auction design, Math. of Operations Research 1981; E. Elkind,
    Designing and learning optimal finite support auctions, SODA 2007 (the discrete form).
    """
    env = inst.environment
    none, own = single_good_outcomes(env)
    if not env.independent:
        raise ValueError("Myerson's auction needs independent types")
    if not all(env.private):
        raise ValueError("Myerson's auction needs private values")
    b = _bids(env)
    phis = []
    for i in range(env.n_agents):
        vals = np.moveaxis(b[i], i, 0).reshape(env.shape[i], -1)[:, 0]  # private: θ_i alone matters
        order = np.argsort(vals, kind="stable")
        phi = np.empty(env.shape[i])
        phi[order] = ironed_virtual_values(vals[order], env.marginal(i)[order])
        shape = [1] * env.n_agents
        shape[i] = -1
        phis.append(np.broadcast_to(phi.reshape(shape), env.shape))
    phi = np.stack(phis)
    best = phi.max(axis=0)
    winners = (phi >= best - 1e-12) & (best > 1e-12)
    share = winners / np.maximum(winners.sum(axis=0), 1)
    x = np.zeros(env.shape + (env.n_outcomes,))
    for i, o in enumerate(own):
        x[..., o] = share[i]
    x[..., none] = 1 - share.sum(axis=0)
    return _mechanism(env, x, envelope_payments(env, share))


def envelope_payments(env: Environment, share: np.ndarray) -> np.ndarray:
    r"""The revenue-maximal DSIC, ex-post IR payments of a monotone single-good rule.

    ``share[i, θ]``: agent i's probability of getting the good. Along agent i's types in
    increasing order of value v_1 ≤ … ≤ v_k (the others' types fixed), the discrete envelope
    formula gives the smallest utilities IC and IR allow — the shortest paths of Rochet's graph
    from the outside option (:mod:`amd.rochet`), which for a monotone rule run through adjacent
    types:

        u(v_1) = 0,   u(v_l) = Σ_{m<l} x(v_m) (v_{m+1} − v_m),   t(v_l) = v_l x(v_l) − u(v_l).

    (Myerson 1981, Lemma 2; Elkind 2007 for the discrete form.) Computed with cumulative sums,
    one array operation per agent."""
    b = _bids(env)
    t = np.empty_like(share, dtype=float)
    for i in range(env.n_agents):
        vals = np.moveaxis(b[i], i, 0).reshape(env.shape[i], -1)[:, 0]
        order = np.argsort(vals, kind="stable")
        x = np.moveaxis(share[i], i, 0)[order]  # (k, θ_-i…) in increasing value
        v = vals[order].reshape((-1,) + (1,) * (x.ndim - 1))
        steps = x[:-1] * np.diff(v, axis=0)
        u = np.concatenate([np.zeros((1,) + x.shape[1:]), np.cumsum(steps, axis=0)])
        out = np.empty_like(x)
        out[order] = v * x - u
        t[i] = np.moveaxis(out, 0, i)
    return t


MECHANISMS = ("vcg", "clarke", "agv", "second_price", "posted_price", "myerson")


def build(name: str, inst: Instance, *, price: float | None = None, reserve: float = 0.0,
          ties: str | None = None) -> Mechanism:
    """The classic mechanism ``name`` on ``inst`` (ValueError when it does not apply); ties by
    ``ties``, or the textbook rule of :func:`default_ties` (posted prices serve the agents in
    order, and Myerson's auction always splits ties evenly)."""
    env = inst.environment
    ties = ties or default_ties(env)
    if ties not in TIES:
        raise ValueError(f"ties: expected one of {', '.join(TIES)}, got {ties!r}")
    if name == "vcg":
        return vcg(env, pivot=False, ties=ties)
    if name == "clarke":
        return vcg(env, pivot=True, ties=ties)
    if name == "agv":
        return agv(env, ties)
    if name == "second_price":
        return second_price(env, reserve, ties)
    if name == "posted_price":
        if price is None:
            raise ValueError("posted_price needs a price")
        return posted_price(env, price)
    if name == "myerson":
        return myerson(inst)
    raise ValueError(f"unknown mechanism {name!r}; expected one of {', '.join(MECHANISMS)}")


PROPERTIES = {
    "dsic": Design(ic="dsic", ir="none"),
    "bic": Design(ic="bic", ir="none"),
    "expost_ir": Design(ic="none", ir="expost"),
    "interim_ir": Design(ic="none", ir="interim"),
    "expost_budget": Design(ic="none", ir="none", budget="expost"),
    "expost_weak_budget": Design(ic="none", ir="none", budget="expost_weak"),
    "exante_budget": Design(ic="none", ir="none", budget="exante"),
    # the same balances once the designer's own value of the outcome (a project's cost) is counted
    "expost_budget_with_designer": Design(ic="none", ir="none", budget="expost", budget_designer=True),
    "expost_weak_budget_with_designer": Design(ic="none", ir="none", budget="expost_weak", budget_designer=True),
    "exante_budget_with_designer": Design(ic="none", ir="none", budget="exante", budget_designer=True),
    "exante_weak_budget_with_designer": Design(ic="none", ir="none", budget="exante_weak", budget_designer=True),
}


def properties(env: Environment, mech: Mechanism, tolerance: float = 1e-7) -> dict[str, Check]:
    """Which of DSIC, BIC, IR and budget balance ``mech`` satisfies, each with its worst case.
    Budget balance is reported twice: payments alone (Σ_i t_i), and with the designer's own
    value of the outcome counted (Σ_i t_i + d(x): a public project's cost is paid out of it)."""
    out = {}
    for name, design in PROPERTIES.items():
        cert = verify(env, design, mech, tolerance)
        key = name.removesuffix("_with_designer")
        out[name] = cert.checks[key]
    return out
