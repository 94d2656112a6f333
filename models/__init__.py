"""Optimization formulations (installed as ``amd.models``).

One module per formulation, each exposing ``build(env, design)``; they know Pyomo and the
Environment, nothing about files, command lines or printing.
"""
