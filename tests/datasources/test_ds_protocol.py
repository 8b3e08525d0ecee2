"""The data sources over the plugin protocol, 5 and 6 (issue 13, point 1): schemas and
metadata, every data source read through the harness as Terraform reads it at plan time,
bad configurations answered with attribute paths, unknown configuration validated and
deferred, and the patch baseline lookup (AWS-owned defaults by operating system, the
account's own, no match and several matches with the candidates)."""

import re

import pytest

from harness import cty
from harness.errors import OperationFailed
from harness.schema import unknown_variants

import ds_helpers as h

# ---------------------------------------------------------------- schemas and metadata


def test_ds_schemas_and_metadata(provider, protocol):
    """GetProviderSchema lists the four data sources, GetMetadata names them, and the
    result attributes are computed list(object) attributes, never blocks."""
    p = provider(protocol, configure=False)
    assert sorted(p.schema.data_sources) == sorted(h.DATA_SOURCES)
    md = p.rpc("GetMetadata", p.pb.GetMetadata.Request())
    assert sorted(d.type_name for d in md.data_sources) == sorted(h.DATA_SOURCES)
    execs = p.schema.data_source("ssmpatch_window_executions")
    assert not execs.block_types
    a = execs.attributes["executions"]
    assert a.computed and not a.optional and not a.required
    assert a.type.to_json()[0] == "list" and a.type.to_json()[1][0] == "object"
    assert p.schema.data_source("ssmpatch_patch_baseline").attributes["source"].sensitive


def test_ds_schemas_same_over_both_protocols(provider):
    s5 = provider(5, configure=False).schema
    s6 = provider(6, configure=False).schema
    for t in h.DATA_SOURCES:
        b5, b6 = s5.data_source(t), s6.data_source(t)
        assert b5.implied_type().to_json() == b6.implied_type().to_json(), t
        assert {n: a.kind() for n, a in b5.attributes.items()} == \
            {n: a.kind() for n, a in b6.attributes.items()}, t


def test_ds_patch_baseline_has_every_resource_attribute(provider):
    """The data source returns every attribute of the resource, with the same type (the
    resource's blocks as lists of objects)."""
    p = provider(6, configure=False)
    res = p.schema.resource("ssmpatch_patch_baseline")
    ds = p.schema.data_source("ssmpatch_patch_baseline")
    want = {n: a.type.to_json() for n, a in res.attributes.items()}
    want.update({n: b.implied_type().to_json() for n, b in res.block_types.items()})
    have = {n: a.type.to_json() for n, a in ds.attributes.items()}
    assert {n: have.get(n) for n in want} == want

# ---------------------------------------------------------------- every data source, read


def test_ds_every_data_source_reads(ep, provider, protocol):
    s = h.seed(ep)
    ep.emulator.fail_instances([s["fleet"]["PRD"]["INSTALL"][0]], operation="Install", times=1)
    ep.emulator.run_window(s["objs"]["window"])
    p = provider(protocol)
    b = p.read_data_source("ssmpatch_patch_baseline", {"owner": "Self", "name": "STG-AL2Baseline"})
    assert b["id"] == s["objs"]["baselines"]["STG"] and b["patch_groups"] == ["STG"]
    w = p.read_data_source("ssmpatch_maintenance_windows", {"name_prefix": "patch-window"})
    assert w["ids"] == [s["objs"]["window"]]
    e = p.read_data_source("ssmpatch_window_executions", {"window_id": s["objs"]["window"]})
    assert [x["status"] for x in e["executions"]] == ["FAILED"]
    c = p.read_data_source("ssmpatch_patch_group_compliance", {"patch_group": "PRD"})
    assert c["failed_instance_ids"] == [s["fleet"]["PRD"]["INSTALL"][0]]
    assert c["missing_patches"] is None  # not asked for
    assert not p.warnings
    h.calls_ok(ep.emulator)

# ---------------------------------------------------------------- bad configurations

BAD = [
    ("ssmpatch_patch_baseline", {"owner": "Amazon"}, "owner", "Invalid value"),
    ("ssmpatch_patch_baseline", {"name": "ab"}, "name", "Invalid length"),
    ("ssmpatch_patch_baseline", {"name": "a b c"}, "name", "Invalid format"),
    ("ssmpatch_patch_baseline", {"name": "stg-base", "name_prefix": "stg"}, "name_prefix",
     "Conflicting filters"),
    ("ssmpatch_patch_baseline", {"name_prefix": ""}, "name_prefix", "Invalid length"),
    ("ssmpatch_patch_baseline", {"operating_system": "BEOS"}, "operating_system", "Invalid value"),
    ("ssmpatch_patch_baseline", {"id": "pb-0123456789abcdef0"}, "id",
     "Value for unconfigurable attribute"),
    ("ssmpatch_maintenance_windows", {"name_prefix": ""}, "name_prefix", "Invalid length"),
    ("ssmpatch_maintenance_windows", {"ids": ["mw-0123456789abcdef0"]}, "ids",
     "Value for unconfigurable attribute"),
    ("ssmpatch_window_executions", {}, "window_id", "Missing required argument"),
    ("ssmpatch_window_executions", {"window_id": "window-1"}, "window_id", "Invalid format"),
    ("ssmpatch_window_executions", {"window_id": "mw-0123456789abcdef0", "max_results": 0},
     "max_results", "Value out of range"),
    ("ssmpatch_window_executions", {"window_id": "mw-0123456789abcdef0", "max_results": 501},
     "max_results", "Value out of range"),
    ("ssmpatch_window_executions", {"window_id": "mw-0123456789abcdef0", "max_results": 2.5},
     "max_results", "Whole number required"),
    ("ssmpatch_window_executions", {"window_id": "mw-0123456789abcdef0", "next_runs_count": -1},
     "next_runs_count", "Value out of range"),
    ("ssmpatch_window_executions", {"window_id": "mw-0123456789abcdef0",
                                    "started_after": "yesterday"}, "started_after", "Invalid time"),
    ("ssmpatch_window_executions", {"window_id": "mw-0123456789abcdef0",
                                    "started_after": "2024-06-01T00:00:00"}, "started_after",
     "Invalid time"),
    ("ssmpatch_window_executions", {"window_id": "mw-0123456789abcdef0",
                                    "next_runs": ["2024-06-01T17:00:00Z"]}, "next_runs",
     "Value for unconfigurable attribute"),
    ("ssmpatch_patch_group_compliance", {}, "patch_group", "Missing required argument"),
    ("ssmpatch_patch_group_compliance", {"patch_group": ""}, "patch_group", "Invalid length"),
    ("ssmpatch_patch_group_compliance", {"patch_group": "x" * 257}, "patch_group",
     "Invalid length"),
    ("ssmpatch_patch_group_compliance", {"patch_group": "STG", "instance_count": 1},
     "instance_count", "Value for unconfigurable attribute"),
]


@pytest.mark.parametrize("type_name,cfg,path,summary", BAD,
                         ids=["%s-%s-%d" % (t[len("ssmpatch_"):], pth, i)
                              for i, (t, _, pth, _) in enumerate(BAD)])
def test_ds_bad_configuration_has_attribute_path(provider, protocol, type_name, cfg, path,
                                                  summary):
    p = provider(protocol, configure=False)
    errs = [d for d in p.validate_data_source(type_name, cfg) if d.is_error]
    assert [(d.attribute, d.summary) for d in errs] == [(path, summary)], errs
    # and Terraform never reads it: the same configuration refused by ReadDataSource's caller
    with pytest.raises(OperationFailed):
        p.read_data_source(type_name, cfg)


GOOD = {
    "ssmpatch_patch_baseline": {"owner": "Self", "name_prefix": "STG-",
                                "operating_system": "AMAZON_LINUX_2", "default_baseline": False},
    "ssmpatch_maintenance_windows": {"name_prefix": "patch", "enabled": True,
                                     "tags": {"Environment": "STG"}},
    "ssmpatch_window_executions": {"window_id": "mw-0123456789abcdef0", "max_results": 5,
                                   "started_after": "2024-06-01T09:00:00+09:00",
                                   "next_runs_count": 3},
    "ssmpatch_patch_group_compliance": {"patch_group": "STG", "include_missing_patches": True},
}


@pytest.mark.parametrize("type_name", h.DATA_SOURCES)
def test_ds_unknown_configuration_validates_and_defers(provider, protocol, type_name):
    """Every argument unknown in turn (a value from a resource not created yet): no
    diagnostic, and Terraform defers the read with every computed attribute unknown."""
    p = provider(protocol)
    block = p.data_block(type_name)
    assert p.validate_data_source(type_name, GOOD[type_name]) == []
    for label, cfg in unknown_variants(block, GOOD[type_name]):
        assert p.validate_data_source(type_name, cfg) == [], label
        st = p.read_data_source(type_name, cfg)
        assert st.deferred, label
        for n, a in block.attributes.items():
            if a.computed and GOOD[type_name].get(n) is None:
                assert cty.is_unknown(st[n]), (label, n)
    assert "ReadDataSource" not in p.calls


def test_ds_window_executions_missing_window(ep, provider, protocol):
    p = provider(protocol)
    with pytest.raises(OperationFailed) as e:
        p.read_data_source("ssmpatch_window_executions", {"window_id": "mw-0123456789abcdef0"})
    (d,) = [d for d in e.value.diagnostics if d.is_error]
    assert d.attribute == "window_id" and d.summary == "Maintenance window not found"
    assert "mw-0123456789abcdef0" in d.detail

# ---------------------------------------------------------------- the baseline lookup


def _aws_default_names(ep):
    """{OS: name of the AWS-owned default} as the emulator has them."""
    import ssm_backend
    return {os_: name for os_, (name, _) in ssm_backend._AWS_BASELINE_NAMES.items()}


def test_ds_patch_baseline_finds_each_aws_default_by_os(ep, provider, protocol):
    """owner = AWS, operating_system = X, default_baseline = true finds the AWS-owned
    default of every operating system: its ARN is its ID, it carries no tags."""
    ep.requires_emulator("the account's defaults may be its own baselines elsewhere")
    p = provider(protocol)
    names = _aws_default_names(ep)
    for os_ in sorted(names):
        b = p.read_data_source("ssmpatch_patch_baseline", {
            "owner": "AWS", "operating_system": os_, "default_baseline": True})
        assert b["name"] == names[os_], os_
        assert b["id"].startswith("arn:aws:ssm:%s:" % ep.region)
        assert b["arn"] == b["id"] and ":patchbaseline/pb-" in b["arn"]
        assert b["operating_system"] == os_ and b["default_baseline"] is True
        assert b["owner"] == "AWS" and b["name_prefix"] is None
        assert b["tags"] == {} and b["tags_all"] == {} and b["patch_groups"] == []
        assert b["approval_rule"], os_
        assert b["description"], os_


def test_ds_patch_baseline_finds_aws_baseline_by_name(ep, provider, protocol):
    """The seed's AWS-owned baseline by its name, on any endpoint; the default owner is All."""
    p = provider(protocol)
    b = p.read_data_source("ssmpatch_patch_baseline",
                           {"name": "AWS-AmazonLinux2DefaultPatchBaseline"})
    assert b["operating_system"] == "AMAZON_LINUX_2" and b["owner"] == "All"
    assert b["id"].startswith("arn:") and b["arn"] == b["id"]


def test_ds_patch_baseline_finds_own_with_every_resource_attribute(ep, provider, protocol):
    """A baseline made with the resource, found by name: every attribute the resource has
    reads the same through the data source."""
    p = provider(protocol)
    name = ep.name("stg-al2")
    cfg = {"name": name, "description": "STG AL2", "operating_system": "AMAZON_LINUX_2",
           "patch_groups": [ep.name("stg")], "approved_patches": ["kernel"],
           "rejected_patches": ["telnet"], "rejected_patches_action": "BLOCK",
           "global_filter": [{"key": "PRODUCT", "values": ["AmazonLinux2"]}],
           "approval_rule": [{"approve_after_days": 1, "compliance_level": "CRITICAL",
                              "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]},
                                               {"key": "SEVERITY", "values": ["Critical"]}]}],
           "source": [{"name": "internal-repo", "products": ["AmazonLinux2"],
                       "configuration": "[internal]\nbaseurl=https://repo.example/al2"}],
           "tags": {"Environment": "STG"}}
    st = p.apply("ssmpatch_patch_baseline", cfg)
    try:
        for filters in ({"owner": "Self", "name": name},
                        {"name_prefix": name, "operating_system": "AMAZON_LINUX_2",
                         "default_baseline": False}):
            b = p.read_data_source("ssmpatch_patch_baseline", filters)
            res = p.schema.resource("ssmpatch_patch_baseline")
            for n in list(res.attributes) + list(res.block_types):
                ty = (res.attributes[n].type if n in res.attributes
                      else res.block_types[n].implied_type())
                # the data source's list(object) and the resource's block list agree by value
                assert cty.raw_equals(ty, b[n], st[n]), (n, b[n], st[n])
            assert b["default_baseline"] is False and b["arn"].endswith("/" + st["id"])
    finally:
        p.destroy("ssmpatch_patch_baseline", st)


def test_ds_patch_baseline_no_match_lists_candidates(ep, provider, protocol):
    p = provider(protocol)
    stem = ep.name("cand")
    names = ["%s-%02d" % (stem, i) for i in range(12)]
    rule = [{"approve_after_days": 7,
             "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]}]}]
    made = [p.apply("ssmpatch_patch_baseline", {"name": n, "operating_system": "AMAZON_LINUX_2",
                                                "approval_rule": rule}) for n in names]
    try:
        nothing = ep.name("nothing")
        with pytest.raises(OperationFailed) as e:
            p.read_data_source("ssmpatch_patch_baseline", {
                "owner": "Self", "name_prefix": nothing, "operating_system": "AMAZON_LINUX_2"})
        (d,) = [d for d in e.value.diagnostics if d.is_error]
        assert d.summary == "No patch baseline matches"
        assert d.detail.startswith('No patch baseline matches owner = "Self", name_prefix = "%s", '
                                   'operating_system = "AMAZON_LINUX_2". The baselines of owner '
                                   'Self for AMAZON_LINUX_2 are: ' % nothing), d.detail
        if ep.emulator is not None:  # elsewhere the account may hold baselines of its own
            assert sum(n in d.detail for n in names) == 10 and d.detail.endswith(" and 2 more.")

        with pytest.raises(OperationFailed) as e:
            p.read_data_source("ssmpatch_patch_baseline", {"owner": "Self", "name_prefix": stem})
        (d,) = [d for d in e.value.diagnostics if d.is_error]
        assert d.summary == "Several patch baselines match"
        assert d.detail.startswith('12 patch baselines match owner = "Self", name_prefix = "%s": '
                                   % stem), d.detail
        listed = [n for n in names if n in d.detail]
        assert len(listed) == 10 and " and 2 more. Narrow the filters" in d.detail  # capped
        for st in made:  # each listed with its ID
            assert (st["name"] in listed) == ("%s (%s, AMAZON_LINUX_2)" % (st["name"], st["id"])
                                              in d.detail)

        # narrowed to one: found
        b = p.read_data_source("ssmpatch_patch_baseline", {"owner": "Self", "name": names[3]})
        assert b["id"] == made[3]["id"]
    finally:
        for st in made:
            p.destroy("ssmpatch_patch_baseline", st)


def test_ds_maintenance_windows_filters(ep, provider, protocol):
    """name_prefix (applied by the provider), enabled (the API's filter) and tags (every
    pair on the window), sorted by name; next_execution_time in RFC 3339, none for a
    disabled window."""
    p = provider(protocol)
    stem = ep.name("mws")
    made = {}
    for n, env, enabled in (("b-stg", "STG", True), ("a-prd", "PRD", True),
                            ("c-stg-off", "STG", False)):
        made[n] = p.apply("ssmpatch_maintenance_window", {
            "name": "%s-%s" % (stem, n), "schedule": "cron(00 17 * * ? *)", "duration": 1,
            "cutoff": 0, "enabled": enabled, "tags": {"Environment": env, "Team": "ops"}})
    try:
        every = p.read_data_source("ssmpatch_maintenance_windows", {"name_prefix": stem})
        assert every["ids"] == [made[n]["id"] for n in ("a-prd", "b-stg", "c-stg-off")]
        rows = {w["name"]: w for w in every["windows"]}
        on = rows["%s-b-stg" % stem]
        assert on["schedule"] == "cron(00 17 * * ? *)" and on["enabled"] is True
        assert on["duration"] == 1 and on["cutoff"] == 0 and on["schedule_timezone"] is None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT17:00:00Z", on["next_execution_time"])
        assert rows["%s-c-stg-off" % stem]["next_execution_time"] is None
        assert rows["%s-c-stg-off" % stem]["enabled"] is False

        stg = p.read_data_source("ssmpatch_maintenance_windows",
                                 {"name_prefix": stem, "tags": {"Environment": "STG"}})
        assert stg["ids"] == [made["b-stg"]["id"], made["c-stg-off"]["id"]]
        enabled_stg = p.read_data_source("ssmpatch_maintenance_windows", {
            "name_prefix": stem, "enabled": True, "tags": {"Environment": "STG", "Team": "ops"}})
        assert enabled_stg["ids"] == [made["b-stg"]["id"]]
        off = p.read_data_source("ssmpatch_maintenance_windows", {"name_prefix": stem,
                                                                  "enabled": False})
        assert off["ids"] == [made["c-stg-off"]["id"]]
        none = p.read_data_source("ssmpatch_maintenance_windows", {
            "name_prefix": stem, "tags": {"Environment": "STG", "Team": "dev"}})
        assert none["ids"] == [] and none["windows"] == []
    finally:
        for st in made.values():
            p.destroy("ssmpatch_maintenance_window", st)
