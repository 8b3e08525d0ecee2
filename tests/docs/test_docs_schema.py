"""The registry docs (docs/) and the provider's schema say the same thing: every
schema attribute and block is documented at its nesting level, every documented
argument exists, and Required/Optional/Sensitive agree. Resources are under
docs/resources/, data sources under docs/data-sources/; the fields of a data
source's list(object) results are documented as nested bullets too."""
import json
import os
import re
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("SSMPATCH_BUILD_DIR", os.path.join(REPO, "build"))
BULLET = re.compile(r"^(?P<indent> *)\* `(?P<name>[a-z0-9_]+)` - (?P<text>.*)$")


def schema():
    out = subprocess.run([os.path.join(BUILD, "schema_dump")], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def object_fields(ty, prefix):
    """{path: info} for the fields of a list/set of objects type (cty type JSON), and
    of the objects nested in those, paths like a.b.c."""
    items = {}
    if isinstance(ty, list) and ty[0] in ("list", "set") and isinstance(ty[1], list) \
            and ty[1][0] == "object":
        for name, t in ty[1][1].items():
            items[prefix + name] = {"kind": "field"}
            items.update(object_fields(t, prefix + name + "."))
    return items


def flatten_schema(block, prefix=""):
    """{path: info} for every attribute and block, paths like a.b.c."""
    items = {}
    for name, a in block["attributes"].items():
        items[prefix + name] = {"kind": "attr", **a}
        items.update(object_fields(json.loads(a["type"]), prefix + name + "."))
    for name, b in block["block_types"].items():
        items[prefix + name] = {"kind": "block"}
        items.update(flatten_schema(b["block"], prefix + name + "."))
    return items


def documented(path, sections=("Argument Reference", "Attribute Reference")):
    """{path: bullet text} from the given sections (the Argument and Attribute Reference)."""
    items, stack = {}, []
    section = None
    for line in open(path, encoding="utf-8"):
        if line.startswith("## "):
            section = line[3:].strip()
            stack = []
            continue
        if section not in sections:
            continue
        m = BULLET.match(line.rstrip("\n"))
        if not m:
            continue
        depth = len(m.group("indent")) // 2
        stack = stack[:depth] + [m.group("name")]
        items[".".join(stack)] = m.group("text")
    return items


def pages():
    s = schema()
    yield "provider", os.path.join(REPO, "docs", "index.md"), s["provider"]["block"]
    for name, r in sorted(s["resource_schemas"].items()):
        yield name, os.path.join(REPO, "docs", "resources", name[len("ssmpatch_"):] + ".md"), r["block"]
    for name, r in sorted(s["data_source_schemas"].items()):
        yield ("data." + name, os.path.join(REPO, "docs", "data-sources", name[len("ssmpatch_"):] + ".md"),
               r["block"])
    for kind, directory in (("list_resource_schemas", "list-resources"), ("action_schemas", "actions")):
        for name, r in sorted(s[kind].items()):
            yield (directory + ":" + name, os.path.join(REPO, "docs", directory, name[len("ssmpatch_"):] + ".md"),
                   r["block"])


@pytest.mark.parametrize("name,page,block", list(pages()), ids=lambda x: x if isinstance(x, str) and not x.startswith("/") else None)
def test_docs_match_schema(name, page, block):
    assert os.path.exists(page), f"{name}: no docs page {page}"
    want = flatten_schema(block)
    have = documented(page)
    missing = sorted(set(want) - set(have))
    extra = sorted(set(have) - set(want))
    assert not missing, f"{name}: schema items not documented in {page}: {missing}"
    assert not extra, f"{name}: documented items not in the schema: {extra}"
    for path, info in want.items():
        text = have[path]
        if info["kind"] != "attr":
            continue
        if info["required"]:
            assert text.startswith("(Required"), f"{name}.{path}: schema says required, docs: {text[:40]}"
        elif info["optional"]:
            assert text.startswith("(Optional"), f"{name}.{path}: schema says optional, docs: {text[:40]}"
        if info["sensitive"]:
            assert "Sensitive" in text.split(")")[0], f"{name}.{path}: sensitive in the schema, not in the docs"


@pytest.mark.parametrize("name", sorted(schema()["identity_schemas"]))
def test_identity_docs_match_schema(name):
    """A resource page's Identity section lists exactly the identity attributes, each
    Required or Optional for import as the identity schema says."""
    page = os.path.join(REPO, "docs", "resources", name[len("ssmpatch_"):] + ".md")
    want = schema()["identity_schemas"][name]["block"]["attributes"]
    have = documented(page, sections=("Identity",))
    assert sorted(have) == sorted(want), "%s: Identity section %s, schema %s" % (name, sorted(have), sorted(want))
    for attr, info in want.items():
        assert have[attr].startswith("(Required" if info["required"] else "(Optional"), (name, attr, have[attr])
