"""test_memcheck.py - the provider binary under valgrind's memcheck for a whole
seed scenario over AutoMTLS, as Terraform drives it: handshake, schema,
configure, plan and apply of the seven objects, a refresh and a no-op plan,
an update, destroy, then Shutdown. Memcheck must find no error (invalid read
or write, use of uninitialised memory, bad free) and no definitely lost
block; the process must exit 0. Every provider path of a normal run is
covered: gRPC and TLS, msgpack, the engine, SigV4, libcurl (dlopen'ed),
JSON, the four resources.

Still-reachable and possibly-lost blocks are not errors: gRPC core and
OpenSSL keep process-lifetime state (main.c skips OPENSSL_cleanup on
purpose, see the comment there). The sanitizer build (tests/run-all.sh)
covers the same paths with ASan+UBSan; this checks the release binary itself.

Skipped with a message when valgrind is not installed (tests/run-all.sh
installs it) and in the sanitizer pass (an ASan binary cannot run under
valgrind).
"""
import os
import re
import shutil
import subprocess

import pytest

from fault_helpers import (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, REGION, Emulator, assert_all_noop,
                           inventory_objects, seed_stack)
from harness.plugin import provider_binary
from harness.provider import Provider


def _wrapper(tmp_path, log):
    binary = provider_binary()
    w = tmp_path / "memcheck-provider.sh"
    w.write_text("#!/bin/sh\nexec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full "
                 "--errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=yes "
                 "--log-file=%s %s \"$@\"\n" % (log, binary))
    w.chmod(0o755)
    return str(w)


def _sanitizer_build(binary):
    """ASan binaries cannot run under valgrind (tests/run-all.sh's second pass)."""
    if os.environ.get("SSMPATCH_SANITIZER_BUILD") == "1":
        return True
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout
    return "libasan" in out or "libubsan" in out


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
@pytest.mark.skipif(_sanitizer_build(provider_binary()),
                    reason="sanitizer build: ASan and valgrind exclude each other; the release pass runs this")
def test_seed_scenario_under_memcheck(tmp_path):
    log = tmp_path / "memcheck.log"
    with Emulator(seed=31) as emu:
        p = Provider(binary=_wrapper(tmp_path, log), protocol=6, mtls=True, handshake_timeout=300)
        try:
            p.configure({"region": REGION, "access_key": DEFAULT_ACCESS_KEY,
                         "secret_key": DEFAULT_SECRET_KEY,
                         "endpoints": [{"ssm": emu.url, "sts": emu.url}]})
            s = seed_stack(p)
            s.plan()
            s.apply()
            s.plans = s.refresh_and_plan()
            assert_all_noop(s)
            # one in-place update through the whole path
            name = [n for n in s.order if s.types[n] == "ssmpatch_maintenance_window"][0]
            s.configs[name] = dict(s.configs[name], description="patched under memcheck")
            s.plans = s.refresh_and_plan()
            assert s.plans[name].action == "update"
            s.apply()
            s.destroy()
        finally:
            p.plugin.close(grace=180)  # valgrind writes its report at exit
            code = p.plugin.exit_code if p.plugin.graceful_exit else "killed after 180 s"
        assert inventory_objects(emu) == {}, "destroy left objects behind"
    text = log.read_text()
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    assert summary, "no memcheck summary in %s:\n%s" % (log, text[-3000:])
    assert summary.group(1) == "0", "memcheck found errors:\n%s" % text[-6000:]
    lost = re.search(r"definitely lost: ([\d,]+) bytes", text)
    assert lost is None or lost.group(1) == "0", "definitely lost memory:\n%s" % text[-6000:]
    assert code == 0, "provider exit code %s under memcheck:\n%s" % (code, text[-3000:])
