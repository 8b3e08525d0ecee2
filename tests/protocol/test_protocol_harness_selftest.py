"""Tests of the harness itself: the value model, the ports of Terraform's
objchange checks, and the Provider flow against tests/harness/fake_provider.py
(a small Python go-plugin server) with injected bugs, so each check is shown
to fire with the Terraform error it names. Needs no C provider."""

import decimal
import os

import msgpack
import pytest

from harness import cty, errors, objchange
from harness.plugin import close_all
from harness.schema import Attribute, Block, NestedBlock
from harness.stack import Ref, Stack

FAKE = os.path.join(os.path.dirname(__file__), "..", "harness", "fake_provider.py")


# -- cty -------------------------------------------------------------------------


def test_msgpack_numbers():
    t = cty.NUMBER
    assert msgpack.unpackb(cty.encode_msgpack(t, 5)) == 5
    assert msgpack.unpackb(cty.encode_msgpack(t, 1.5)) == 1.5
    assert msgpack.unpackb(cty.encode_msgpack(t, 2.0)) == 2
    assert msgpack.unpackb(cty.encode_msgpack(t, 1 << 70)) == str(1 << 70)
    assert msgpack.unpackb(cty.encode_msgpack(t, decimal.Decimal("0.1"))) == "0.1"
    assert cty.decode_msgpack(t, msgpack.packb("12.50")) == decimal.Decimal("12.50")
    assert cty.equals(t, 2, 2.0) is True
    assert cty.equals(t, decimal.Decimal("0.1"), 0.1) is False  # 0.1 is not exact in float64


def test_msgpack_unknowns():
    ty = cty.Object({"a": cty.STRING, "b": cty.List(cty.STRING)})
    raw = msgpack.packb({"a": msgpack.ExtType(0, b"\x00"),
                         "b": msgpack.ExtType(12, msgpack.packb({1: False, 5: 1}))})
    v = cty.decode_msgpack(ty, raw)
    assert cty.is_unknown(v["a"]) and v["b"].refinements == {1: False, 5: 1}
    assert cty.encode_msgpack(ty, {"a": cty.UNKNOWN, "b": None}) == \
        msgpack.packb({"a": msgpack.ExtType(0, b"\x00"), "b": None})
    assert cty.unknown_paths(ty, v) == [[("attr", "a")], [("attr", "b")]]


def test_conformance_errors():
    ty = cty.Object({"a": cty.STRING, "b": cty.BOOL})
    with pytest.raises(cty.ConformanceError, match="an object with 2 attributes"):
        cty.decode_msgpack(ty, msgpack.packb({"a": "x"}))
    with pytest.raises(cty.ConformanceError, match="unsupported attribute"):
        cty.decode_msgpack(ty, msgpack.packb({"a": "x", "b": True, "c": 1}))
    with pytest.raises(cty.ConformanceError) as ei:
        cty.decode_msgpack(ty, msgpack.packb({"a": 1, "b": True}))
    assert ei.value.path == [("attr", "a")]


def test_sets_and_dynamic():
    t = cty.Set(cty.STRING)
    assert cty.decode_msgpack(t, msgpack.packb(["a", "b", "a"])) == ["a", "b"]
    assert cty.equals(t, ["a", "b"], ["b", "a"]) is True
    assert cty.equals(t, ["a", cty.UNKNOWN], ["a", "b"]) is None
    d = cty.DYNAMIC
    v = cty.Dynamic(cty.List(cty.NUMBER), [1, 2])
    assert cty.decode_msgpack(d, cty.encode_msgpack(d, v)) == v
    assert cty.to_json(cty.Object({"x": d}), {"x": v}) == b'{"x":{"type":["list","number"],"value":[1,2]}}'


def test_type_json_roundtrip():
    j = ["object", {"a": ["set", "string"], "b": ["map", ["list", "number"]], "c": ["tuple", ["bool", "dynamic"]]}]
    assert cty.type_from_json(cty.Type.to_json(cty.type_from_json(j))) == cty.type_from_json(j)


# -- schema / objchange -------------------------------------------------------------


def _schema():
    filt = Block({"key": Attribute("key", cty.STRING, required=True)})
    rule = Block({"days": Attribute("days", cty.NUMBER, optional=True),
                  "level": Attribute("level", cty.STRING, optional=True, computed=True)},
                 {"filter": NestedBlock("filter", "LIST", filt, 1, 10)})
    tag = Block({"k": Attribute("k", cty.STRING, required=True),
                 "gen": Attribute("gen", cty.STRING, computed=True)})
    return Block({"id": Attribute("id", cty.STRING, computed=True),
                  "name": Attribute("name", cty.STRING, required=True),
                  "kind": Attribute("kind", cty.STRING, optional=True, computed=True),
                  "desc": Attribute("desc", cty.STRING, optional=True),
                  "secret": Attribute("secret", cty.STRING, optional=True, sensitive=True)},
                 {"rule": NestedBlock("rule", "LIST", rule),
                  "tag": NestedBlock("tag", "SET", tag),
                  "one": NestedBlock("one", "SINGLE", filt)})


def test_config_builder():
    s = _schema()
    c = s.config({"name": "x", "rule": [{"days": 3, "filter": {"key": "k"}}]})
    assert c == {"id": None, "name": "x", "kind": None, "desc": None, "secret": None,
                 "rule": [{"days": 3, "level": None, "filter": [{"key": "k"}]}], "tag": [], "one": None}
    with pytest.raises(KeyError, match="Unsupported argument"):
        s.config({"nmae": "x"})
    assert s.empty_value()["rule"] == [] and s.empty_value()["one"] is None


def test_proposed_new_keeps_computed_prior():
    s = _schema()
    prior = s.config({"name": "x", "kind": "k1", "rule": [{"days": 3, "level": "HIGH", "filter": [{"key": "a"}]}],
                      "tag": [{"k": "t", "gen": "g1"}]})
    prior["id"] = "id-1"
    cfg = s.config({"name": "y", "rule": [{"days": 4, "filter": [{"key": "a"}]}], "tag": [{"k": "t"}]})
    pn = objchange.proposed_new(s, prior, cfg)
    assert pn["id"] == "id-1" and pn["kind"] == "k1" and pn["name"] == "y"
    assert pn["rule"][0] == {"days": 4, "level": "HIGH", "filter": [{"key": "a"}]}
    assert pn["tag"] == [{"k": "t", "gen": "g1"}], "set element correlated with prior by non-computed attrs"
    assert objchange.proposed_new(s, None, cfg)["id"] is None


def test_assert_plan_valid():
    s = _schema()
    cfg = s.config({"name": "x", "rule": [{"days": 1, "filter": [{"key": "a"}]}]})
    ok = dict(cfg, id=cty.UNKNOWN, kind="dflt")
    ok["rule"] = [dict(cfg["rule"][0], level="UNSPECIFIED")]
    assert objchange.assert_plan_valid(s, None, cfg, ok) == []
    bad = dict(ok, name="y")
    [(path, msg)] = objchange.assert_plan_valid(s, None, cfg, bad)
    assert path == [("attr", "name")] and "does not match config value" in msg
    bad = dict(ok, desc="filled")
    [(path, msg)] = objchange.assert_plan_valid(s, None, cfg, bad)
    assert "for a non-computed attribute" in msg
    bad = dict(ok, rule=[])
    [(path, msg)] = objchange.assert_plan_valid(s, None, cfg, bad)
    assert "block count in plan (0) disagrees with count in config (1)" in msg
    bad = dict(ok, tag=None)
    assert "not null" in objchange.assert_plan_valid(s, None, cfg, bad)[0][1]
    bad = dict(ok, secret="s")
    assert objchange.assert_plan_valid(s, None, cfg, bad)[0][1] == "sensitive planned value for a non-computed attribute"
    # the "keep prior" escape hatch: config and prior both non-null
    prior = dict(ok, id="i", name="X")
    cfg2 = dict(cfg, name="x")
    assert objchange.assert_plan_valid(s, prior, cfg2, dict(prior)) == []


def test_assert_object_compatible():
    s = _schema()
    planned = s.config({"name": "x", "tag": [{"k": "a"}, {"k": "b"}]})
    planned["id"] = cty.UNKNOWN
    planned["tag"] = [{"k": "a", "gen": cty.UNKNOWN}, {"k": "b", "gen": cty.UNKNOWN}]
    actual = dict(planned, id="id-1", tag=[{"k": "b", "gen": "2"}, {"k": "a", "gen": "1"}])
    assert objchange.assert_object_compatible(s, planned, actual) == []
    errs = objchange.assert_object_compatible(s, planned, dict(actual, name="z"))
    assert errs and 'was cty.StringVal("x"), but now cty.StringVal("z")' in errs[0][1]
    errs = objchange.assert_object_compatible(s, planned, dict(actual, tag=[{"k": "c", "gen": "1"}]))
    assert errs and "does not correlate" in errs[0][1]
    errs = objchange.assert_object_compatible(s, dict(planned, secret="a"), dict(actual, secret="b"))
    assert errs == [([("attr", "secret")], "inconsistent values for sensitive attribute")]
    assert objchange.assert_object_compatible(s, planned, None)[0][1] == "Root object was present, but now absent"


def test_required_replaces_and_action():
    s = _schema()
    prior = s.config({"name": "x", "kind": "a"})
    planned = dict(prior, kind="b")
    rr, probs = objchange.required_replaces(s, prior, planned, [[("attr", "kind")], [("attr", "name")]])
    assert rr == [[("attr", "kind")]] and probs == []
    _, probs = objchange.required_replaces(s, prior, planned, [[("attr", "nope")]])
    assert probs
    assert objchange.required_replaces(s, None, planned, [[("attr", "kind")]]) == ([], [])
    assert objchange.get_action(s, prior, planned, rr) == "replace"
    assert objchange.get_action(s, prior, planned, []) == "update"
    assert objchange.get_action(s, prior, dict(prior), []) == "noop"
    assert objchange.get_action(s, prior, dict(prior, id=cty.UNKNOWN), []) == "update"
    assert objchange.get_action(s, None, planned, []) == "create"


def test_diagnostic_paths():
    d = errors.Diagnostic("error", "s", "", [("attr", "approval_rule"), ("index", 0),
                                               ("attr", "approve_after_days")])
    assert d.attribute == "approval_rule[0].approve_after_days"
    assert errors.Diagnostic("error", "s", "", [("attr", "tags"), ("index", "k")]).attribute == 'tags["k"]'


# -- flows against the fake provider -------------------------------------------------


@pytest.fixture
def fake(tmp_path):
    made = []

    def _start(bug="", protocol=6, mtls=True):
        from harness.provider import Provider
        p = Provider(binary=FAKE, protocol=protocol, mtls=mtls,
                     env={"FAKE_PROVIDER_BUG": bug, "FAKE_PROVIDER_STORE": str(tmp_path / "store.json")})
        made.append(p)
        return p
    yield _start
    problems = close_all(p.plugin for p in made)
    assert not problems, problems


CFG = {"name": "abc", "groups": ["a", "b"], "rule": [{"approve_after_days": 7, "filter": [{"key": "a",
                                                                                         "values": ["b"]}]}]}


@pytest.mark.parametrize("protocol", [5, 6])
def test_fake_full_lifecycle(fake, protocol):
    p = fake(protocol=protocol)
    p.configure({"default_tags": {"env": "stg"}})
    pl = p.plan("fake_thing", CFG)
    assert pl.action == "create" and cty.is_unknown(pl.planned["id"])
    st = p.apply("fake_thing", CFG)
    assert st["id"].startswith("ft-") and st["tags_all"] == {"env": "stg"} and st.private == b"priv"
    assert p.refresh_and_plan("fake_thing", dict(CFG, groups=["b", "a"]), st).action == "noop"
    pl = p.plan("fake_thing", dict(CFG, description="d"), st)
    assert pl.action == "update"
    st = p.apply("fake_thing", dict(CFG, description="d"), st)
    pl = p.plan("fake_thing", dict(CFG, kind="other"), st)
    assert pl.action == "replace" and pl.replace_paths == ["kind"] and cty.is_unknown(pl.planned["id"])
    st2 = p.apply("fake_thing", dict(CFG, kind="other"), st)
    assert st2["id"] != st["id"] and p.read("fake_thing", st) is None
    assert p.import_state("fake_thing", st2["id"]) == st2
    with pytest.raises(errors.OperationFailed, match="Invalid import ID"):
        p.import_state("fake_thing", "bogus")
    with pytest.raises(errors.ImportFailed, match="Cannot import non-existent remote object"):
        p.import_state("fake_thing", "ft-00000000")
    p.destroy("fake_thing", st2)
    assert p.read("fake_thing", st2) is None
    assert p.refresh_and_plan("fake_thing", CFG, st2).action == "create"
    diags = p.validate("fake_thing", dict(CFG, name="x", rule=[{"approve_after_days": 999,
                                                                "filter": [{"key": "a", "values": ["b"]}]}]))
    assert [d.attribute for d in diags] == ["name", "rule[0].approve_after_days"]


@pytest.mark.parametrize("bug,exc,text", [
    ("plan_changes_config", errors.InvalidPlan, ".name: planned value"),
    ("missing_attr", errors.InvalidPlan, "an object with"),
    ("apply_changes_known", errors.InconsistentResult, ".description: was null"),
    ("apply_unknown", errors.InvalidResultObject, ".arn"),
    ("final_plan_differs", errors.InconsistentFinalPlan, ".arn"),
])
def test_fake_bugs_detected(fake, bug, exc, text):
    p = fake(bug)
    with pytest.raises(exc) as ei:
        p.apply("fake_thing", CFG)
    assert str(ei.value).startswith(exc.summary)
    assert text in str(ei.value)


def test_fake_read_unknown_detected(fake):
    p = fake("read_unknown")
    st = p.apply("fake_thing", CFG)
    with pytest.raises(errors.InvalidObject, match="Provider produced invalid object"):
        p.read("fake_thing", st)


@pytest.mark.parametrize("bug,summary", [("import_two", "Multiple import states not supported"),
                                         ("import_wrong_type", "Import returned a different resource type")])
def test_fake_import_bugs(fake, bug, summary):
    p = fake(bug)
    with pytest.raises(errors.ImportFailed, match=summary):
        p.import_state("fake_thing", "ft-12345678")


def test_fake_bad_requires_replace_path(fake):
    p = fake("replace_bad_path")
    st = p.apply("fake_thing", CFG)
    with pytest.raises(errors.InvalidPlan, match="non-existent attribute path"):
        p.plan("fake_thing", dict(CFG, description="x"), st)


def test_fake_no_shutdown_detected(tmp_path):
    from harness.provider import Provider
    p = Provider(binary=FAKE, protocol=6, env={"FAKE_PROVIDER_BUG": "no_shutdown",
                                               "FAKE_PROVIDER_STORE": str(tmp_path / "s.json")})
    p.close()
    with pytest.raises(errors.ProtocolError, match="failed to exit gracefully"):
        p.plugin.check_clean_exit()


def test_fake_shutdown_error_fails_the_test(tmp_path):
    """A Shutdown RPC that fails (the provider exits anyway, as with the old
    "Broken pipe" race) is a failure: close() raises, and close_all (the
    protocol tests' teardown) reports it, so the test fails."""
    from harness.provider import Provider
    env = {"FAKE_PROVIDER_BUG": "shutdown_fails", "FAKE_PROVIDER_STORE": str(tmp_path / "s.json")}
    p = Provider(binary=FAKE, protocol=6, env=env)
    with pytest.raises(errors.ProtocolError, match='Shutdown failed: StatusCode.UNAVAILABLE .Broken pipe'):
        p.close()
    assert p.plugin.graceful_exit and p.plugin.exit_code == 0  # only the answer was wrong
    with pytest.raises(errors.ProtocolError, match="Shutdown failed"):
        p.plugin.check_clean_exit()
    p = Provider(binary=FAKE, protocol=5, env=env)
    problems = close_all([p.plugin])
    assert len(problems) == 1 and "GRPCController/Shutdown failed" in problems[0], problems
    # the same teardown passes a provider that answers
    p = Provider(binary=FAKE, protocol=5, env=dict(env, FAKE_PROVIDER_BUG=""))
    assert close_all([p.plugin]) == []


def test_fake_stack_refs(fake):
    p = fake()
    s = Stack(p)
    s.add("a", "fake_thing", {"name": "first"})
    s.add("b", "fake_thing", {"name": "second", "description": Ref("a", "id"),
                              "tags": lambda v: {"parent": v["a"]["name"]} if v.get("a") else cty.UNKNOWN})
    plans = s.plan()
    assert cty.is_unknown(plans["b"].planned["description"])
    assert plans["b"].planned["tags"] == {"parent": "first"}
    states = s.apply()
    assert states["b"]["description"] == states["a"]["id"]
    assert all(pl.action == "noop" for pl in s.refresh_and_plan().values())
    s.destroy()
    assert not s.states
