"""amd — automated mechanism design and information design.

>>> import amd
>>> result = amd.solve("instances/auctions/myerson-2-bidders-midpoint10.yaml")  # doctest: +SKIP
>>> result.status, result.objective  # doctest: +SKIP
('optimal', 0.4525)

``amd.load(path)`` validates an instance file (SPEC §1); ``amd.solve(instance_or_path)``
returns a :class:`Result` with ``.status``, ``.objective``, ``.mechanism`` (numpy arrays
with labels), ``.certificate`` (the independent verifier's report) and ``.timing``.
"""

from amd.design import Result, solve
from amd.errors import InstanceError
from amd.mechanism import Mechanism
from amd.rochet import Implementability, implementable
from amd.schema import Instance, load, parse
from amd.verify import Certificate, verify

__version__ = "0.1.0"
__all__ = [
    "Certificate", "Implementability", "Instance", "InstanceError", "Mechanism", "Result",
    "implementable", "load", "parse", "solve", "verify",
]
