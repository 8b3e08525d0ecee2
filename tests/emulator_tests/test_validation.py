"""Model validation and the wire format of errors (raw HTTP, so nothing hides it)."""

import http.client
import json
import re

import pytest
from botocore.exceptions import ClientError

from emu_helpers import error_code
from model import Model, java_regex_to_python


def raw(emu, target, body, ctype="application/x-amz-json-1.1"):
    """One unsigned request on a fresh connection: (status, headers, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    try:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": ctype}
        if target is not None:
            headers["X-Amz-Target"] = target
        conn.request("POST", "/", body=data, headers=headers)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def err(emu, op, body):
    status, headers, data = raw(emu, "AmazonSSM." + op, body)
    return status, headers, json.loads(data)


def test_error_wire_format(emu):
    status, headers, body = err(emu, "GetPatchBaseline", {"BaselineId": "pb-0123456789abcdef0"})
    assert status == 400
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-errortype"] == "DoesNotExistException"
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["x-amzn-requestid"])
    assert body["__type"] == "DoesNotExistException"
    assert "pb-0123456789abcdef0" in body["message"]


def test_namespaced_error_type_switch(emu, ssm):
    emu.configure(namespaced_errors=True)
    status, headers, body = err(emu, "GetMaintenanceWindow", {"WindowId": "mw-0123456789abcdef0"})
    assert body["__type"] == "com.amazonaws.ssm#DoesNotExistException"
    assert headers["x-amzn-errortype"].startswith("DoesNotExistException:")
    # botocore strips the namespace, as every SDK must
    with pytest.raises(ClientError) as ei:
        ssm.get_maintenance_window(WindowId="mw-0123456789abcdef0")
    assert error_code(ei) == "DoesNotExistException"


def test_unknown_operation(emu):
    status, _, body = err(emu, "MakeCoffee", {})
    assert status == 400 and body["__type"] == "UnknownOperationException"
    status, _, body = err(emu, "GetPatchBaseline", {})  # sanity: known op, missing member
    assert body["__type"] == "ValidationException"
    status, _, data = raw(emu, "AmazonEC2.DescribeInstances", {})
    assert status == 400 and json.loads(data)["__type"] == "UnknownOperationException"


def test_missing_required_member(emu):
    _, _, body = err(emu, "CreateMaintenanceWindow", {"Name": "abc", "Schedule": "rate(1 day)",
                                                      "Duration": 2, "Cutoff": 0})
    assert body["__type"] == "ValidationException"
    assert body["message"] == ("1 validation error detected: Value null at "
                               "'allowUnassociatedTargets' failed to satisfy constraint: "
                               "Member must not be null")


def test_pattern_message_is_aws_shaped(emu):
    _, _, body = err(emu, "CreatePatchBaseline", {"Name": "bad name!"})
    assert body["message"] == (
        "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$")


def test_several_errors_counted_and_joined(emu):
    _, _, body = err(emu, "CreateMaintenanceWindow", {
        "Name": "ok-name", "Schedule": "rate(1 day)", "Duration": 25, "Cutoff": -1,
        "AllowUnassociatedTargets": False})
    msg = body["message"]
    assert msg.startswith("2 validation errors detected: ")
    assert ("Value '25' at 'duration' failed to satisfy constraint: Member must have value "
            "less than or equal to 24") in msg
    assert ("Value '-1' at 'cutoff' failed to satisfy constraint: Member must have value "
            "greater than or equal to 0") in msg


def test_enum_and_nested_paths(emu):
    _, _, body = err(emu, "CreatePatchBaseline", {
        "Name": "nested", "ApprovalRules": {"PatchRules": [{
            "PatchFilterGroup": {"PatchFilters": [{"Key": "COLOR", "Values": ["red"]}]},
            "ApproveAfterDays": 400}]}})
    msg = body["message"]
    assert msg.startswith("2 validation errors detected")
    assert ("at 'approvalRules.patchRules.1.member.patchFilterGroup.patchFilters.1.member.key' "
            "failed to satisfy constraint: Member must satisfy enum value set: [ARCH,") in msg
    assert "at 'approvalRules.patchRules.1.member.approveAfterDays'" in msg


def test_unknown_member_and_wrong_type(emu):
    _, _, body = err(emu, "GetPatchBaseline", {"BaselineId": "pb-0123456789abcdef0", "Bogus": 1})
    assert body["__type"] == "ValidationException" and "'bogus'" in body["message"]
    _, _, body = err(emu, "CreateMaintenanceWindow", {
        "Name": "abc", "Schedule": "rate(1 day)", "Duration": "2", "Cutoff": 0,
        "AllowUnassociatedTargets": "no"})
    assert body["__type"] == "ValidationException"
    assert "at 'duration' failed to satisfy constraint: Member must be of type integer" in body["message"]
    assert "Member must be of type boolean" in body["message"]
    _, _, body = err(emu, "DescribePatchBaselines", {"Filters": {"Key": "OWNER"}})
    assert "Member must be a list" in body["message"]


def test_list_and_string_lengths(emu):
    _, _, body = err(emu, "CreatePatchBaseline", {"Name": "many", "ApprovedPatches": ["p"] * 51})
    assert ("at 'approvedPatches' failed to satisfy constraint: Member must have length less "
            "than or equal to 50") in body["message"]
    _, _, body = err(emu, "CreatePatchBaseline", {"Name": "x" * 129})
    assert "Member must have length less than or equal to 128" in body["message"]


def test_unicode_classes_in_patterns(emu, ssm):
    # TagKey: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ accepts letters of any script and spaces
    bid = ssm.create_patch_baseline(Name="tags", Tags=[{"Key": "環境 name", "Value": "ステージ"}])["BaselineId"]
    assert ssm.list_tags_for_resource(ResourceType="PatchBaseline", ResourceId=bid)["TagList"][0]["Key"] == "環境 name"
    _, _, body = err(emu, "AddTagsToResource", {"ResourceType": "PatchBaseline", "ResourceId": bid,
                                                "Tags": [{"Key": "bad#key", "Value": "v"}]})
    assert body["__type"] == "ValidationException" and "'tags.1.member.key'" in body["message"]


def test_sensitive_values_are_not_echoed(emu):
    _, _, body = err(emu, "CreateMaintenanceWindow", {
        "Name": "abc", "Schedule": "rate(1 day)", "Duration": 2, "Cutoff": 0,
        "AllowUnassociatedTargets": False, "Description": "s3cr3t" * 30})
    assert "s3cr3t" not in body["message"]
    assert "at 'description'" in body["message"]


def test_malformed_json_and_content_type(emu):
    status, _, data = raw(emu, "AmazonSSM.GetDefaultPatchBaseline", b"{not json")
    assert status == 400 and json.loads(data)["__type"] == "SerializationException"
    status, _, data = raw(emu, "AmazonSSM.GetDefaultPatchBaseline", {}, ctype="application/json")
    assert status == 400 and json.loads(data)["__type"] == "SerializationException"
    status, _, data = raw(emu, "AmazonSSM.GetDefaultPatchBaseline", b"")
    assert status == 200 and json.loads(data)["OperatingSystem"] == "WINDOWS"


def test_every_operation_in_the_model_is_validated(emu):
    """Ops the emulator does not implement are still validated first."""
    _, _, body = err(emu, "GetParameter", {})
    assert body["__type"] == "ValidationException"
    _, _, body = err(emu, "GetParameter", {"Name": "/x"})
    assert body["__type"] == "UnsupportedOperation"


def test_botocore_error_parsing(ssm):
    with pytest.raises(ClientError) as ei:
        ssm.create_patch_baseline(Name="no")
    assert error_code(ei) == "ValidationException"
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_keep_alive_connection_reused(emu):
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    try:
        for _ in range(5):
            conn.request("POST", "/", body=b"{}", headers={
                "X-Amz-Target": "AmazonSSM.GetDefaultPatchBaseline",
                "Content-Type": "application/x-amz-json-1.1"})
            r = conn.getresponse()
            assert r.status == 200
            r.read()
            assert r.version == 11 and not r.will_close
    finally:
        conn.close()


def test_java_regex_translation():
    assert java_regex_to_python(r"^[\p{L}\p{N}_]*$") == r"^(?:[_]|[^\W\d_]|\d)*$"
    m = Model()
    for pat in {s["pattern"] for s in m.shapes.values() if "pattern" in s}:
        re.compile(java_regex_to_python(pat))  # every model pattern compiles
    r = re.compile(java_regex_to_python(r"^[\w]+$"))
    assert r.search("abc_1") and not r.search("ä")  # Java \w is ASCII


def test_lengths_count_utf16_code_units_like_java(emu):
    # 200 emoji are 200 code points but 400 UTF-16 units: over TagValue's 256
    _, _, body = err(emu, "CreatePatchBaseline", {"Name": "emoji", "Tags": [
        {"Key": "k", "Value": "\U0001F600" * 200}]})
    assert body["__type"] == "ValidationException"
    assert "Member must have length less than or equal to 256" in body["message"]
