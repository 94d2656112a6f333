"""Reading instance files: YAML or JSON text into plain Python data, and nothing else.

YAML is read with a safe loader that only knows YAML 1.2 booleans (``true``/``false``), so
``outcomes: [no, yes]`` are the strings one meant, and only plain data — no tags, so no input
can construct Python objects; a key given twice is an error; sizes, nesting and alias expansion
are bounded before anything else sees the data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from amd.errors import InstanceError, short_repr
from amd.files import read_text


class _SafeLoader(yaml.SafeLoader):
    """Safe loader for plain data: YAML 1.2 booleans (only true/false, never yes/no/on/off),
    scalars, lists and mappings — no sets, dates or binary (``!!set`` would make label order
    depend on the hash seed) — and a key given twice is an error, not "the last one wins"."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, "a key must be a plain value",
                                                        key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {short_repr(key)}",
                                                        key_node.start_mark)
            seen[key] = True
        return super().construct_mapping(node, deep=deep)


_PLAIN_TAGS = {"tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "str", "seq", "map")}
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in _PLAIN_TAGS and tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_SafeLoader.yaml_constructors = {tag: c for tag, c in yaml.SafeLoader.yaml_constructors.items()
                                 if tag in _PLAIN_TAGS}


def _refuse_tag(loader, node):
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag {node.tag!r} is not allowed: write plain numbers, strings, lists and mappings",
        node.start_mark)


_SafeLoader.add_constructor(None, _refuse_tag)

#: the largest instance file read, the deepest nesting and the most values it may hold once YAML
#: aliases are expanded (a "billion laughs" file is a few hundred bytes)
MAX_FILE_BYTES = 64 * 2**20
MAX_DEPTH = 100
MAX_NODES = 20_000_000


def _check_shape(data, file: str) -> None:
    """Refuse documents nested deeper than MAX_DEPTH, holding more than MAX_NODES values once
    aliases are expanded, or referring to themselves; counted without expanding anything."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order walk: (node, depth, children-done?)
    stack = [(data, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if not isinstance(node, (list, dict)):
            continue
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else node
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[key] > MAX_NODES:
                raise InstanceError(file, None, f"holds more than {MAX_NODES:,} values once YAML aliases are "
                                                "expanded; write the instance out, or use a family")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise InstanceError(file, None, "a YAML alias refers to a node that contains it")
        if depth > MAX_DEPTH:
            raise InstanceError(file, None, f"nested more than {MAX_DEPTH} levels deep")
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children)


def read_document(path: str | Path) -> dict:
    """Read a YAML or JSON file into plain Python data; errors name the file."""
    p = Path(path)
    text = read_text(p, MAX_FILE_BYTES, str(p), None)
    return parse_text(text, str(p), json_text=p.suffix.lower() == ".json")


def parse_text(text: str, file: str, json_text: bool = False):
    """YAML (or JSON) text into plain data, every failure an :class:`InstanceError`."""
    try:
        if json_text:
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_SafeLoader)
    except json.JSONDecodeError as e:
        raise InstanceError(file, f"line {e.lineno}", f"invalid JSON: {e.msg}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InstanceError(file, where, f"invalid {'JSON' if json_text else 'YAML'}: {problem}") from None
    except RecursionError:
        raise InstanceError(file, None, f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # Python reads no integer of more than 4,300 digits
        raise InstanceError(file, None, "holds an integer with more than 4,300 digits") from None
    _check_shape(data, file)
    if not isinstance(data, dict):
        raise InstanceError(file, None, "expected a mapping with 'format: amd/1' at the top")
    return data


#: the endings of instance files that a folder is searched for
SUFFIXES = (".yaml", ".yml", ".json")


def discover(paths: list[str | Path]) -> list[Path]:
    """Instance files under ``paths`` (files as given, folders searched), sorted, once each."""
    found: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found.update(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file())
        elif p.exists():
            found.add(p)
        else:
            raise InstanceError(str(p), None, "no such file or folder")
    return sorted(found)
