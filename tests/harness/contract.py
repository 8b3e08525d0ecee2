"""The user-facing contract (resources.md) as data, to check GetSchema against.

``parse(path)`` reads the markdown tables of the contract: the provider table
(attribute | type | notes, where "type" holds "string, optional, sensitive")
and one table per resource (attribute | type | kind | notes). It returns
``{"provider": {...}, "ssmpatch_patch_baseline": {...}, ...}`` mapping each
attribute name to an ``Entry`` with:

  ``block``       True for "block ..." rows (nested block types)
  ``type``        cty type JSON for attributes ("string", ["set","string"] ...)
  ``min_items``/``max_items`` for blocks (0 when not stated)
  ``required``, ``optional``, ``computed``, ``sensitive``, ``default``,
  ``force_new``   from the kind column ("O+C" is optional+computed)

Only the top level of each resource is tabulated; nested block contents are
prose in the contract and are not parsed.

Where the contract is: env SSMPATCH_CONTRACT, else the repository's
docs/contract/resources.md (the copy changes extend when they add surface),
else ../shared/docs/resources.md relative to the repository root (also one
level further up, for worktrees), the contract it was seeded from.
"""

import os
import re

from .protos import REPO_ROOT


def contract_path():
    cands = [os.environ.get("SSMPATCH_CONTRACT"),
             # the copy kept in the repo: new surface extends it (README, briefing)
             os.path.join(REPO_ROOT, "docs", "contract", "resources.md"),
             os.path.join(REPO_ROOT, "..", "shared", "docs", "resources.md"),
             os.path.join(REPO_ROOT, "..", "..", "shared", "docs", "resources.md")]
    for c in cands:
        if c and os.path.isfile(c):
            return os.path.abspath(c)
    return None


class Entry:
    def __init__(self, name):
        self.name = name
        self.block = False
        self.type = None
        self.min_items = 0
        self.max_items = 0
        self.required = self.optional = self.computed = self.sensitive = False
        self.default = None
        self.force_new = False

    def __repr__(self):
        return "Entry(%s)" % ", ".join("%s=%r" % kv for kv in vars(self).items())


_PRIM = {"string", "number", "bool"}


def parse_type(text):
    """'set(string)' -> ['set', 'string']; 'string' -> 'string'."""
    text = text.strip()
    m = re.fullmatch(r"(list|set|map)\((\w+)\)", text)
    if m:
        return [m.group(1), parse_type(m.group(2))]
    if text in _PRIM:
        return text
    raise ValueError("unrecognised contract type %r" % text)


def _apply_kind(e, kind):
    k = kind.strip()
    parts = [p.strip() for p in k.split(",")]
    for p in parts:
        if p == "O+C":
            e.optional = e.computed = True
        elif p == "required":
            e.required = True
        elif p == "optional":
            e.optional = True
        elif p == "computed":
            e.computed = True
        elif p == "sensitive":
            e.sensitive = True
        elif p == "force new":
            e.force_new = True
        elif p.startswith("default"):
            e.default = p[len("default"):].strip().strip("`")
        elif p.startswith("updated in place") or p.startswith("max ") or not p:
            pass


def _apply_block(e, text):
    e.block = True
    m = re.search(r"(\d+)\.\.(\d+)", text)
    if m:
        e.min_items, e.max_items = int(m.group(1)), int(m.group(2))
    m = re.search(r"max (\d+)", text)
    if m:
        e.max_items = int(m.group(1))


def _cells(line):
    # the first cells never contain '|' themselves; notes may (regexes)
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse(path):
    out = {}
    section = None
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines:
        m = re.match(r"^## (?:Provider `(\w+)`|`(\w+)`)\s*$", line)
        if m:
            section = "provider" if m.group(1) else m.group(2)
            out.setdefault(section, {})
            continue
        if line.startswith("## "):
            section = None
            continue
        if section is None or not line.startswith("|") or "---" in line:
            continue
        cells = _cells(line)
        names = re.findall(r"`(\w+)`", cells[0])
        if not names:
            continue  # header row
        if section == "provider":
            tcell = cells[1]
            kinds = [", ".join(p.strip() for p in tcell.split(",")[1:])] * len(names)
            tpart = tcell.split(",")[0].strip()
        else:
            tcell, kcell = cells[1], cells[2]
            tpart = tcell
            ks = [k.strip() for k in kcell.split(" / ")]
            kinds = ks if len(ks) == len(names) else [kcell] * len(names)
        for name, kind in zip(names, kinds):
            e = Entry(name)
            if tpart.startswith("block"):
                _apply_block(e, tcell)
            else:
                e.type = parse_type(tpart)
            if section == "provider" and e.block:
                pass
            _apply_kind(e, kind)
            out[section][name] = e
    return out
