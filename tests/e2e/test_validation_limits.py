"""SSM's limits refused at validate (or plan) time with the attribute's path,
instead of half-way through an apply (issue 11): the provider binary driven
through the harness over plugin protocol 5 and 6; no SSM call is made except
by the plan test.

Shown:
- tags: 51 refused, 50 accepted; keys and values outside SSM's character set
  [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@] refused at tags["<key>"] (letters of any
  script, spaces and the seven punctuation characters accepted); with the
  provider's default_tags, more than 50 together refused at plan;
- patch group names outside that set refused at patch_groups;
- an empty `values` of a target, on ssmpatch_window_target and
  ssmpatch_window_task, refused at targets[0].values;
- schedule_timezone: a name tzdata does not know refused (a wrong case gets
  the right spelling suggested); zones and links (Asia/Tokyo, UTC,
  US/Pacific, Etc/GMT+9) accepted;
- list sizes from botocore's model: an approval rule takes at most 4
  patch_filter blocks;
- ssmpatch_window_task.description is sensitive in the schema.

Run: /usr/bin/python3 -m pytest tests/e2e/test_validation_limits.py
"""
import pytest

from harness.errors import OperationFailed
from harness.provider import Provider

PB, MW = "ssmpatch_patch_baseline", "ssmpatch_maintenance_window"
TARGET, TASK = "ssmpatch_window_target", "ssmpatch_window_task"
WID = "mw-0123456789abcdef0"
TID = "e32eecb2-646c-4f4b-8ed1-205fbc0a1b2c"


@pytest.fixture(scope="module", params=[5, 6], ids=["proto5", "proto6"])
def p(request):
    prov = Provider(protocol=request.param)
    yield prov
    prov.close()


def errors(p, type_name, cfg):
    return [(d.attribute, d.summary, d.detail) for d in p.validate(type_name, cfg) if d.is_error]


def baseline(**extra):
    cfg = {"name": "win-a", "operating_system": "WINDOWS", "approved_patches": ["KB1"]}
    cfg.update(extra)
    return cfg


def window(**extra):
    cfg = {"name": "w-am2", "schedule": "cron(00 17 * * ? *)", "duration": 2, "cutoff": 1}
    cfg.update(extra)
    return cfg


def test_tag_count(p):
    fifty = {"k%02d" % i: "v" for i in range(50)}
    assert errors(p, PB, baseline(tags=fifty)) == []
    assert errors(p, MW, window(tags=fifty)) == []
    fifty_one = dict(fifty, k50="v")
    for type_name, cfg in ((PB, baseline(tags=fifty_one)), (MW, window(tags=fifty_one))):
        errs = errors(p, type_name, cfg)
        assert [(a, s) for a, s, _ in errs] == [("tags", "Too many elements")], errs
        assert "at most 50" in errs[0][2]


@pytest.mark.parametrize("type_name", [PB, MW])
def test_tag_characters(p, type_name):
    make = baseline if type_name == PB else window
    ok = {"Owner": "ops team 1", "Büro": "東京", "a.b:c/d=e+f-g@h_i": "x y", "Env": "ü"}
    assert errors(p, type_name, make(tags=ok)) == []
    errs = errors(p, type_name, make(tags={"Owner": "ops#1!", "bad#key": "v", "Cost": "10€"}))
    got = {a: (s, d) for a, s, d in errs}
    assert set(got) == {'tags["Owner"]', 'tags["bad#key"]', 'tags["Cost"]'}, errs
    assert got['tags["Owner"]'][0] == "Invalid character" and '"#"' in got['tags["Owner"]'][1]
    assert got['tags["bad#key"]'][0] == "Invalid tag key"
    assert '"€"' in got['tags["Cost"]'][1]
    # an empty tag value: the model's minimum is 1 character
    assert [(a, s) for a, s, _ in errors(p, type_name, make(tags={"Owner": ""}))] == \
        [('tags["Owner"]', "Invalid length")]


def test_patch_group_characters(p):
    assert errors(p, PB, baseline(patch_groups=["STG", "web servers", "prd/ap-1", "Gruppe-ä"])) == []
    errs = errors(p, PB, baseline(patch_groups=["STG#1"]))
    assert [(a, s) for a, s, _ in errs] == [("patch_groups", "Invalid character")], errs
    assert "STG#1" in errs[0][2]


def test_empty_target_values(p):
    target = {"window_id": WID, "resource_type": "INSTANCE",
              "targets": [{"key": "tag:PatchGroup", "values": []}]}
    task = {"window_id": WID, "task_type": "RUN_COMMAND", "task_arn": "AWS-RunPatchBaseline",
            "max_concurrency": "1", "max_errors": "1",
            "targets": [{"key": "WindowTargetIds", "values": []}]}
    for type_name, cfg in ((TARGET, target), (TASK, task)):
        errs = errors(p, type_name, cfg)
        assert [(a, s) for a, s, _ in errs] == [("targets[0].values", "Too few elements")], errs
    target["targets"][0]["values"] = ["STG"]
    task["targets"][0]["values"] = [TID]
    assert errors(p, TARGET, target) == [] and errors(p, TASK, task) == []


def test_schedule_timezone(p):
    for tz in ("Asia/Tokyo", "UTC", "US/Pacific", "Etc/GMT+9", "America/Argentina/Buenos_Aires"):
        assert errors(p, MW, window(schedule_timezone=tz)) == [], tz
    errs = errors(p, MW, window(schedule_timezone="Asia/Tokio"))
    assert [(a, s) for a, s, _ in errs] == [("schedule_timezone", "Unknown time zone")], errs
    errs = errors(p, MW, window(schedule_timezone="asia/tokyo"))
    assert [(a, s) for a, s, _ in errs] == [("schedule_timezone", "Unknown time zone")], errs
    assert '"Asia/Tokyo"' in errs[0][2]


def test_patch_filters_per_rule_from_model(p):
    keys = ["PRODUCT", "CLASSIFICATION", "SEVERITY", "PATCH_SET", "MSRC_SEVERITY"]
    rule = lambda n: {"approve_after_days": 7,  # noqa: E731
                      "patch_filter": [{"key": k, "values": ["*"]} for k in keys[:n]]}
    assert errors(p, PB, baseline(approval_rule=[rule(4)])) == []
    errs = errors(p, PB, baseline(approval_rule=[rule(5)]))
    assert [(a, s) for a, s, _ in errs] == [("approval_rule[0].patch_filter", "Too many blocks")], errs


def test_task_description_sensitive(p):
    attrs = p.schema.raw.resource_schemas[TASK].block.attributes
    assert [a.sensitive for a in attrs if a.name == "description"] == [True]


def test_default_tags_and_tags_over_the_limit_at_plan(ep):
    """50 tags of its own are fine alone; with a provider default tag, the
    object would carry 51: refused at plan, before any SSM call changes
    anything."""
    prov = Provider(protocol=6)
    try:
        prov.configure(ep.provider_config(default_tags=[{"tags": {"ManagedBy": "terraform"}}]))
        fifty = {"k%02d" % i: "v" for i in range(50)}
        with pytest.raises(OperationFailed) as ei:
            prov.apply(PB, baseline(name=ep.name("win-a"), tags=fifty))
        errs = [d for d in ei.value.diagnostics if d.is_error]
        assert [(d.attribute, d.summary) for d in errs] == [("tags", "Too many tags")], errs
        assert "51" in errs[0].detail
        assert ep.baselines() == []
    finally:
        prov.close()
