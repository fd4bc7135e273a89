"""focus.yaml's YAML, read strictly: what PyYAML accepts silently or expands without end is
refused with the line it is on.

- A key written twice in one mapping (at any depth) is an error naming both lines: PyYAML
  keeps the last, so a second ``slos:`` would quietly turn the SLO gate off.
- Aliases are followed only up to :data:`MAX_VALUES` values in all: an alias bomb ("billion
  laughs") is refused in milliseconds instead of being expanded by the validation for minutes.
- An alias to a node that contains it (``a: &a [*a]``), nesting too deep for the parser, and
  control characters such as NUL are errors too, never a traceback.

PyYAML is imported inside the functions: it is not a start-up import.
"""

from __future__ import annotations

from functools import cache
from typing import Any

MAX_VALUES = 100_000  # keys and values once aliases are expanded; a real focus.yaml has ~100
MERGE_TAG = "tag:yaml.org,2002:merge"


class BadYaml(Exception):
    """The YAML cannot be read: ``message`` at 1-based ``line`` (None when unknown)."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


@cache
def _strict_loader() -> type:
    """SafeLoader that refuses a key written twice in one mapping."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == MERGE_TAG:  # `<<: *base`: explicit keys may override
                        continue
                    key = self.construct_object(key_node, deep=True)
                    try:
                        first = seen.get(key)
                    except TypeError:  # unhashable: the base class reports it with its line
                        continue
                    if first is not None:
                        raise BadYaml(
                            f"duplicate key {key!r} (first at line {first})", _line(key_node)
                        )
                    seen[key] = _line(key_node)
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def _check_expansion(root: Any) -> None:
    """Count the values under ``root`` with aliases followed (each shared node counted once
    per use, computed once), refusing recursion and more than MAX_VALUES."""
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Any) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in open_nodes:
            raise BadYaml("an alias refers to a node that contains it", _line(node))
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_VALUES:
                raise BadYaml(
                    f"over {MAX_VALUES} values once its aliases are expanded (an alias bomb?)",
                    _line(child),
                )
        open_nodes.discard(id(node))
        sizes[id(node)] = total
        return total

    size(root)


def load_yaml(text: str) -> tuple[Any, Any]:
    """The data of one YAML document and its composed node (None for an empty document)."""
    import yaml

    try:
        loader = _strict_loader()(text)  # the reader checks the characters here
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        raise BadYaml(
            f"invalid YAML: control character U+{code:04X} is not allowed", line
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node)
        return loader.construct_document(node), node
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise BadYaml(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    except RecursionError:
        raise BadYaml("invalid YAML: nested too deeply", None) from None
    finally:
        loader.dispose()


def line_map(node: Any, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    """Record the 1-based line of every key and list item under a composed YAML node."""
    import yaml

    lines.setdefault(path, _line(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):  # a complex key: no path to name
                continue
            lines[(*path, key.value)] = _line(key)
            line_map(value, (*path, key.value), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            line_map(item, (*path, index), lines)
