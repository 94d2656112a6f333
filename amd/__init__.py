"""amd — automated mechanism design and information design.

>>> import amd
>>> result = amd.solve("instances/auctions/myerson-2-bidders-midpoint10.yaml")  # doctest: +SKIP
>>> result.status, result.objective  # doctest: +SKIP
('optimal', 0.4525)

``amd.load(path)`` validates an instance file (SPEC §1); ``amd.solve(instance_or_path)``
returns a :class:`Result` with ``.status``, ``.objective``, ``.mechanism`` (numpy arrays
with labels), ``.certificate`` (the independent verifier's report) and ``.timing``.

The public names are imported on first use, so that ``amd --version`` and ``import amd``
cost no Pyomo, networkx or SciPy import.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

__version__ = "0.1.0"

# In a source checkout the formulations stand at the top level as models/ (the project card
# fixes the layout) and are installed as amd.models; make `import amd` from the repository
# root find them there too.
_here = Path(__file__).resolve().parent
if not (_here / "models").is_dir() and (_here.parent / "models" / "__init__.py").is_file():
    _spec = importlib.util.spec_from_file_location(
        f"{__name__}.models", _here.parent / "models" / "__init__.py",
        submodule_search_locations=[str(_here.parent / "models")])
    _spec.loader = importlib.util.LazyLoader(_spec.loader)  # runs when first used, not at `import amd`
    _models = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _models
    _spec.loader.exec_module(_models)
    models = _models

_PUBLIC = {  # name: (module, attribute)
    "Result": ("amd.design", "Result"), "solve": ("amd.design", "solve"),
    "InstanceError": ("amd.errors", "InstanceError"),
    "Mechanism": ("amd.mechanism", "Mechanism"),
    "Implementability": ("amd.rochet", "Implementability"), "implementable": ("amd.rochet", "implementable"),
    "Instance": ("amd.io.schema", "Instance"), "load": ("amd.io.schema", "load"), "parse": ("amd.io.schema", "parse"),
    "Certificate": ("amd.certificate", "Certificate"), "verify": ("amd.design", "verify"),
    "build": ("amd.modeling", "build"),
    # the classic mechanisms (amd.classic), as amd.vcg(env), amd.myerson(inst), …
    "vcg": ("amd.classic", "vcg"), "agv": ("amd.classic", "agv"), "second_price": ("amd.classic", "second_price"),
    "posted_price": ("amd.classic", "posted_price"), "myerson": ("amd.classic", "myerson"),
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        module, attribute = _PUBLIC[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'amd' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
