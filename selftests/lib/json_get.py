#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fields of JSON documents for the shell tests (json_get and xlbctl_json in
selftests/lib/netns.sh): what `xlbctl -j`, `bpftool -j` and `ip -j` print,
read one way everywhere instead of a Python one-liner in each test.

  json_get.py PATH [KEY...] < JSON

PATH walks from the document's root, in jq's notation (a small part of it):
  .KEY          the member KEY of an object (a missing one reads as null)
  [N]           element N of a list (negative: from the end)
  [KEY=VALUE]   the first element of a list whose KEY (a dotted path, e.g.
                formatted.key) reads VALUE; none: exit 1
  [*]           every element of a list (every value of an object): the
                rest of the path applies to each, one result a line
  |len          how many results, or the length of a list or object
  |sum          the sum of the results (nulls left out), or of a list
  |items        one result "KEY VALUE" per member of an object
  |omit=K,K     the object without these members
"." (or nothing) is the whole document. With KEYs, each result (an object)
prints as those members, space-separated, on one line. Strings print as
they are, numbers as numbers, true/false/null as JSON, objects and lists as
JSON. Several documents one after the other: PATH applies to each.
Exit 1 without a document, on a path that does not fit the document, or a
[KEY=VALUE] that matches nothing.
"""
import json
import re
import sys

STEP = re.compile(r"\.([^.\[|]+)|\[([^\]]*)\]|\|(\w+)(?:=([^|]*))?")


class Miss(Exception):
    pass


def parse(path):
    steps, i = [], 0
    if path in ("", "."):
        return steps
    while i < len(path):
        m = STEP.match(path, i)
        if not m:
            sys.exit("json_get.py: cannot read the path at '%s'" % path[i:])
        if m.group(1) is not None:
            steps.append(("key", m.group(1)))
        elif m.group(2) is not None:
            b = m.group(2)
            if b == "*":
                steps.append(("all", None))
            elif "=" in b:
                steps.append(("select", tuple(b.split("=", 1))))
            elif re.fullmatch(r"-?\d+", b):
                steps.append(("index", int(b)))
            else:
                sys.exit("json_get.py: [%s] is neither N, KEY=VALUE nor *" % b)
        else:
            steps.append((m.group(3), m.group(4)))
        i = m.end()
    return steps


def text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return json.dumps(v)


def member(v, key):
    for k in key.split("."):
        if v is None:
            return None
        if not isinstance(v, dict):
            raise Miss("%s of a %s" % (k, type(v).__name__))
        v = v.get(k)
    return v


def walk(doc, steps):
    values, many = [doc], False
    for op, arg in steps:
        if op == "key":
            values = [member(v, arg) for v in values]
        elif op == "index":
            try:
                values = [v[arg] for v in values]
            except (IndexError, KeyError, TypeError):
                raise Miss("[%d]" % arg)
        elif op == "select":
            key, want = arg
            out = []
            for v in values:
                if not isinstance(v, list):
                    raise Miss("[%s=%s] of a %s" % (key, want, type(v).__name__))
                hit = [e for e in v if isinstance(e, dict) and text(member(e, key)) == want]
                if not hit:
                    raise Miss("no element with %s=%s" % (key, want))
                out.append(hit[0])
            values = out
        elif op == "all":
            out = []
            for v in values:
                if isinstance(v, dict):
                    out += list(v.values())
                elif isinstance(v, list):
                    out += v
                else:
                    raise Miss("[*] of a %s" % type(v).__name__)
            values, many = out, True
        elif op == "len":
            values, many = [len(values) if many else len(values[0])], False
        elif op == "sum":
            items = values if many else values[0]
            values, many = [sum(v for v in items if v is not None)], False
        elif op == "items":
            values = ["%s %s" % (k, text(x)) for v in values for k, x in v.items()]
            many = True
        elif op == "omit":
            drop = set((arg or "").split(","))
            values = [{k: x for k, x in v.items() if k not in drop} for v in values]
        else:
            sys.exit("json_get.py: no function |%s" % op)
    return values


def docs(data):
    dec, i = json.JSONDecoder(), 0
    while True:
        while i < len(data) and data[i].isspace():
            i += 1
        if i >= len(data):
            return
        doc, i = dec.raw_decode(data, i)
        yield doc


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    steps, keys = parse(argv[1]), argv[2:]
    found = False
    try:
        for doc in docs(sys.stdin.read()):
            found = True
            for v in walk(doc, steps):
                print(" ".join(text(member(v, k)) for k in keys) if keys else text(v))
    except (Miss, ValueError, TypeError, AttributeError):
        return 1
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
