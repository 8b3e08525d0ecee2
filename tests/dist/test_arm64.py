"""The linux_arm64 cross build (cmake/toolchain-linux-arm64.cmake), checked on
this amd64 machine:

- the provider is an ELF for aarch64 linked like the amd64 one: the same
  shared libraries (libc and libm, plus each architecture's own dynamic
  loader), no libcurl (dlopen()ed), a non-PIE executable;
- under qemu-user-static it passes tests/protocol/test_protocol_handshake.py,
  run unchanged in a child pytest against a two-line wrapper that execs
  the binary through qemu (protocol 5 and 6, with and without AutoMTLS, and
  the rest of that file);
- its unit tests pass under qemu (ctest in the arm64 tree: the toolchain
  file sets qemu as CMAKE_CROSSCOMPILING_EMULATOR).

Skipped, saying how to make it, without the arm64 build tree
($SSMPATCH_ARM64_BUILD_DIR, else build-arm64).
"""
import os
import re
import subprocess
import xml.etree.ElementTree as ET

from dist_helpers import PYTHON, REPO

EM_X86_64, EM_AARCH64 = 62, 183
LOADERS = {"ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}


def elf_machine(path):
    with open(path, "rb") as f:
        head = f.read(20)
    assert head[:4] == b"\x7fELF" and head[4] == 2 and head[5] == 1, "not a 64-bit little-endian ELF"
    return int.from_bytes(head[18:20], "little")


def dynamic(path):
    """(NEEDED libraries, ELF type) from readelf (binutils reads any architecture)."""
    d = subprocess.run(["readelf", "-d", "-h", "-W", path], capture_output=True, text=True, check=True).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", d))
    etype = re.search(r"^\s*Type:\s+(\w+)", d, re.M).group(1)
    return needed, etype


def test_arm64_binary_is_aarch64_and_linked_like_amd64(arm64, amd64_binary):
    assert elf_machine(amd64_binary) == EM_X86_64
    assert elf_machine(arm64.binary) == EM_AARCH64
    amd_needed, amd_type = dynamic(amd64_binary)
    arm_needed, arm_type = dynamic(arm64.binary)
    assert arm_needed - LOADERS == amd_needed - LOADERS == {"libc.so.6", "libm.so.6"}, (amd_needed, arm_needed)
    assert arm_type == amd_type, (amd_type, arm_type)
    assert not any("curl" in n for n in arm_needed)


def test_handshake_tests_pass_under_qemu(arm64, tmp_path):
    wrapper = tmp_path / "terraform-provider-ssmpatch"
    wrapper.write_text('#!/bin/sh\nexec %s %s "$@"\n' % (arm64.qemu, arm64.binary))
    wrapper.chmod(0o755)
    junit = tmp_path / "junit.xml"
    env = dict(os.environ, SSMPATCH_PROVIDER=str(wrapper), SSMPATCH_BUILD_DIR=arm64.dir)
    proc = subprocess.run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", str(junit),
                           "tests/protocol/test_protocol_handshake.py"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    report = "child pytest exited %d\n%s\n%s" % (proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])
    assert proc.returncode == 0, report
    cases = {c.get("name"): [x.tag for x in c] for c in ET.parse(junit).getroot().iter("testcase")}
    skipped = [n for n, tags in cases.items() if "skipped" in tags]
    assert not skipped, "skipped under qemu: %s\n%s" % (skipped, report)
    for must in ("test_handshake_matrix[mtls-5-5]", "test_handshake_matrix[mtls-6-6]",
                 "test_handshake_matrix[mtls-5,6-6]", "test_handshake_matrix[plain-5-5]"):
        assert cases.get(must) == [], "%s did not pass: %s\n%s" % (must, cases.get(must), report)


def test_unit_tests_pass_under_qemu(arm64):
    proc = subprocess.run(["ctest", "--output-on-failure", "-j2"], cwd=arm64.dir, capture_output=True, text=True,
                          timeout=1800)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    m = re.search(r"100% tests passed, 0 tests failed out of (\d+)", proc.stdout)
    assert m and int(m.group(1)) > 0, proc.stdout[-3000:]
    # They ran through the emulator, not on this (amd64) kernel by accident.
    with open(os.path.join(arm64.dir, "CTestTestfile.cmake")) as f:
        assert "qemu-aarch64" in f.read()
