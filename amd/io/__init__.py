"""Input, in one place: reading files (:mod:`~amd.io.read`), nested lists as arrays
(:mod:`~amd.io.arrays`), families (:mod:`~amd.io.families`), Gambit ``.efg`` files
(:mod:`~amd.io.efg`) and the format's schema and semantics (:mod:`~amd.io.schema`), which turn a
file into a validated :class:`~amd.io.schema.Instance`. Nothing outside checks user input again,
and nothing these modules import imports them back."""
