"""Human-readable output: rich tables of a mechanism and its certificate. No computation."""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from amd.information import posteriors, profile_labels, signals
from amd.mechanism import Mechanism
from amd.result import Result
from amd.verifier import Certificate


def number(v: float) -> str:
    return f"{v:.6g}" if abs(v) >= 1e-12 else "0"


def _profile(d: dict) -> str:
    return ", ".join(f"{a}={t}" for a, t in d.items())


def explain(name: str, worst: dict | None) -> str:
    """One sentence for the worst violation of a constraint family."""
    if not worst:
        return ""
    w = worst
    net = name.endswith("_with_designer")
    name = name.removesuffix("_with_designer")
    if name == "dsic":
        others = f" when {_profile(w['others'])}" if w["others"] else ""
        return f"{w['agent']} of type {w['type']} gains {number(w['gain'])} by reporting {w['report']}{others}"
    if name == "bic":
        return (f"{w['agent']} of type {w['type']} gains {number(w['expected_gain'])} in expectation "
                f"by reporting {w['report']}")
    if name == "expost_ir":
        others = f" when {_profile(w['others'])}" if w["others"] else ""
        return f"{w['agent']} of type {w['type']} gets utility {number(w['utility'])}{others}"
    if name == "interim_ir":
        return f"{w['agent']} of type {w['type']} expects utility {number(w['expected_utility'])}"
    if name == "exante_ir":
        return f"{w['agent']} expects utility {number(w['expected_utility'])}"
    if name.endswith("_budget"):
        keeps = "the designer's payments plus own value come to" if net else "the designer keeps"
        if "profile" in w:
            return f"at {_profile(w['profile'])} {keeps} {number(w['surplus'])}"
        return f"{keeps} {number(w['expected_surplus'])} in expectation"
    if name == "feasibility":
        if "total_probability" in w:
            return f"at {_profile(w['profile'])} the outcome probabilities sum to {number(w['total_probability'])}"
        return f"at {_profile(w['profile'])} outcome {w['outcome']} has probability {number(w['probability'])}"
    if name == "deterministic":
        return f"at {_profile(w['profile'])} outcome {w['outcome']} has probability {number(w['probability'])}"
    if name == "obedience" and "information_set" in w:
        return (f"{w['player']} at {w['information_set']} told {w['recommended']} (own past moves: "
                f"{w['own_past_moves']}; beliefs {w['beliefs']}) gains {number(w['gain'])} (in total) "
                f"by another continuation")
    if name == "probability_flow":
        return f"the recommendations at {w['designer_history']} do not add up to the mass that reaches it"
    if name == "obedience":
        return (f"{w['player']} told to play {w['recommended']} gains {number(w['gain'])} (in total) "
                f"by playing {w['deviation']}")
    if name == "consistency":
        return f"state {w['state']} has probability {number(w['probability'])}, its prior is {number(w['prior'])}"
    if name == "border":
        members = "; ".join(f"{a}: {', '.join(map(str, ts))}" for a, ts in w["set"].items() if ts)
        return (f"types {{{members}}} win more often than one of them is present "
                f"(at most {number(w['rhs'])})")
    if name == "interim_range":
        return f"a probability of winning lies outside [0, 1] by {number(w['by'])}"
    if name == "ex_post_lottery":
        return f"the {w['hierarchies']} hierarchies miss the interim rule at entry {w['entry']}"
    if name in ("payment_bounds", "no_payments"):
        return f"{w['agent']} pays {number(w['payment'])} at {_profile(w['profile'])}"
    return str(w)


def mechanism_table(mech: Mechanism, prior: np.ndarray | None = None, max_rows: int = 40) -> tuple[Table, int]:
    """Allocation and payments per type profile; returns the table and how many rows were left out."""
    table = Table(show_edge=False, header_style="bold")
    for a in mech.agents:
        table.add_column(escape(a))
    if prior is not None:
        table.add_column("p(θ)", justify="right")
    table.add_column("allocation x(o|θ)")
    for a in mech.agents:
        table.add_column(escape(f"t[{a}]"), justify="right")
    shown = 0
    total = int(np.prod([len(t) for t in mech.types]))
    for idx, labels in mech.profiles():
        if shown == max_rows:
            break
        x = mech.allocation[idx]
        alloc = ", ".join(f"{o}: {number(p)}" if abs(p - 1) > 1e-12 else o
                          for o, p in zip(mech.outcomes, x) if abs(p) > 1e-12)
        cells = [escape(label) for label in labels]
        if prior is not None:
            cells.append(number(float(prior[idx])))
        cells.append(escape(alloc))
        cells += [number(float(mech.payments[(i,) + idx])) for i in range(len(mech.agents))]
        table.add_row(*cells)
        shown += 1
    return table, total - shown


def certificate_table(cert: Certificate) -> Table:
    table = Table(show_edge=False, header_style="bold")
    table.add_column("constraint")
    table.add_column("holds")
    table.add_column("max violation", justify="right")
    table.add_column("worst case")
    for name, c in cert.checks.items():
        mark = "[green]yes[/]" if c.holds else "[red]NO[/]"
        # within tolerance the "worst case" is rounding noise: name it only when it fails
        table.add_row(name, mark, f"{c.max_violation:.2e}", "" if c.holds else escape(explain(name, c.worst)))
    return table


#: past this many action profiles the outcome is printed one row per profile played
WIDE = 8


def outcome_tables(game, pi: np.ndarray, max_rows: int = 40) -> list[Table]:
    """π(θ, a) (states × action profiles), the signal π(a | θ) and the posteriors P(θ | a); with
    more than :data:`WIDE` profiles, one row per profile played instead (most likely first)."""
    labels = profile_labels(game)
    flat = pi.reshape(pi.shape[0], -1)
    used = flat.sum(axis=0) > 1e-12
    if flat.shape[1] > WIDE:
        return [_outcome_long(game, flat, signals(game, pi).reshape(flat.shape),
                              posteriors(game, pi).reshape(flat.shape), labels, used, max_rows)]
    tables = []
    for title, arr in (("outcome π(θ, a)", flat), ("signal π(a | θ)", signals(game, pi).reshape(flat.shape))):
        t = Table(title=title, show_edge=False, header_style="bold", title_justify="left")
        t.add_column("state")
        for lab in labels:
            t.add_column(escape(lab), justify="right")
        for s, row in zip(game.states, arr):
            t.add_row(escape(s), *[number(float(v)) for v in row])
        tables.append(t)
    post = posteriors(game, pi).reshape(flat.shape)
    t = Table(title="posterior P(θ | a) of each recommendation", show_edge=False, header_style="bold",
              title_justify="left")
    t.add_column("recommended")
    t.add_column("P(a)", justify="right")
    for s in game.states:
        t.add_column(escape(s), justify="right")
    for j in np.flatnonzero(used):
        t.add_row(escape(labels[j]), number(float(flat[:, j].sum())), *[number(float(v)) for v in post[:, j]])
    tables.append(t)
    return tables


def _outcome_long(game, flat, sig, post, labels, used, max_rows: int) -> Table:
    t = Table(title=f"outcome: the {int(used.sum())} action profiles played, of {flat.shape[1]}", show_edge=False,
              header_style="bold", title_justify="left")
    t.add_column("recommended (" + escape(",".join(game.players)) + ")")
    t.add_column("P(a)", justify="right")
    many = len(game.states) > 1
    for s in game.states:
        t.add_column(escape(f"π({s}, a)") if many else "π(a)", justify="right")
    if many:
        for s in game.states:
            t.add_column(escape(f"P({s} | a)"), justify="right")
    total = flat.sum(axis=0)
    order = [j for j in np.argsort(-total, kind="stable") if used[j]]
    return fill(t, ((escape(labels[j]), number(float(total[j])), *[number(float(v)) for v in flat[:, j]],
                     *([number(float(v)) for v in post[:, j]] if many else [])) for j in order),
                max_rows, "profiles")


def tree_outcome_table(tree, pi: np.ndarray, max_rows: int = 40) -> Table:
    """π(θ, z) for a game tree: one row per leaf reached (its path of actions), one column per
    state, the leaf's total and the posterior of the states given that play."""
    t = Table(title="outcome π(θ, leaf)", show_edge=False, header_style="bold", title_justify="left")
    t.add_column("play")
    for s in tree.states:
        t.add_column(escape(s), justify="right")
    t.add_column("total", justify="right")
    if len(tree.states) > 1:
        for s in tree.states:
            t.add_column(f"P({escape(s)} | play)", justify="right")
    total = pi.sum(axis=0)
    shown = 0
    for z in np.argsort(-total, kind="stable"):
        if total[z] <= 1e-12 or shown == max_rows:
            continue
        shown += 1
        post = [number(float(v / total[z])) for v in pi[:, z]] if len(tree.states) > 1 else []
        t.add_row(escape(tree.leaves[z]), *[number(float(v)) for v in pi[:, z]], number(float(total[z])), *post)
    left = int((total > 1e-12).sum()) - shown
    if left > 0:
        t.caption = f"… {left} more leaves (--rows N shows more; --json gives all)"
    return t


def fill(table: Table, rows, max_rows: int, what: str = "rows") -> Table:
    """Add ``rows`` (each a sequence of cells) up to ``max_rows``; a caption counts the rest."""
    total = 0
    for cells in rows:
        if total < max_rows:
            table.add_row(*cells)
        total += 1
    if total > max_rows:
        table.caption = f"… {total - max_rows} more {what} (--rows N shows more; --json gives all)"
    return table


def interim_view_table(view: dict, max_rows: int = 40) -> Table:
    """The interim rule of a BIC mechanism: per agent and type, expected value, payment, utility."""
    t = Table(title="interim view (own beliefs)", title_justify="left", show_edge=False, header_style="bold")
    for col in ("agent", "type", "E[value]", "E[payment]", "E[utility]"):
        t.add_column(escape(col), justify="left" if col in ("agent", "type") else "right")
    return fill(t, ((escape(agent), escape(typ), number(v), number(p), number(u))
                    for agent, row in view.items()
                    for typ, v, p, u in zip(row["types"], row["expected_value"], row["expected_payment"],
                                            row["expected_utility"])), max_rows)


def interim_table(form: dict, max_rows: int = 40) -> Table:
    """The interim rule per bidder (alike bidders once) and how the lottery implements it."""
    t = Table(title=f"interim reduced form: {len(form['ex_post']['lottery'])} hierarch"
                    f"{'y' if len(form['ex_post']['lottery']) == 1 else 'ies'} in the ex-post lottery, "
                    f"{form['border_rows']} Border rows in {form['rounds']} rounds", title_justify="left")
    for col in ("bidder", "type", "value", "P(win)", "payment"):
        t.add_column(col, justify="left" if col in ("bidder", "type") else "right")
    def rows():
        seen = set()
        for name, row in form["interim"].items():
            key = (tuple(row["values"]), tuple(row["win_probability"]), tuple(row["payment"]))
            if key in seen:
                continue
            seen.add(key)
            alike = [a for a, r in form["interim"].items()
                     if (tuple(r["values"]), tuple(r["win_probability"]), tuple(r["payment"])) == key]
            label = name if len(alike) == 1 else f"{alike[0]}…{alike[-1]} ({len(alike)})"
            for typ, v, q, p in zip(row["types"], row["values"], row["win_probability"], row["payment"]):
                yield escape(label), escape(typ), number(v), number(q), number(p)

    return fill(t, rows(), max_rows)


def print_result(result: Result, inst, console: Console, max_rows: int, concept) -> None:
    """The human-readable answer: a header, what ``concept`` (the solution concept that produced
    ``result``) has to show, the certificate, the concept's footnote and the timings."""
    colour = {"optimal": "green", "infeasible": "yellow", "unbounded": "yellow"}.get(result.status, "red")
    head = f"[bold]{escape(result.instance)}[/]: [{colour}]{result.status}[/]"
    if result.objective is not None:
        head += f"   objective = [bold]{result.objective:.10g}[/]"
        if result.objective_exact is not None:
            head += f" = [bold]{result.objective_exact}[/] (exact)"
    if result.gap is not None:
        head += f"   gap = {result.gap:.2e}"
    console.print(head)
    if result.message and result.message.lower() != result.status:
        console.print(f"  {escape(result.message)}")
    concept.report(result, inst, console, max_rows)
    cert = result.certificate
    if cert is not None and cert.infeasibility is not None:
        console.print(f"  why: {escape(cert.infeasibility['words'])}")
    elif cert is not None:
        console.print(certificate_table(cert))
        if cert.exact is not None and not cert.exact["proven"]:
            console.print(f"  exact: not proven — {escape(cert.exact['reason'])}", style="yellow")
    note = concept.footnote(result)
    if note:
        console.print(note, style="dim")
    t = result.timing
    console.print("  " + "   ".join(f"{k.removesuffix('_s')} {v:.3f}s" for k, v in t.items()), style="dim")
