"""Results as tables for notebooks: ``to_frame()`` (pandas), ``to_xarray()`` and the compact HTML
a notebook shows for a :class:`~amd.result.Result`, a :class:`~amd.mechanism.Mechanism` or a
:class:`~amd.certificate.Certificate` (``_repr_html_``).

One row per what the result is about, the probability always a column:

* a mechanism: per type profile, the types, ``p(θ)``, x(o|θ) per outcome, t_i(θ) per agent;
* an information outcome: per (state, action profile) with positive mass, the state, each
  player's action, ``π(θ,a)`` and the signal ``π(a|θ)``;
* a game tree's outcome: per (state, leaf) reached, ``π(θ,z)``;
* a limited-commitment plan: per node, its period, probability, belief and per type the trade
  probability and payment.

pandas and xarray are extras (``pip install 'amd[frame]'``); the HTML needs neither.
"""

from __future__ import annotations

import html
import itertools

import numpy as np

#: rows an HTML table shows before it says how many more there are
HTML_ROWS = 20


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_frame() needs pandas: pip install 'amd[frame]'") from None
    return pd


def mechanism_records(mech, prior=None) -> list[dict]:
    """Per type profile: the types, ``p(θ)`` (when ``prior``, shaped like the profiles, is
    given), x(o|θ) per outcome and t_i(θ) per agent, solver dust shown as 0."""
    from amd.mechanism import clean

    x, t = clean(mech.allocation), clean(mech.payments)
    with_prior = prior is not None and getattr(prior, "shape", None) == x.shape[:-1]
    out = []
    for idx, labels in mech.profiles():
        row = dict(zip(mech.agents, labels))
        if with_prior:
            row["p(θ)"] = float(prior[idx])
        row.update({f"x[{o}]": float(x[idx + (k,)]) for k, o in enumerate(mech.outcomes)})
        row.update({f"t[{a}]": float(t[(i,) + idx]) for i, a in enumerate(mech.agents)})
        out.append(row)
    return out


def records(result, environment) -> list[dict]:
    """The rows of :func:`frame` as plain dicts (no pandas needed)."""
    if result.mechanism is not None:
        return mechanism_records(result.mechanism, getattr(environment, "prior", None))
    plan = getattr(result.details, "plan", None)
    if result.kind == "dynamic" and plan:
        out = []
        for node in plan:
            row = {"node": node["id"], "period": node["period"], "probability": node["probability"],
                   "belief": node["belief"], "price": node.get("price")}
            for t, m in node["mechanism"].items():
                row[f"trade[{t}]"] = m["trade"]
                row[f"payment[{t}]"] = m["payment"]
            out.append(row)
        return out
    pi = result.outcome
    if pi is None or environment is None:
        return []
    if hasattr(environment, "leaves"):  # a game tree: (state, leaf)
        return [{"state": environment.states[s], "leaf": environment.leaves[z], "π(θ,z)": float(pi[s, z])}
                for s, z in itertools.product(range(pi.shape[0]), range(pi.shape[1])) if pi[s, z] > 1e-12]
    game = environment
    prior = np.asarray(game.prior, float)
    out = []
    for idx in zip(*np.nonzero(pi > 1e-12)):
        row = {"state": game.states[idx[0]]}
        row.update({p: game.actions[i][idx[1 + i]] for i, p in enumerate(game.players)})
        row["π(θ,a)"] = float(pi[idx])
        row["π(a|θ)"] = float(pi[idx] / prior[idx[0]]) if prior[idx[0]] > 0 else 0.0
        out.append(row)
    return out


def frame(result, environment):
    """:func:`records` as a pandas DataFrame."""
    return _pandas().DataFrame(records(result, environment))


def xarray(result, environment):
    """The result's arrays with named dimensions: a mechanism as a Dataset (``allocation`` over
    the agents' types and the outcome, ``payments`` over the agent and the types, ``prior``); an
    information outcome as a DataArray π over the state and each player's action."""
    try:
        import xarray as xr
    except ImportError:
        raise ImportError("to_xarray() needs xarray: pip install 'amd[frame]'") from None
    if result.mechanism is not None:
        mech = result.mechanism
        dims = list(mech.agents)
        coords = {a: list(t) for a, t in zip(mech.agents, mech.types)} | {"outcome": list(mech.outcomes),
                                                                          "agent": list(mech.agents)}
        data = {"allocation": (dims + ["outcome"], mech.allocation),
                "payments": (["agent"] + dims, mech.payments)}
        prior = getattr(environment, "prior", None)
        if prior is not None and getattr(prior, "shape", None) == mech.allocation.shape[:-1]:
            data["prior"] = (dims, np.asarray(prior, float))
        return xr.Dataset(data, coords=coords)
    if result.outcome is not None and environment is not None and hasattr(environment, "actions"):
        g = environment
        coords = {"state": list(g.states)} | {p: list(a) for p, a in zip(g.players, g.actions)}
        return xr.DataArray(result.outcome, dims=["state", *g.players], coords=coords, name="π")
    raise ValueError(f"no array to give for a {result.kind} result")


def html_table(rows: list[dict], limit: int = HTML_ROWS) -> str:
    """A plain HTML table of ``rows`` (at most ``limit``, then a line saying how many more)."""
    if not rows:
        return ""
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for r in rows[:limit]:
        cells = "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in columns)
        body.append(f"<tr>{cells}</tr>")
    more = f"<p>… {len(rows) - limit} more rows (to_frame() has them all)</p>" if len(rows) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def _cell(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        return "[" + ", ".join(_cell(x) for x in v) + "]"
    return "" if v is None else str(v)


def certificate_html(cert) -> str:
    if cert is None:
        return ""
    rows = [{"constraint": k, "holds": "yes" if c.holds else "NO", "max violation": f"{c.max_violation:.2e}",
             "worst case": "" if not c.worst else ", ".join(f"{a}={_cell(b)}" for a, b in c.worst.items())}
            for k, c in cert.checks.items()]
    verdict = "verified" if cert.verified else "NOT verified"
    exact = ""
    if cert.exact is not None:
        exact = (f"<p>exact: proven, {html.escape(str(cert.exact['objective']))}</p>" if cert.exact["proven"]
                 else f"<p>exact: not proven — {html.escape(cert.exact['reason'])}</p>")
    return f"<p>certificate: <b>{verdict}</b> (tolerance {cert.tolerance:.1e})</p>{html_table(rows, 50)}{exact}"


def result_html(result, environment) -> str:
    head = f"<p><b>{html.escape(result.instance)}</b>: {html.escape(result.status)}"
    if result.objective is not None:
        head += f", objective <b>{result.objective:.10g}</b>"
        if result.objective_exact is not None:
            head += f" = <b>{html.escape(result.objective_exact)}</b> (exact)"
    head += "</p>"
    return head + html_table(records(result, environment)) + certificate_html(result.certificate)
