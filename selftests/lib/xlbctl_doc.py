#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xlbctl(8) as the tests read it: the JSON document of each command
(section JSON OUTPUT) and the command lines of EXAMPLES, so that a test
can hold xlbctl's real output to what the page promises.

  xlbctl_doc.py titles MAN            the JSON OUTPUT subsections, one a line
  xlbctl_doc.py check MAN TITLE       the JSON document on stdin against
                                      subsection TITLE; exit 1 with one line
                                      per disagreement
  xlbctl_doc.py examples MAN          the EXAMPLES lines that run xlbctl

The page gives each document as lines `PATH TYPE text` (see its JSON
OUTPUT section): PATH from the document's top (a.b, a[], [], *, a final ?
for a key only some objects have, "(document)" for the whole), TYPE one of
string number bool null object array joined by |, or object<TITLE> /
array<TITLE> for another subsection's object or array of objects. A
document agrees when every key it has is documented with its type, every
documented key without ? is there, and every value has a documented type.
Parsing is Python's json (numbers in strings, or bare words, are caught).
"""
import json
import re
import sys

TYPES = {"string", "number", "bool", "null", "object", "array"}
REF = re.compile(r"^(object|array)<([^>]+)>$")
ROW = re.compile(r"^(\S+)\s+((?:object|array)<[^>]*>|\S+)")


def roff_text(line):
    return line.replace("\\-", "-").replace("\\e", "\\").replace("\\(em", "-")


def section(lines, name):
    """The lines of `.SH NAME` up to the next .SH."""
    out, inside = [], False
    for line in lines:
        if line.startswith(".SH "):
            inside = line[4:].strip().strip('"') == name
            continue
        if inside:
            out.append(line)
    return out


def nf_blocks(lines):
    """Lines inside .nf/.fi, by the .SS subsection they are in."""
    title, nf, out = None, False, {}
    for line in lines:
        if line.startswith(".SS "):
            title = line[4:].strip().strip('"')
            out.setdefault(title, [])
        elif line.startswith(".nf"):
            nf = True
        elif line.startswith(".fi"):
            nf = False
        elif nf:
            out.setdefault(title, []).append(roff_text(line))
    return out


class Node:
    def __init__(self):
        self.types = None       # set of type names, or None: not said
        self.ref = None         # ("object"|"array", TITLE)
        self.optional = False
        self.children = {}
        self.elem = None        # element of an array
        self.wildcard = None    # any key


def schemas(man):
    with open(man) as f:
        lines = f.read().split("\n")
    out = {}
    for title, rows in nf_blocks(section(lines, "JSON OUTPUT")).items():
        root = Node()
        for row in rows:
            if not row.strip() or row[0].isspace():
                continue    # a description's continuation
            m = ROW.match(row)
            if not m:
                raise SystemExit("%s: %r: no TYPE" % (title, row))
            path, typ = m.group(1), m.group(2)
            node = root
            if path != "(document)":
                optional = path.endswith("?")
                path = path.rstrip("?")
                for part in re.findall(r"\[\]|[^.\[\]]+", path):
                    if part == "[]":
                        if node.elem is None:
                            node.elem = Node()
                        node = node.elem
                    elif part == "*":
                        if node.wildcard is None:
                            node.wildcard = Node()
                        node = node.wildcard
                    else:
                        node = node.children.setdefault(part, Node())
                node.optional = optional
            m = REF.match(typ)
            if m:
                node.ref = (m.group(1), m.group(2))
                node.types = {m.group(1)}
            else:
                node.types = set(typ.split("|"))
                bad = node.types - TYPES
                if bad:
                    raise SystemExit("%s: %r: unknown type %s" % (title, row, bad))
        out[title] = root
    return out


def type_of(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def resolve(node, all_schemas):
    """A node with its object<...>/array<...> reference filled in."""
    if not node.ref:
        return node
    kind, title = node.ref
    target = all_schemas.get(title)
    if target is None:
        raise SystemExit("reference to an unknown subsection %r" % title)
    target = resolve(target, all_schemas)
    merged = Node()
    merged.optional = node.optional
    if kind == "array":
        merged.types = set(node.types)
        merged.elem = target.elem if target.elem is not None else target
        return merged
    src = target.elem if target.elem is not None else target
    merged.types = {"object"} | (node.types - {"object"}) if node.types else {"object"}
    merged.children = dict(src.children)
    merged.children.update(node.children)
    merged.wildcard = node.wildcard or src.wildcard
    return merged


def check(value, node, path, all_schemas, errors):
    node = resolve(node, all_schemas)
    t = type_of(value)
    types = node.types
    if types is None:
        types = ({"array"} if node.elem is not None else
                 {"object"} if node.children or node.wildcard else None)
    if types is not None and t not in types:
        errors.append("%s: %s, documented %s: %s" % (path or "(document)", t,
                                                     "|".join(sorted(types)),
                                                     json.dumps(value)[:80]))
        return
    if t == "object":
        for k, v in value.items():
            child = node.children.get(k) or node.wildcard
            if child is None:
                errors.append("%s.%s: not documented" % (path, k))
                continue
            check(v, child, "%s.%s" % (path, k), all_schemas, errors)
        for k, child in node.children.items():
            if not child.optional and k not in value:
                errors.append("%s.%s: documented, missing" % (path, k))
    elif t == "array" and node.elem is not None:
        for i, v in enumerate(value):
            check(v, node.elem, "%s[%d]" % (path, i), all_schemas, errors)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    cmd, man = sys.argv[1], sys.argv[2]
    if cmd == "titles":
        for t in schemas(man):
            print(t)
    elif cmd == "check":
        all_schemas = schemas(man)
        title = sys.argv[3]
        if title not in all_schemas:
            print("xlbctl(8) documents no JSON for %r" % title)
            sys.exit(1)
        text = sys.stdin.read()
        try:
            doc = json.loads(text)
        except ValueError as e:
            print("%s: not JSON (%s): %s" % (title, e, text[:200]))
            sys.exit(1)
        errors = []
        check(doc, all_schemas[title], "", all_schemas, errors)
        for e in errors:
            print("%s: %s" % (title, e))
        sys.exit(1 if errors else 0)
    elif cmd == "examples":
        with open(man) as f:
            lines = f.read().split("\n")
        nf = False
        for line in section(lines, "EXAMPLES"):
            if line.startswith(".nf"):
                nf = True
            elif line.startswith(".fi"):
                nf = False
            elif nf and roff_text(line).startswith("xlbctl "):
                print(roff_text(line))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
