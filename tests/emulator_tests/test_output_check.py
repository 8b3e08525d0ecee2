"""The emulator checks its own answers against the model's output shapes (model.py
check_output): unit cases, and the response path answering 500 EmulatorSelfCheckFailed
for a non-conforming answer (the server run in this process with a broken operation)."""

import threading

import pytest
from botocore.exceptions import ClientError

import emu_helpers  # noqa: F401  (puts tests/emulator on sys.path)
from emu_helpers import make_client
from model import OUTPUT_EXEMPT, Model

MODEL = Model()

GOOD_PATCH = {"Title": "t", "KBId": "k", "Classification": "Security", "Severity": "Critical",
              "State": "MISSING", "InstalledTime": 0}


def problems(op, body, extra=None):
    return MODEL.check_output(op, body, extra)


def test_a_conforming_answer_passes():
    assert problems("DescribeInstancePatches", {"Patches": [GOOD_PATCH], "NextToken": "x"}) == []
    assert problems("GetDefaultPatchBaseline", {"BaselineId": "pb-0123456789abcdef0",
                                                "OperatingSystem": "WINDOWS"}) == []


@pytest.mark.parametrize("op, body, needle", [
    ("DescribeInstancePatches", {"Patches": [dict(GOOD_PATCH, Colour="red")]}, "Colour is not a member"),
    ("DescribeInstancePatches", {"Patches": [{k: v for k, v in GOOD_PATCH.items() if k != "KBId"}]},
     "required member KBId missing"),
    ("DescribeInstancePatches", {"Patches": [dict(GOOD_PATCH, State="Missing")]}, "is not one of"),
    ("DescribeInstancePatches", {"Patches": [dict(GOOD_PATCH, InstalledTime="yesterday")]},
     "expected epoch number"),
    ("DescribeInstancePatches", {"Patches": GOOD_PATCH}, "expected list"),
    ("GetDefaultPatchBaseline", {"BaselineId": "pb-0123456789abcdef0", "OperatingSystem": "BEOS"},
     "is not one of"),
    ("GetDefaultPatchBaseline", {"BaselineId": "short"}, "length 5 < 20"),
    ("DescribeMaintenanceWindowExecutions", {"WindowExecutions": [{"WindowId": "mw-1"}]},
     "does not match"),
    ("DescribeMaintenanceWindowExecutions", {"WindowExecutions": [{"StartTime": True}]},
     "expected epoch number"),
    ("GetMaintenanceWindowExecutionTask", {"Priority": -1}, "-1 < 0"),
    ("GetMaintenanceWindow", {"Enabled": "yes"}, "expected boolean"),
    ("GetMaintenanceWindow", {"Enabled": None}, "Enabled is null"),
    ("DeleteParameter", {"Anything": 1}, "Anything is not a member"),
])
def test_each_kind_of_violation_is_named(op, body, needle):
    got = problems(op, body)
    assert got and any(needle in p for p in got), got


def test_live_spelling_only_when_asked():
    live = {"Patches": [dict(GOOD_PATCH, State="InstalledPendingReboot")]}
    assert problems("DescribeInstancePatches", live)
    assert problems("DescribeInstancePatches", live,
                    {"PatchComplianceDataState": ("InstalledPendingReboot",)}) == []


def test_exemptions_are_the_documented_ones():
    state = {"InstanceId": "i-0123456789abcdef0", "PatchGroup": "", "BaselineId": "pb-0123456789abcdef0",
             "OperationStartTime": 0, "OperationEndTime": 0, "Operation": "Scan"}
    # more than the model's 5 states on a page, and an instance without a patch group
    assert problems("DescribeInstancePatchStatesForPatchGroup",
                    {"InstancePatchStates": [state] * 7}) == []
    assert problems("GetCommandInvocation", {"ExecutionElapsedTime": "PT0.5S"}) == []
    assert set(OUTPUT_EXEMPT) == {("InstancePatchStatesList", "max"), ("InstancePatchStatesList", "min"),
                                  ("StringDateTime", "pattern"), ("PatchGroup", "min")}
    # the other constraints of the same shapes still hold
    assert problems("DescribeInstancePatchStatesForPatchGroup",
                    {"InstancePatchStates": [dict(state, Operation="Patch")]})


@pytest.fixture
def inproc():
    """server.py's HTTP server in this process, so an operation can be broken."""
    import server
    args = server.parse_args(["--self-check"])
    emu = server.Emulator(args)
    emu.default_access_key = args.access_key
    srv = server.Server(("127.0.0.1", 0), server.Handler)
    srv.emu, srv.verbose = emu, False
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()

    class Endpoint:
        url = "http://127.0.0.1:%d" % srv.server_address[1]
        region, access_key, secret_key = args.region, args.access_key, args.secret_key
    try:
        yield emu, Endpoint
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_non_conforming_answer_is_a_500(inproc, capsys):
    emu, ep = inproc
    ssm = make_client(ep, "ssm")
    assert ssm.get_default_patch_baseline()["OperatingSystem"] == "WINDOWS"
    emu.backend.op_GetDefaultPatchBaseline = lambda st, account, region, body: {
        "BaselineId": "pb-0123456789abcdef0", "Colour": "red"}
    with pytest.raises(ClientError) as ei:
        ssm.get_default_patch_baseline()
    err = ei.value.response["Error"]
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert err["Code"] == "EmulatorSelfCheckFailed" and "Colour is not a member" in err["Message"]
    assert "self-check failed for GetDefaultPatchBaseline" in capsys.readouterr().err
    # with the self-check off the same answer goes out
    emu.faults.self_check = False
    assert ssm.get_default_patch_baseline()["BaselineId"] == "pb-0123456789abcdef0"
