#!/usr/bin/env python3
"""The house rules, checked: no import cycle between modules at any level of any crate of the
workspace, and every top-level module of the product (src/) imports only the layers below it
(docs/architecture.md). Other crates (crates/*/src, e.g. the example generator) are checked for
cycles only: the layer table is the product's.

Reads every `crate::a::b` and `super::x` path in src/**/*.rs (comments and string literals are
ignored), resolves it to a module, and for each pair of modules that refer to each other through
their nearest common parent, adds an edge between the two children of that parent. A cycle among
the children of any module, or a top-level edge the layer table does not allow, fails with the
file and line of every reference that makes it.

    python3 .ci/layers.py [SRC_DIR ...]     (default: src and every crates/*/src)
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Which top-level modules each top-level module may use. `main` and `lib` wire everything.
ALLOWED = {
    "cli": {"model", "config", "util", "exit"},
    "commands": {"cli", "fetch", "ingest", "evidence", "render", "package", "model", "config", "util", "exit"},
    "fetch": {"model", "config", "util", "exit"},
    "ingest": {"model", "config", "util", "exit"},
    "evidence": {"model", "config", "util"},
    "render": {"evidence", "model", "config", "util", "exit"},
    "package": {"config", "util", "exit"},
    "model": {"config", "util"},
    "config": {"util", "exit"},
    # Bottom layer: the exit-code error type (main reads it) and small helpers.
    "exit": set(),
    "util": set(),
}

PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP = re.compile(r"\buse\s+(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\}", re.S)


def strip(text):
    """Blanks comments and string literals, keeping line numbers."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not text[i - 1].isalnum()):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = '"' + hashes
            j = text.find(end, i + 2 + len(hashes))
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]):
            m = re.match(r"'(\\.|[^\\'])'", text[i:])
            out.append(" " * len(m.group(0)))
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def shown(path):
    """A path as the repository names it (relative to its root when inside it)."""
    path = path.resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def module_of(src, path):
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    if parts in (["lib"], ["main"]):
        return ()
    return tuple(parts)


def references(src):
    """(from module, to module path, file, line) for every crate:: and super:: path."""
    modules = {module_of(src, p) for p in src.rglob("*.rs")}
    for path in sorted(src.rglob("*.rs")):
        here = module_of(src, path)
        text = strip(path.read_text(encoding="utf-8"))
        paths = []
        for m in USE_GROUP.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            for item in re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*", m.group(3)):
                paths.append((m.group(1), m.group(2) + "::" + item, line))
        for m in PATH.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            paths.append((m.group(1), m.group(2), line))
        for root, rest, line in paths:
            segs = [s for s in rest.split("::") if s]
            if root == "crate":
                base = ()
            else:
                # `super` inside foo/mod.rs (module foo) is foo's parent; inside foo/bar.rs
                # (module foo::bar) it is foo: the parent of the file's module either way.
                base = here[:-1]
                while segs and segs[0] == "super":
                    segs.pop(0)
                    base = base[:-1]
            target = base
            for s in segs:
                if target + (s,) in modules:
                    target = target + (s,)
                else:
                    break
            yield here, target, shown(path), line


def check(src, layer_table):
    """The problems of one crate's source directory, and how many module edges it has."""
    edges = defaultdict(list)  # (parent, child_from, child_to) -> [where]
    problems = []
    for here, target, where, line in references(src):
        k = 0
        while k < min(len(here), len(target)) and here[k] == target[k]:
            k += 1
        if k == len(here) or k == len(target):
            continue  # a module using its own descendant or ancestor
        parent = here[:k]
        a, b = here[k], target[k]
        edges[(parent, a, b)].append(f"{where}:{line}")
        if layer_table and not parent and here[0] in ALLOWED and b not in ALLOWED[here[0]]:
            problems.append(f"{where}:{line}: layer rule: `{a}` may not use `{b}`")
    graphs = defaultdict(lambda: defaultdict(set))
    for (parent, a, b) in edges:
        graphs[parent][a].add(b)
    for parent, graph in sorted(graphs.items()):
        for cycle in cycles(graph):
            name = "::".join(parent) or "crate"
            chain = " -> ".join(cycle + [cycle[0]])
            refs = []
            for a, b in zip(cycle, cycle[1:] + [cycle[0]]):
                refs.append(f"    {a} -> {b}: " + ", ".join(edges[(parent, a, b)][:4]))
            problems.append(f"import cycle in {shown(src)} {name}: {chain}\n" + "\n".join(refs))
    return list(dict.fromkeys(problems)), len(edges)


def main():
    if len(sys.argv) > 1:
        dirs = [Path(a) for a in sys.argv[1:]]
    else:
        dirs = [ROOT / "src"] + sorted(ROOT.glob("crates/*/src"))
    problems = []
    for src in dirs:
        if not src.is_dir():
            sys.exit(f"layers: {src}: not a directory")
        # The layer table describes the product crate only; other crates get the cycle check.
        found, count = check(src, src.resolve() == ROOT / "src")
        problems += found
        print(f"layers: {shown(src)}: {count} module edges, {len(found)} problem(s)")
    for p in problems:
        print(p)
    if problems:
        print(f"layers: {len(problems)} problem(s)")
        sys.exit(1)
    print("layers: no import cycle, every layer rule holds")


def cycles(graph):
    """One representative cycle per strongly connected component with more than one node."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(path_in(graph, sorted(comp)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def path_in(graph, comp):
    """A simple cycle through the first node of a strongly connected component."""
    members, start = set(comp), comp[0]
    prev, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                cycle = [v]
                while prev[cycle[-1]] is not None:
                    cycle.append(prev[cycle[-1]])
                return list(reversed(cycle))
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


if __name__ == "__main__":
    main()
