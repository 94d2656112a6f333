"""Optimization formulations (installed as ``amd.models``).

One module per formulation, each exposing ``build(env, design)``; they know Pyomo and the
Environment, nothing about files, command lines or printing.

Importing this package first also stops Pyomo from importing all of ``scipy.stats`` (half a
second, a third of ``amd solve``'s start-up) the first time anything uses SciPy: Pyomo does that
for its own convenience in a callback of its deferred ``scipy`` import, and amd — like Pyomo's
standard-form compiler — needs ``scipy.sparse`` only.
"""

from pyomo.common import dependencies as _dependencies

for _indicator in (_dependencies.scipy_available,
                   *_dependencies.DeferredImportCallbackFinder._callbacks.get("scipy", ())):
    if getattr(_indicator, "_module", True) is None:  # not yet resolved: drop the callback
        _indicator._callback = None
