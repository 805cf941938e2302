"""YAML anchors and aliases that would expand without end, refused before anything walks them.

An alias (`*a`) shares the node of its anchor (`&a`): a file of a few hundred bytes can stand
for billions of values ("billion laughs"), or for a value that contains itself, and nesting
deep enough exhausts Python's recursion in PyYAML's constructor. `alias_problem` measures the
tree once, each shared node counted per use but computed once, and names the anchor's line.

Imports only PyYAML and generator.errors: yamlguard and yamlsource call it while reading a file.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, SequenceNode

from generator.errors import Problem

# Values an alias may stand for in one file: a topic file has about 2,000, and a walk of this
# many takes well under a second.
MAX_NODES = 100_000
# Levels of nesting: a topic file has about 6; deeper would exhaust Python's recursion later.
MAX_DEPTH = 50


class _RefusedError(Exception):
    """A node whose expansion is refused, and why."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


def alias_problem(label: str, root: Node) -> Problem | None:
    """A value that contains itself, or that aliases expand past MAX_NODES, at its anchor."""
    sizes: dict[int, int] = {}
    try:
        _size(root, sizes, set(), 0)
        if sizes[id(root)] > MAX_NODES:
            _size_blame(root, sizes)
    except _RefusedError as refused:
        return Problem(label, refused.node.start_mark.line + 1, "", refused.message)
    return None


def children(node: Node) -> list[Node]:
    """The values directly below `node`: a list's items, a mapping's keys and values."""
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _size(node: Node, sizes: dict[int, int], open_: set[int], depth: int) -> int:
    """Values `node` stands for once every alias is expanded (each shared node counted once
    per use, computed once)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise _RefusedError(
            node, "YAML 锚点（&）里用别名（*）引用了它自己，内容会无限展开：请删除这个别名"
        )
    if depth > MAX_DEPTH:
        raise _RefusedError(node, f"嵌套超过 {MAX_DEPTH} 层：请检查缩进和括号是否成对")
    open_.add(key)
    sizes[key] = 1 + sum(_size(child, sizes, open_, depth + 1) for child in children(node))
    open_.discard(key)
    return sizes[key]


def _size_blame(root: Node, sizes: dict[int, int]) -> None:
    """Raise at the smallest value that alone is too large: where the nesting starts."""
    node = root
    while True:
        bigger = next((c for c in children(node) if sizes[id(c)] > MAX_NODES), None)
        if bigger is None:
            raise _RefusedError(
                node,
                f"YAML 锚点和别名（& 与 *）层层引用，展开后超过 {MAX_NODES} 项："
                "请直接写出内容，不要嵌套引用",
            )
        node = bigger
