"""ValidateResourceTypeConfig / ValidateResourceConfig: the seed scenario is
clean, each bad configuration gets an error at the right attribute path, and
unknown values (references to objects not yet created) never cause errors."""

import pytest

from harness import cty
from harness.schema import unknown_variants
from harness.seed import seed_stack

BASE = {
    "ssmpatch_patch_baseline": {
        "name": "bl-test", "operating_system": "AMAZON_LINUX_2",
        "approval_rule": [{"approve_after_days": 7,
                           "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]}]}]},
    "ssmpatch_maintenance_window": {
        "name": "mw-test", "schedule": "cron(0 2 ? * SUN *)", "duration": 3, "cutoff": 1},
    "ssmpatch_window_target": {
        "window_id": "mw-0123456789abcdef0", "resource_type": "INSTANCE",
        "targets": [{"key": "tag:Env", "values": ["stg"]}]},
    "ssmpatch_window_task": {
        "window_id": "mw-0123456789abcdef0", "task_type": "RUN_COMMAND", "task_arn": "AWS-RunPatchBaseline",
        "targets": [{"key": "WindowTargetIds", "values": ["e32eecb2-646c-4f4b-8ed1-205fb0a1b2c3"]}],
        "max_concurrency": "50%", "max_errors": "50%"},
}

RC = "task_invocation_parameters[0].run_command_parameters[0]."


def _set(d, path, value):
    """Copy of d with the value at a path of keys/indexes replaced (value
    DELETE removes the key)."""
    import copy
    d = copy.deepcopy(d)
    cur = d
    for k in path[:-1]:
        cur = cur[k]
    if value is DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return d


DELETE = object()
B, W, T, K = ("ssmpatch_patch_baseline", "ssmpatch_maintenance_window", "ssmpatch_window_target",
              "ssmpatch_window_task")

# (id, resource type, config, acceptable attribute paths; a path ending in
# '*' accepts anything below that prefix)
BAD = [
    ("bl-name-short", B, _set(BASE[B], ["name"], "ab"), ["name"]),
    ("bl-name-chars", B, _set(BASE[B], ["name"], "bad name!"), ["name"]),
    ("bl-name-long", B, _set(BASE[B], ["name"], "x" * 129), ["name"]),
    ("bl-desc-empty", B, _set(BASE[B], ["description"], ""), ["description"]),
    ("bl-desc-long", B, _set(BASE[B], ["description"], "d" * 1025), ["description"]),
    ("bl-os", B, _set(BASE[B], ["operating_system"], "AMAZON_LINUX_3000"), ["operating_system"]),
    ("bl-apc-level", B, _set(BASE[B], ["approved_patches_compliance_level"], "SEVERE"),
     ["approved_patches_compliance_level"]),
    ("bl-rej-action", B, _set(BASE[B], ["rejected_patches_action"], "DROP"), ["rejected_patches_action"]),
    ("bl-approved-51", B, _set(BASE[B], ["approved_patches"], ["KB%07d" % i for i in range(51)]),
     ["approved_patches"]),
    ("bl-approved-empty-item", B, _set(BASE[B], ["approved_patches"], [""]), ["approved_patches"]),
    ("bl-rejected-long-item", B, _set(BASE[B], ["rejected_patches"], ["p" * 101]), ["rejected_patches"]),
    ("bl-group-long", B, _set(BASE[B], ["patch_groups"], ["g" * 257]), ["patch_groups"]),
    ("bl-days-high", B, _set(BASE[B], ["approval_rule", 0, "approve_after_days"], 361),
     ["approval_rule[0].approve_after_days"]),
    ("bl-days-negative", B, _set(BASE[B], ["approval_rule", 0, "approve_after_days"], -1),
     ["approval_rule[0].approve_after_days"]),
    ("bl-until-format", B, _set(_set(BASE[B], ["approval_rule", 0, "approve_after_days"], DELETE),
                                ["approval_rule", 0, "approve_until_date"], "2024/01/01"),
     ["approval_rule[0].approve_until_date"]),
    ("bl-days-and-until", B, _set(BASE[B], ["approval_rule", 0, "approve_until_date"], "2024-01-01"),
     ["approval_rule[0]*"]),
    ("bl-rule-level", B, _set(BASE[B], ["approval_rule", 0, "compliance_level"], "URGENT"),
     ["approval_rule[0].compliance_level"]),
    ("bl-filter-key", B, _set(BASE[B], ["approval_rule", 0, "patch_filter", 0, "key"], "COLOR"),
     ["approval_rule[0].patch_filter[0].key"]),
    ("bl-filter-values-empty", B, _set(BASE[B], ["approval_rule", 0, "patch_filter", 0, "values"], []),
     ["approval_rule[0].patch_filter[0].values"]),
    ("bl-filter-values-21", B, _set(BASE[B], ["approval_rule", 0, "patch_filter", 0, "values"],
                                    ["v%d" % i for i in range(21)]),
     ["approval_rule[0].patch_filter[0].values"]),
    ("bl-global-filter-key", B, _set(BASE[B], ["global_filter"], [{"key": "NOPE", "values": ["x"]}]),
     ["global_filter[0].key"]),
    ("bl-source-name", B, _set(BASE[B], ["source"], [{"name": "a", "configuration": "[main]", "products": ["p"]}]),
     ["source[0].name"]),
    ("bl-source-config-empty", B, _set(BASE[B], ["source"], [{"name": "repo1", "configuration": "",
                                                              "products": ["p"]}]),
     ["source[0].configuration"]),
    ("bl-source-products-empty", B, _set(BASE[B], ["source"], [{"name": "repo1", "configuration": "[main]",
                                                                "products": []}]),
     ["source[0].products"]),
    ("mw-schedule-words", W, _set(BASE[W], ["schedule"], "every day at two"), ["schedule"]),
    ("mw-schedule-cron-fields", W, _set(BASE[W], ["schedule"], "cron(0 2 * *)"), ["schedule"]),
    ("mw-schedule-rate-unit", W, _set(BASE[W], ["schedule"], "rate(5 weeks)"), ["schedule"]),
    ("mw-schedule-at", W, _set(BASE[W], ["schedule"], "at(2024-13-45T99:00:00)"), ["schedule"]),
    ("mw-duration-0", W, _set(BASE[W], ["duration"], 0), ["duration"]),
    ("mw-duration-25", W, _set(BASE[W], ["duration"], 25), ["duration"]),
    ("mw-duration-fraction", W, _set(BASE[W], ["duration"], 1.5), ["duration"]),
    ("mw-cutoff-24", W, _set(BASE[W], ["cutoff"], 24), ["cutoff"]),
    ("mw-cutoff-negative", W, _set(BASE[W], ["cutoff"], -1), ["cutoff"]),
    ("mw-cutoff-not-below-duration", W, _set(BASE[W], ["cutoff"], 3), ["cutoff"]),
    ("mw-offset-7", W, _set(BASE[W], ["schedule_offset"], 7), ["schedule_offset"]),
    ("mw-offset-with-rate", W, _set(_set(BASE[W], ["schedule"], "rate(2 days)"), ["schedule_offset"], 2),
     ["schedule_offset"]),
    ("mw-name-short", W, _set(BASE[W], ["name"], "mw"), ["name"]),
    ("mw-desc-long", W, _set(BASE[W], ["description"], "d" * 129), ["description"]),
    ("mw-start-date", W, _set(BASE[W], ["start_date"], "tomorrow"), ["start_date"]),
    ("tg-resource-type", T, _set(BASE[T], ["resource_type"], "VM"), ["resource_type"]),
    ("tg-key", T, _set(BASE[T], ["targets", 0, "key"], "Color"), ["targets[0].key"]),
    ("tg-values-51", T, _set(BASE[T], ["targets", 0, "values"], ["i-%017d" % i for i in range(51)]),
     ["targets[0].values"]),
    ("tg-name", T, _set(BASE[T], ["name"], "a b"), ["name"]),
    ("tg-desc-empty", T, _set(BASE[T], ["description"], ""), ["description"]),
    ("tg-owner-long", T, _set(BASE[T], ["owner_information"], "o" * 129), ["owner_information"]),
    ("tk-type", K, _set(BASE[K], ["task_type"], "SHELL"), ["task_type"]),
    ("tk-concurrency-0", K, _set(BASE[K], ["max_concurrency"], "0"), ["max_concurrency"]),
    ("tk-concurrency-101", K, _set(BASE[K], ["max_concurrency"], "101%"), ["max_concurrency"]),
    ("tk-errors-text", K, _set(BASE[K], ["max_errors"], "abc"), ["max_errors"]),
    ("tk-priority-negative", K, _set(BASE[K], ["priority"], -1), ["priority"]),
    ("tk-cutoff-behavior", K, _set(BASE[K], ["cutoff_behavior"], "STOP"), ["cutoff_behavior"]),
    ("tk-target-key", K, _set(BASE[K], ["targets", 0, "key"], "Tag"), ["targets[0].key"]),
    ("tk-target-ids-11", K, _set(BASE[K], ["targets", 0, "values"], ["id%d" % i for i in range(11)]),
     ["targets[0].values"]),
    ("tk-name", K, _set(BASE[K], ["name"], "x"), ["name"]),
    ("tk-params-mismatch", K, _set(BASE[K], ["task_invocation_parameters"],
                                   [{"automation_parameters": [{"document_version": "$LATEST"}]}]),
     ["task_invocation_parameters*", "task_type"]),
    ("tk-params-two", K, _set(BASE[K], ["task_invocation_parameters"],
                              [{"run_command_parameters": [{"comment": "a"}],
                                "lambda_parameters": [{"qualifier": "1"}]}]),
     ["task_invocation_parameters*"]),
    ("tk-timeout-10", K, _set(BASE[K], ["task_invocation_parameters"],
                              [{"run_command_parameters": [{"timeout_seconds": 10}]}]),
     [RC + "timeout_seconds"]),
    ("tk-hash-type", K, _set(BASE[K], ["task_invocation_parameters"],
                             [{"run_command_parameters": [{"document_hash_type": "MD5"}]}]),
     [RC + "document_hash_type"]),
    ("tk-limits-without-targets", K, _set(BASE[K], ["targets"], DELETE), ["max_concurrency", "max_errors"]),
]


def _matches(diag_path, accepted):
    for a in accepted:
        if a.endswith("*"):
            if diag_path.startswith(a[:-1]):
                return True
        elif diag_path == a:
            return True
    return False


@pytest.fixture(scope="module")
def prov(provider_binary):
    from harness.provider import Provider
    p = Provider(binary=provider_binary, protocol=6)
    yield p
    p.close()
    p.plugin.check_clean_exit()


@pytest.mark.parametrize("type_name", sorted(BASE))
def test_base_configs_are_valid(prov, type_name):
    diags = prov.validate(type_name, BASE[type_name])
    assert not [d for d in diags if d.is_error], diags


def test_bad_table_is_large_enough():
    assert len(BAD) >= 30


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_config_rejected_with_path(prov, case):
    _, type_name, cfg, accepted = case
    diags = prov.validate(type_name, cfg)
    errs = [d for d in diags if d.is_error]
    assert errs, "no error for %s" % (cfg,)
    assert any(_matches(d.attribute, accepted) for d in errs), \
        "error(s) at %s, expected %s" % ([d.attribute for d in errs], accepted)
    for d in errs:
        assert d.summary.strip(), "empty summary"


def test_seed_scenario_validates_clean(prov):
    s = seed_stack(prov, bucket="seed-output-bucket")
    for name, diags in s.validate().items():
        assert not diags, "%s: %s" % (name, diags)


@pytest.mark.parametrize("type_name", sorted(BASE))
def test_unknown_values_validate_clean(prov, type_name):
    blk = prov.block(type_name)
    bad = []
    for what, cfg in unknown_variants(blk, BASE[type_name], whole_blocks=True):
        errs = [d for d in prov.validate(type_name, cfg) if d.is_error]
        if errs:
            bad.append("%s: %s" % (what, errs))
    # everything unknown at once
    allu = {n: cty.UNKNOWN for n, a in blk.attributes.items() if a.optional or a.required}
    # Blocks too (a dynamic block over an unknown for_each): an absent required
    # block is a real error, an unknown block list is not.
    allu.update({n: cty.UNKNOWN for n in blk.block_types})
    errs = [d for d in prov.validate(type_name, allu) if d.is_error]
    if errs:
        bad.append("all unknown: %s" % errs)
    assert not bad, "\n".join(bad)


def test_seed_task_with_unknown_parameters_clean(prov):
    """Task parameters whose values come from other resources."""
    from harness.seed import task
    cfg = task("scan", cty.UNKNOWN, cty.UNKNOWN, cty.UNKNOWN)
    cfg["task_invocation_parameters"][0]["run_command_parameters"][0]["parameter"][0]["values"] = [cty.UNKNOWN]
    assert not prov.validate("ssmpatch_window_task", cfg)


PROVIDER_BAD = [
    ("max-retries-negative", {"max_retries": -1}, ["max_retries"]),
    ("assume-role-duration", {"assume_role": [{"role_arn": "arn:aws:iam::123456789012:role/x",
                                               "duration": "forever"}]}, ["assume_role[0].duration"]),
    ("assume-role-arn", {"assume_role": [{"role_arn": "not-an-arn"}]}, ["assume_role[0].role_arn"]),
    ("endpoint-url", {"endpoints": [{"ssm": "not a url"}]}, ["endpoints[0].ssm"]),
]


@pytest.mark.parametrize("case", PROVIDER_BAD, ids=[c[0] for c in PROVIDER_BAD])
def test_bad_provider_config_rejected_with_path(prov, case):
    _, cfg, accepted = case
    errs = [d for d in prov.validate_provider(cfg) if d.is_error]
    assert errs, "no error for provider config %s" % cfg
    assert any(_matches(d.attribute, accepted) for d in errs), \
        "error(s) at %s, expected %s" % ([d.attribute for d in errs], accepted)


def test_provider_config_unknowns_and_empty_clean(prov):
    from harness import cty as _cty
    assert not [d for d in prov.validate_provider({}) if d.is_error]
    cfg = {"region": _cty.UNKNOWN, "access_key": _cty.UNKNOWN, "secret_key": _cty.UNKNOWN,
           "assume_role": [{"role_arn": _cty.UNKNOWN, "duration": _cty.UNKNOWN}],
           "endpoints": [{"ssm": _cty.UNKNOWN}], "max_retries": _cty.UNKNOWN}
    assert not [d for d in prov.validate_provider(cfg) if d.is_error]


def test_configure_without_credentials_is_lazy(provider_binary):
    """Credentials are resolved at the first API call: Configure succeeds
    without any, and the first API call fails with a diagnostic."""
    from harness.errors import OperationFailed
    from harness.provider import Provider
    env = {k: None for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                             "AWS_PROFILE")}
    env.update(HOME="/nonexistent", AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
               AWS_EC2_METADATA_DISABLED="true", AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:9")
    p = Provider(binary=provider_binary, protocol=6, env=env)
    try:
        p.configure({"region": "us-east-1", "endpoints": [{"ssm": "http://127.0.0.1:9", "sts": "http://127.0.0.1:9"}],
                     "max_retries": 0})
        with pytest.raises(OperationFailed) as ei:
            p.apply("ssmpatch_maintenance_window", {"name": "mw-nocreds", "schedule": "rate(2 days)",
                                                    "duration": 2, "cutoff": 1})
        assert ei.value.state is None
    finally:
        p.close()
    p.plugin.check_clean_exit()


@pytest.mark.parametrize("rpc,what", [("validate_resource", "resource type"),
                                      ("validate_data_source", "data source")])
def test_unknown_type_is_named(prov, rpc, what):
    """A type name the provider does not have: one error that names it (the
    engine's lookup), before the configuration is looked at."""
    req = prov._msg(rpc).Request(type_name="ssmpatch_nope", config=prov.pb.DynamicValue(msgpack=b"\xc0"))
    diags = prov._diags(prov.rpc(prov.names[rpc], req).diagnostics)
    assert [(d.severity, d.summary, d.detail) for d in diags] == [
        ("error", "Unsupported " + what, 'The provider ssmpatch has no %s "ssmpatch_nope".' % what)]
