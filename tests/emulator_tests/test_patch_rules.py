"""How the emulator's patching simulation applies a patch baseline to an instance: which
baseline (patch group, OS default, AWS's default), approval rules and their filters,
approved and rejected lists, compliance levels, products; DescribeInstanceInformation
and DescribeEffectivePatchesForPatchBaseline."""

import pytest
from botocore.exceptions import ClientError

from emu_helpers import all_pages, caller, error_code

AL2 = "AMAZON_LINUX_2"
DAY = 86400


@pytest.fixture
def call(emu, ssm):
    emu.clock(set="2024-06-01T00:00:00Z", freeze=True)
    return caller(ssm)


def patch(title, days=40, classification="Security", severity="Critical", os_=AL2, **kw):
    p = {"OperatingSystem": os_, "Title": title, "Classification": classification,
         "Severity": severity, "ReleasedDaysAgo": days}
    p.update(kw)
    return p


def scan(emu, call, iids, operation="Scan", reboot="NoReboot"):
    cmd = call("SendCommand", {"DocumentName": "AWS-RunPatchBaseline", "InstanceIds": list(iids),
                               "Parameters": {"Operation": [operation], "RebootOption": [reboot]}})
    emu.advance_commands(cmd["Command"]["CommandId"])


def states(call, iid):
    rows = all_pages(call, "DescribeInstancePatches", {"InstanceId": iid}, "Patches")
    return {r["Title"]: r["State"] for r in rows}


def baseline(call, rules=None, group=None, **kw):
    body = {"Name": kw.pop("Name", "rules"), "OperatingSystem": kw.pop("OperatingSystem", AL2),
            "ApprovalRules": {"PatchRules": rules or []}}
    body.update(kw)
    bid = call("CreatePatchBaseline", body)["BaselineId"]
    if group:
        call("RegisterPatchBaselineForPatchGroup", {"BaselineId": bid, "PatchGroup": group})
    return bid


def rule(filters, days=0, level="UNSPECIFIED", **kw):
    r = {"PatchFilterGroup": {"PatchFilters": [{"Key": k, "Values": v} for k, v in filters]},
         "ComplianceLevel": level, "ApproveAfterDays": days}
    r.update(kw)
    return r


def test_no_patch_group_uses_aws_default_baseline(emu, call):
    emu.add_patches([patch("crit-5d", days=5), patch("crit-8d", days=8),
                     patch("important-40d", severity="Important"), patch("low-40d", severity="Low")])
    iid = emu.add_instances([{"OperatingSystem": AL2}])[0]
    scan(emu, call, [iid])
    # AWS-AmazonLinux2DefaultPatchBaseline: Security Critical/Important, 7 days after release
    assert states(call, iid) == {"crit-8d": "MISSING", "important-40d": "MISSING"}
    s = call("DescribeInstancePatchStates", {"InstanceIds": [iid]})["InstancePatchStates"][0]
    default = call("GetDefaultPatchBaseline", {"OperatingSystem": AL2})["BaselineId"]
    assert s["BaselineId"] == default and default.startswith("arn:aws:ssm:us-east-1:")
    assert s["PatchGroup"] == ""
    # a default of our own takes over for instances without a patch group
    mine = baseline(call, [rule([("SEVERITY", ["Low"])])])
    call("RegisterDefaultPatchBaseline", {"BaselineId": mine})
    scan(emu, call, [iid])
    assert states(call, iid) == {"low-40d": "MISSING"}


def test_patch_group_baseline_is_per_operating_system(emu, call):
    emu.add_patches([patch("al2-crit"), patch("win-crit", os_="WINDOWS",
                                              classification="SecurityUpdates")])
    al2, win = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Patch Group": "web"}},
                                  {"OperatingSystem": "WINDOWS", "Tags": {"PatchGroup": "web"}}])
    bid = baseline(call, [rule([("CLASSIFICATION", ["Security"])])], group="web")
    scan(emu, call, [al2, win])
    assert states(call, al2) == {"al2-crit": "MISSING"}
    s = call("DescribeInstancePatchStates", {"InstanceIds": [al2, win]})["InstancePatchStates"]
    by = {x["InstanceId"]: x for x in s}
    assert by[al2]["BaselineId"] == bid
    # no WINDOWS baseline for "web": the Windows default (its "PatchGroup" tag spelling counts)
    assert by[win]["BaselineId"] == call("GetDefaultPatchBaseline", {})["BaselineId"]
    assert by[win]["PatchGroup"] == "web"
    assert states(call, win) == {"win-crit": "MISSING"}


def test_filters_severity_classification_product_and_wildcards(emu, call):
    emu.add_patches([patch("a", severity="Critical"), patch("b", severity="Important"),
                     patch("c", classification="Bugfix", severity="None"),
                     patch("d", Product="AmazonLinux2", Name="kernel"),
                     patch("e", Product="AmazonLinux2023", Name="kernel-tools")])
    iid = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Patch Group": "g"}}])[0]
    baseline(call, [rule([("SEVERITY", ["Crit*"]), ("CLASSIFICATION", ["Security"])]),
                    rule([("NAME", ["kernel*"])])], group="g")
    scan(emu, call, [iid])
    # a, d and e match Critical; d and e also match kernel*; e is for another product
    assert states(call, iid) == {"a": "MISSING", "d": "MISSING", "e": "NOT_APPLICABLE"}
    s = call("DescribeInstancePatchStates", {"InstanceIds": [iid]})["InstancePatchStates"][0]
    assert s["NotApplicableCount"] == 1 and s["UnreportedNotApplicableCount"] == 0


def test_enable_non_security_and_global_filters(emu, call):
    emu.add_patches([patch("sec", severity="Medium"), patch("bug", classification="Bugfix",
                                                             severity="Medium")])
    iid = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Patch Group": "g"}}])[0]
    bid = baseline(call, [rule([("SEVERITY", ["Medium"])])], group="g")
    scan(emu, call, [iid])
    assert states(call, iid) == {"sec": "MISSING"}
    call("UpdatePatchBaseline", {"BaselineId": bid, "ApprovalRules": {"PatchRules": [
        rule([("SEVERITY", ["Medium"])], EnableNonSecurity=True)]}})
    scan(emu, call, [iid])
    assert states(call, iid) == {"sec": "MISSING", "bug": "MISSING"}
    call("UpdatePatchBaseline", {"BaselineId": bid, "GlobalFilters": {"PatchFilters": [
        {"Key": "CLASSIFICATION", "Values": ["Bugfix"]}]}})
    scan(emu, call, [iid])
    assert states(call, iid) == {"bug": "MISSING"}


def test_approve_until_date(emu, call):
    emu.add_patches([patch("old", days=40), patch("new", days=5)])
    iid = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Patch Group": "g"}}])[0]
    # released on or before 2024-05-20 (the old one: 2024-04-22; the new one: 2024-05-27)
    baseline(call, [{"PatchFilterGroup": {"PatchFilters": [
        {"Key": "CLASSIFICATION", "Values": ["Security"]}]}, "ApproveUntilDate": "2024-05-20"}],
        group="g")
    scan(emu, call, [iid])
    assert states(call, iid) == {"old": "MISSING"}


def test_approved_and_rejected_lists(emu, call):
    emu.add_patches([patch("listed-low", severity="Low", Name="vim"),
                     patch("crit", Name="bash"), patch("crit-installed", Name="zsh")])
    iid = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Patch Group": "g"},
                              "Installed": ["zsh.x86_64:0:0-0"]}])[0]
    bid = baseline(call, [rule([("SEVERITY", ["Critical"])], level="CRITICAL")], group="g",
                   ApprovedPatches=["vim*"], ApprovedPatchesComplianceLevel="LOW",
                   RejectedPatches=["bash*", "zsh*"])
    scan(emu, call, [iid])
    # rejected wins over the rule; an installed rejected patch is InstalledOther with
    # ALLOW_AS_DEPENDENCY, InstalledRejected with BLOCK
    assert states(call, iid) == {"listed-low": "MISSING", "crit-installed": "INSTALLED_OTHER"}
    s = call("DescribeInstancePatchStates", {"InstanceIds": [iid]})["InstancePatchStates"][0]
    assert s["CriticalNonCompliantCount"] == 0 and s["SecurityNonCompliantCount"] == 1
    call("UpdatePatchBaseline", {"BaselineId": bid, "RejectedPatchesAction": "BLOCK"})
    scan(emu, call, [iid])
    assert states(call, iid)["crit-installed"] == "INSTALLED_REJECTED"
    s = call("DescribeInstancePatchStates", {"InstanceIds": [iid]})["InstancePatchStates"][0]
    assert s["InstalledRejectedCount"] == 1
    # Install: the rejected patch stays out
    scan(emu, call, [iid], operation="Install", reboot="RebootIfNeeded")
    assert states(call, iid) == {"listed-low": "INSTALLED", "crit-installed": "INSTALLED_REJECTED"}


def test_compliance_levels_count_non_compliance(emu, call):
    emu.add_patches([patch("c1", severity="Critical"), patch("i1", severity="Important"),
                     patch("b1", classification="Bugfix", severity="Important")])
    iid = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Patch Group": "g"}}])[0]
    baseline(call, [rule([("SEVERITY", ["Critical"])], level="CRITICAL"),
                    rule([("SEVERITY", ["Important"])], level="HIGH", EnableNonSecurity=True)],
             group="g")
    scan(emu, call, [iid])
    s = call("DescribeInstancePatchStates", {"InstanceIds": [iid]})["InstancePatchStates"][0]
    assert (s["MissingCount"], s["CriticalNonCompliantCount"], s["SecurityNonCompliantCount"],
            s["OtherNonCompliantCount"]) == (3, 1, 1, 1)
    g = call("DescribePatchGroupState", {"PatchGroup": "g"})
    assert g["InstancesWithOtherNonCompliantPatches"] == 1
    assert call("DescribePatchGroupState", {"PatchGroup": "nobody"})["Instances"] == 0


def test_instance_patch_state_filters(emu, call):
    emu.add_patches([patch("c%d" % i) for i in range(3)])
    ids = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Patch Group": "g"},
                              "Installed": ["c%d" % i for i in range(n)]} for n in range(3)])
    baseline(call, [rule([("SEVERITY", ["Critical"])])], group="g")
    scan(emu, call, ids)

    def where(key, op, value):
        return sorted(s["InstanceId"] for s in call("DescribeInstancePatchStatesForPatchGroup", {
            "PatchGroup": "g", "Filters": [{"Key": key, "Type": op, "Values": [value]}]})[
            "InstancePatchStates"])
    assert where("MissingCount", "GreaterThan", "1") == sorted(ids[:2])
    assert where("InstalledCount", "Equal", "2") == [ids[2]]
    assert where("MissingCount", "LessThan", "3") == sorted(ids[1:])
    assert where("InstalledCount", "NotEqual", "0") == sorted(ids[1:])
    with pytest.raises(ClientError) as ei:
        where("Colour", "Equal", "1")
    assert error_code(ei) == "InvalidFilter"


def test_describe_instance_information(emu, call):
    a, b, w = emu.add_instances([
        {"OperatingSystem": AL2, "Tags": {"Env": "stg", "Name": "web-1"}},
        {"OperatingSystem": AL2, "Tags": {"Env": "prd"}, "PingStatus": "ConnectionLost"},
        {"OperatingSystem": "WINDOWS", "InstanceId": "i-0123456789abcdef0"}])
    assert w == "i-0123456789abcdef0"
    info = {i["InstanceId"]: i for i in call("DescribeInstanceInformation", {})["InstanceInformationList"]}
    assert info[a]["PlatformType"] == "Linux" and info[a]["PlatformName"] == "Amazon Linux"
    assert info[a]["PlatformVersion"] == "2" and info[a]["Name"] == "web-1"
    assert info[w]["PlatformType"] == "Windows" and info[a]["ResourceType"] == "EC2Instance"
    assert info[a]["PingStatus"] == "Online" and info[b]["PingStatus"] == "ConnectionLost"

    def ids(body):
        return sorted(i["InstanceId"] for i in call("DescribeInstanceInformation", body)[
            "InstanceInformationList"])
    assert ids({"Filters": [{"Key": "tag:Env", "Values": ["stg", "prd"]}]}) == sorted([a, b])
    assert ids({"Filters": [{"Key": "tag-key", "Values": ["Name"]}]}) == [a]
    assert ids({"Filters": [{"Key": "PlatformTypes", "Values": ["Windows"]}]}) == [w]
    assert ids({"InstanceInformationFilterList": [{"key": "PingStatus", "valueSet": ["Online"]}]}) == \
        sorted([a, w])
    with pytest.raises(ClientError) as ei:
        ids({"Filters": [{"Key": "InstanceIds", "Values": ["i-0000000000000000f"]}]})
    assert error_code(ei) == "InvalidInstanceId"
    with pytest.raises(ClientError) as ei:
        ids({"Filters": [{"Key": "Colour", "Values": ["x"]}]})
    assert error_code(ei) == "InvalidFilterKey"
    with pytest.raises(ClientError) as ei:
        ids({"Filters": [{"Key": "PingStatus", "Values": ["Online"]}],
             "InstanceInformationFilterList": [{"key": "PingStatus", "valueSet": ["Online"]}]})
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        call("DescribeInstancePatches", {"InstanceId": "i-0000000000000000f"})
    assert error_code(ei) == "InvalidInstanceId"
    assert call("DescribeInstancePatches", {"InstanceId": a})["Patches"] == []   # never scanned


def test_effective_patches_for_a_windows_baseline(emu, call):
    emu.add_patches([patch("KB1 security", os_="WINDOWS", classification="SecurityUpdates",
                           MsrcSeverity="Critical", KBId="KB1", days=10),
                     patch("KB2 security", os_="WINDOWS", classification="SecurityUpdates",
                           MsrcSeverity="Critical", KBId="KB2", days=2),
                     patch("KB3 feature", os_="WINDOWS", classification="FeaturePacks",
                           MsrcSeverity="Low", KBId="KB3", days=10)])
    bid = baseline(call, [rule([("CLASSIFICATION", ["SecurityUpdates"]),
                                ("MSRC_SEVERITY", ["Critical"])], days=7, level="CRITICAL")],
                   OperatingSystem="WINDOWS", Name="win", RejectedPatches=["KB3"])
    got = call("DescribeEffectivePatchesForPatchBaseline", {"BaselineId": bid})["EffectivePatches"]
    status = {e["Patch"]["KbNumber"]: e["PatchStatus"] for e in got}
    assert status["KB1"]["DeploymentStatus"] == "APPROVED"
    assert status["KB1"]["ComplianceLevel"] == "CRITICAL"
    assert status["KB2"]["DeploymentStatus"] == "PENDING_APPROVAL"
    assert status["KB3"]["DeploymentStatus"] == "EXPLICIT_REJECTED"
    one = call("DescribeEffectivePatchesForPatchBaseline", {"BaselineId": bid, "MaxResults": 1})
    assert len(one["EffectivePatches"]) == 1 and one["NextToken"]
    al2 = baseline(call, [rule([("SEVERITY", ["Critical"])])], Name="al2")
    with pytest.raises(ClientError) as ei:
        call("DescribeEffectivePatchesForPatchBaseline", {"BaselineId": al2})
    assert error_code(ei) == "UnsupportedOperatingSystem"
