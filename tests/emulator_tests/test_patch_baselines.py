"""Patch baselines, patch groups, default baselines and tags, through botocore."""

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from emu_helpers import all_pages, caller, error_code

AL2_RULES = {"PatchRules": [{
    "PatchFilterGroup": {"PatchFilters": [
        {"Key": "CLASSIFICATION", "Values": ["Security", "Bugfix"]},
        {"Key": "SEVERITY", "Values": ["Critical", "Important"]}]},
    "ApproveAfterDays": 7}]}


def create_al2(ssm, name="stg-al2", **kw):
    args = dict(Name=name, OperatingSystem="AMAZON_LINUX_2", ApprovalRules=AL2_RULES)
    args.update(kw)
    return ssm.create_patch_baseline(**args)["BaselineId"]


def test_create_and_get_returns_every_field_with_defaults(ssm):
    bid = create_al2(ssm, Description="STG baseline",
                     Tags=[{"Key": "env", "Value": "stg"}])
    assert re.fullmatch(r"pb-[0-9a-f]{17}", bid)
    got = ssm.get_patch_baseline(BaselineId=bid)
    assert got["BaselineId"] == bid
    assert got["Name"] == "stg-al2"
    assert got["OperatingSystem"] == "AMAZON_LINUX_2"
    assert got["Description"] == "STG baseline"
    rule = got["ApprovalRules"]["PatchRules"][0]
    assert rule["ApproveAfterDays"] == 7
    assert rule["ComplianceLevel"] == "UNSPECIFIED"
    assert rule["EnableNonSecurity"] is False
    assert got["GlobalFilters"] == {"PatchFilters": []}
    assert got["ApprovedPatches"] == [] and got["RejectedPatches"] == []
    assert got["ApprovedPatchesComplianceLevel"] == "UNSPECIFIED"
    assert got["ApprovedPatchesEnableNonSecurity"] is False
    assert got["RejectedPatchesAction"] == "ALLOW_AS_DEPENDENCY"
    assert got["PatchGroups"] == []
    assert got["Sources"] == []
    # botocore parsed epoch numbers into datetimes
    assert isinstance(got["CreatedDate"], datetime.datetime)
    assert got["ModifiedDate"] >= got["CreatedDate"]
    tags = ssm.list_tags_for_resource(ResourceType="PatchBaseline", ResourceId=bid)["TagList"]
    assert tags == [{"Key": "env", "Value": "stg"}]


def test_operating_system_defaults_to_windows(ssm):
    bid = ssm.create_patch_baseline(Name="win", ApprovalRules={"PatchRules": [{
        "PatchFilterGroup": {"PatchFilters": [{"Key": "MSRC_SEVERITY", "Values": ["Critical"]}]},
        "ApproveAfterDays": 3}]})["BaselineId"]
    assert ssm.get_patch_baseline(BaselineId=bid)["OperatingSystem"] == "WINDOWS"


def test_client_token_idempotency(ssm, emu):
    a = create_al2(ssm, ClientToken="tok-1")
    b = create_al2(ssm, ClientToken="tok-1")
    assert a == b
    assert len(emu.inventory(emu.account)["patch_baselines"]) == 1
    with pytest.raises(ClientError) as ei:
        create_al2(ssm, name="other-name", ClientToken="tok-1")
    assert error_code(ei) == "IdempotentParameterMismatch"
    c = create_al2(ssm, ClientToken="tok-2")
    assert c != a


def test_get_missing_baseline(ssm):
    with pytest.raises(ClientError) as ei:
        ssm.get_patch_baseline(BaselineId="pb-0123456789abcdef0")
    assert error_code(ei) == "DoesNotExistException"
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_update_without_replace_changes_only_sent_fields(ssm):
    bid = create_al2(ssm, Description="d1", ApprovedPatches=["kernel"],
                     RejectedPatchesAction="BLOCK", RejectedPatches=["bash"])
    out = ssm.update_patch_baseline(BaselineId=bid, Description="d2")
    assert out["Description"] == "d2"
    assert out["ApprovedPatches"] == ["kernel"]
    assert out["RejectedPatchesAction"] == "BLOCK"
    assert "PatchGroups" not in out
    got = ssm.get_patch_baseline(BaselineId=bid)
    assert got["Name"] == "stg-al2" and got["Description"] == "d2"
    assert got["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 7


def test_update_with_replace_clears_unsent_fields(ssm):
    bid = create_al2(ssm, Description="d1", ApprovedPatches=["kernel"],
                     RejectedPatchesAction="BLOCK", RejectedPatches=["bash"],
                     ApprovedPatchesComplianceLevel="HIGH")
    out = ssm.update_patch_baseline(BaselineId=bid, Name="renamed", Replace=True)
    assert out["Name"] == "renamed"
    assert "Description" not in out
    assert out["ApprovedPatches"] == [] and out["RejectedPatches"] == []
    assert out["RejectedPatchesAction"] == "ALLOW_AS_DEPENDENCY"
    assert out["ApprovedPatchesComplianceLevel"] == "UNSPECIFIED"
    assert out["ApprovalRules"] == {"PatchRules": []}
    assert out["OperatingSystem"] == "AMAZON_LINUX_2"
    with pytest.raises(ClientError) as ei:
        ssm.update_patch_baseline(BaselineId=bid, Description="x", Replace=True)
    assert error_code(ei) == "ValidationException"


def test_update_missing_baseline(ssm):
    with pytest.raises(ClientError) as ei:
        ssm.update_patch_baseline(BaselineId="pb-0123456789abcdef0", Description="x")
    assert error_code(ei) == "DoesNotExistException"


def test_delete_missing_baseline_succeeds_like_aws(ssm, emu):
    out = ssm.delete_patch_baseline(BaselineId="pb-0123456789abcdef0")
    assert out["BaselineId"] == "pb-0123456789abcdef0"
    emu.configure(delete_missing="error")
    with pytest.raises(ClientError) as ei:
        ssm.delete_patch_baseline(BaselineId="pb-0123456789abcdef0")
    assert error_code(ei) == "DoesNotExistException"


def test_delete_refused_while_in_a_patch_group_or_default(ssm, emu):
    bid = create_al2(ssm)
    ssm.register_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="STG")
    with pytest.raises(ClientError) as ei:
        ssm.delete_patch_baseline(BaselineId=bid)
    assert error_code(ei) == "ResourceInUseException"
    ssm.deregister_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="STG")
    ssm.register_default_patch_baseline(BaselineId=bid)
    with pytest.raises(ClientError) as ei:
        ssm.delete_patch_baseline(BaselineId=bid)
    assert error_code(ei) == "ResourceInUseException"
    aws_default = ssm.describe_patch_baselines(Filters=[
        {"Key": "OWNER", "Values": ["AWS"]},
        {"Key": "OPERATING_SYSTEM", "Values": ["AMAZON_LINUX_2"]}])["BaselineIdentities"][0]
    ssm.register_default_patch_baseline(BaselineId=aws_default["BaselineId"])
    assert ssm.delete_patch_baseline(BaselineId=bid)["BaselineId"] == bid
    assert emu.inventory(emu.account)["patch_baselines"] == {}
    with pytest.raises(ClientError):
        ssm.get_patch_baseline(BaselineId=bid)


def test_aws_owned_baselines_are_defaults_and_read_only(ssm):
    for os_ in ("WINDOWS", "AMAZON_LINUX_2", "UBUNTU", "REDHAT_ENTERPRISE_LINUX"):
        d = ssm.get_default_patch_baseline(OperatingSystem=os_)
        assert d["OperatingSystem"] == os_
        assert re.fullmatch(r"arn:aws:ssm:us-east-1:\d{12}:patchbaseline/pb-[0-9a-f]{17}",
                            d["BaselineId"])
        got = ssm.get_patch_baseline(BaselineId=d["BaselineId"])
        assert got["OperatingSystem"] == os_
        assert got["Name"].startswith("AWS-")
        assert "Provided by AWS" in got["Description"]
        # AWS-managed baselines are addressed by full ARN only, as in the API reference
        short = d["BaselineId"].rsplit("/", 1)[1]
        with pytest.raises(ClientError) as ei:
            ssm.get_patch_baseline(BaselineId=short)
        assert error_code(ei) == "DoesNotExistException"
    assert ssm.get_default_patch_baseline()["OperatingSystem"] == "WINDOWS"
    arn = ssm.get_default_patch_baseline(OperatingSystem="AMAZON_LINUX_2")["BaselineId"]
    with pytest.raises(ClientError) as ei:
        ssm.update_patch_baseline(BaselineId=arn, Description="mine now")
    assert error_code(ei) == "DoesNotExistException"
    with pytest.raises(ClientError) as ei:
        ssm.delete_patch_baseline(BaselineId=arn)
    assert error_code(ei) == "ResourceInUseException"


def test_default_registration_and_restore(ssm, emu):
    aws_arn = ssm.get_default_patch_baseline(OperatingSystem="AMAZON_LINUX_2")["BaselineId"]
    bid = create_al2(ssm)
    assert ssm.register_default_patch_baseline(BaselineId=bid)["BaselineId"] == bid
    assert ssm.get_default_patch_baseline(OperatingSystem="AMAZON_LINUX_2")["BaselineId"] == bid
    # other operating systems keep AWS's default
    assert ssm.get_default_patch_baseline(OperatingSystem="UBUNTU")["BaselineId"].startswith("arn:")
    assert emu.inventory(emu.account)["default_baselines"] == {"AMAZON_LINUX_2": bid}
    ident = ssm.describe_patch_baselines(Filters=[{"Key": "OWNER", "Values": ["Self"]}])
    assert ident["BaselineIdentities"][0]["DefaultBaseline"] is True
    ssm.register_default_patch_baseline(BaselineId=aws_arn)
    assert ssm.get_default_patch_baseline(OperatingSystem="AMAZON_LINUX_2")["BaselineId"] == aws_arn
    assert emu.inventory(emu.account)["default_baselines"] == {}
    with pytest.raises(ClientError) as ei:
        ssm.register_default_patch_baseline(BaselineId="pb-0123456789abcdef0")
    assert error_code(ei) == "DoesNotExistException"


def test_patch_groups_one_baseline_per_os(ssm):
    stg = create_al2(ssm, name="stg")
    prd = create_al2(ssm, name="prd")
    win = ssm.create_patch_baseline(Name="win")["BaselineId"]
    out = ssm.register_patch_baseline_for_patch_group(BaselineId=stg, PatchGroup="STG")
    assert out["BaselineId"] == stg and out["PatchGroup"] == "STG"
    with pytest.raises(ClientError) as ei:
        ssm.register_patch_baseline_for_patch_group(BaselineId=prd, PatchGroup="STG")
    assert error_code(ei) == "AlreadyExistsException"
    # another OS in the same group is fine
    ssm.register_patch_baseline_for_patch_group(BaselineId=win, PatchGroup="STG")
    ssm.register_patch_baseline_for_patch_group(BaselineId=stg, PatchGroup="STG-2")
    with pytest.raises(ClientError) as ei:
        ssm.register_patch_baseline_for_patch_group(BaselineId="pb-0123456789abcdef0",
                                                    PatchGroup="X")
    assert error_code(ei) == "DoesNotExistException"
    assert ssm.get_patch_baseline(BaselineId=stg)["PatchGroups"] == ["STG", "STG-2"]
    got = ssm.get_patch_baseline_for_patch_group(PatchGroup="STG", OperatingSystem="AMAZON_LINUX_2")
    assert got["BaselineId"] == stg and got["OperatingSystem"] == "AMAZON_LINUX_2"
    assert ssm.get_patch_baseline_for_patch_group(PatchGroup="STG")["BaselineId"] == win
    # no registration for the OS: the baseline that applies is the OS default
    unreg = ssm.get_patch_baseline_for_patch_group(PatchGroup="STG", OperatingSystem="UBUNTU")
    assert unreg["BaselineId"] == ssm.get_default_patch_baseline(OperatingSystem="UBUNTU")["BaselineId"]
    maps = ssm.describe_patch_groups()["Mappings"]
    assert {(m["PatchGroup"], m["BaselineIdentity"]["BaselineId"]) for m in maps} == {
        ("STG", stg), ("STG", win), ("STG-2", stg)}
    only = ssm.describe_patch_groups(Filters=[{"Key": "NAME_PREFIX", "Values": ["STG-"]}])
    assert [m["PatchGroup"] for m in only["Mappings"]] == ["STG-2"]
    ssm.deregister_patch_baseline_for_patch_group(BaselineId=stg, PatchGroup="STG")
    with pytest.raises(ClientError) as ei:
        ssm.deregister_patch_baseline_for_patch_group(BaselineId=stg, PatchGroup="STG")
    assert error_code(ei) == "InvalidResourceId"
    assert ssm.get_patch_baseline(BaselineId=stg)["PatchGroups"] == ["STG-2"]
    # now prd can take the group
    ssm.register_patch_baseline_for_patch_group(BaselineId=prd, PatchGroup="STG")


def test_describe_patch_baselines_filters_and_pagination(ssm):
    ids = [create_al2(ssm, name="page-%02d" % i) for i in range(7)]
    create_al2(ssm, name="other")
    seen = all_pages(caller(ssm), "DescribePatchBaselines",
                     {"Filters": [{"Key": "NAME_PREFIX", "Values": ["page-"]}]},
                     "BaselineIdentities", page_size=3)
    assert [b["BaselineId"] for b in seen] == ids
    own = ssm.describe_patch_baselines(Filters=[{"Key": "OWNER", "Values": ["Self"]}])
    assert len(own["BaselineIdentities"]) == 8
    aws = ssm.describe_patch_baselines(Filters=[{"Key": "OWNER", "Values": ["AWS"]}],
                                       MaxResults=100)
    assert all(b["BaselineId"].startswith("arn:aws:ssm:") for b in aws["BaselineIdentities"])
    assert all(b["DefaultBaseline"] for b in aws["BaselineIdentities"])
    with pytest.raises(ClientError) as ei:
        ssm.describe_patch_baselines(NextToken="garbage")
    assert error_code(ei) == "ValidationException"


def test_tags_add_remove_list(ssm, emu):
    bid = create_al2(ssm)
    ssm.add_tags_to_resource(ResourceType="PatchBaseline", ResourceId=bid,
                             Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ssm.add_tags_to_resource(ResourceType="PatchBaseline", ResourceId=bid,
                             Tags=[{"Key": "a", "Value": "9"}])
    tags = ssm.list_tags_for_resource(ResourceType="PatchBaseline", ResourceId=bid)["TagList"]
    assert {t["Key"]: t["Value"] for t in tags} == {"a": "9", "b": "2"}
    ssm.remove_tags_from_resource(ResourceType="PatchBaseline", ResourceId=bid, TagKeys=["a", "zz"])
    tags = ssm.list_tags_for_resource(ResourceType="PatchBaseline", ResourceId=bid)["TagList"]
    assert tags == [{"Key": "b", "Value": "2"}]
    assert emu.inventory(emu.account)["patch_baselines"][bid]["Tags"] == {"b": "2"}
    with pytest.raises(ClientError) as ei:
        ssm.list_tags_for_resource(ResourceType="PatchBaseline", ResourceId="pb-0123456789abcdef0")
    assert error_code(ei) == "InvalidResourceId"
    with pytest.raises(ClientError) as ei:
        ssm.list_tags_for_resource(ResourceType="Document", ResourceId="doc")
    assert error_code(ei) == "InvalidResourceType"
    with pytest.raises(ClientError) as ei:
        ssm.add_tags_to_resource(ResourceType="PatchBaseline", ResourceId=bid,
                                 Tags=[{"Key": "aws:reserved", "Value": "x"}])
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        ssm.add_tags_to_resource(ResourceType="PatchBaseline", ResourceId=bid,
                                 Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(50)])
    assert error_code(ei) == "TooManyTagsError"


@pytest.mark.parametrize("rule, ok", [
    ({"ApproveAfterDays": 7}, True),
    ({"ApproveUntilDate": "2024-12-31"}, True),
    ({}, False),
    ({"ApproveAfterDays": 7, "ApproveUntilDate": "2024-12-31"}, False),
    ({"ApproveUntilDate": "2024-13-01"}, False),
    ({"ApproveUntilDate": "31/12/2024"}, False),
])
def test_approval_rule_needs_exactly_one_of_days_or_date(ssm, rule, ok):
    r = {"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security"]}]}}
    r.update(rule)
    call = lambda: ssm.create_patch_baseline(Name="rules", OperatingSystem="AMAZON_LINUX_2",  # noqa: E731
                                             ApprovalRules={"PatchRules": [r]})
    if ok:
        call()
    else:
        with pytest.raises(ClientError) as ei:
            call()
        assert error_code(ei) == "ValidationException"


def test_ubuntu_rules_take_no_approval_delay(ssm):
    r = {"PatchFilterGroup": {"PatchFilters": [{"Key": "PRIORITY", "Values": ["Required"]}]}}
    ssm.create_patch_baseline(Name="ubuntu", OperatingSystem="UBUNTU",
                              ApprovalRules={"PatchRules": [r]})
    with pytest.raises(ClientError) as ei:
        ssm.create_patch_baseline(Name="ubuntu", OperatingSystem="UBUNTU",
                                  ApprovalRules={"PatchRules": [dict(r, ApproveAfterDays=3)]})
    assert error_code(ei) == "ValidationException"


def test_patch_filter_keys_checked_per_os(ssm):
    with pytest.raises(ClientError) as ei:
        ssm.create_patch_baseline(Name="bad", OperatingSystem="AMAZON_LINUX_2", GlobalFilters={
            "PatchFilters": [{"Key": "MSRC_SEVERITY", "Values": ["Critical"]}]})
    assert error_code(ei) == "ValidationException"
    assert "MSRC_SEVERITY" in ei.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as ei:
        ssm.create_patch_baseline(Name="dup", OperatingSystem="AMAZON_LINUX_2", GlobalFilters={
            "PatchFilters": [{"Key": "PRODUCT", "Values": ["a"]}, {"Key": "PRODUCT", "Values": ["b"]}]})
    assert error_code(ei) == "ValidationException"


def test_sources_round_trip(ssm):
    src = [{"Name": "My-AL2", "Products": ["AmazonLinux2"],
            "Configuration": "[main]\nname=x\nbaseurl=https://repo/"}]
    bid = create_al2(ssm, Sources=src)
    assert ssm.get_patch_baseline(BaselineId=bid)["Sources"] == src


def test_resource_limits_when_configured(ssm, emu):
    emu.configure(limits={"patch_baselines": 2, "patch_groups_per_baseline": 1})
    a = create_al2(ssm, name="one")
    create_al2(ssm, name="two")
    with pytest.raises(ClientError) as ei:
        create_al2(ssm, name="three")
    assert error_code(ei) == "ResourceLimitExceededException"
    ssm.register_patch_baseline_for_patch_group(BaselineId=a, PatchGroup="G1")
    with pytest.raises(ClientError) as ei:
        ssm.register_patch_baseline_for_patch_group(BaselineId=a, PatchGroup="G2")
    assert error_code(ei) == "ResourceLimitExceededException"
