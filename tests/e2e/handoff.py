"""Shared pieces of the hand-off tests (test_handoff.py through the harness,
test_handoff_cli.py through a real terraform): what the endpoint says who
holds a patch group or an operating system's default, and the take-over
warnings the provider prints.

A patch group holds one baseline per operating system, and each operating
system has one default; ssmpatch_patch_baseline hands both over between
baselines (provider/resources/claim.c).
"""
import os
import re

TAKEOVER_GROUP = "Patch group taken over from another baseline"
TAKEOVER_DEFAULT = "Default patch baseline taken over from another baseline"


def rounds(default):
    """Rounds per hand-off: SSMPATCH_HANDOFF_ROUNDS, else `default`."""
    return int(os.environ.get("SSMPATCH_HANDOFF_ROUNDS", default))


def full_matrix():
    """SSMPATCH_HANDOFF_FULL=1: every protocol gets the full rounds (tests/README.md)."""
    return os.environ.get("SSMPATCH_HANDOFF_FULL", "") == "1"


def same_baseline(a, b):
    """A baseline ID and an ARN ending in /ID name the same baseline."""
    if a is None or b is None:
        return a is b
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def default_of(ep, os_):
    return ep.call("GetDefaultPatchBaseline", {"OperatingSystem": os_})["BaselineId"]


def group_holders(ep, group):
    """{operating system: baseline ID} of the baselines registered for `group`."""
    maps = ep.pages("DescribePatchGroups", {"Filters": [{"Key": "NAME_PREFIX", "Values": [group]}]},
                    "Mappings")
    return {m["BaselineIdentity"]["OperatingSystem"]: m["BaselineIdentity"]["BaselineId"]
            for m in maps if m["PatchGroup"] == group}


def groups_of(ep, bid):
    return sorted(ep.call("GetPatchBaseline", {"BaselineId": bid}).get("PatchGroups", []))


def normalized(text):
    """Diagnostic text with every run of whitespace (line wrapping) made one space."""
    return re.sub(r"\s+", " ", text)


def takeover_mentions(text, summary):
    """How often `summary` occurs in a CLI's output."""
    return normalized(text).count(summary)
