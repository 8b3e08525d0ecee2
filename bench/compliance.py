"""compliance.py - the data source benchmark of bench.py (bench/README.md, row 7).

ssmpatch_patch_group_compliance with include_missing_patches for N instances of one
patch group at a given emulator latency: one ReadDataSource, which makes
DescribePatchGroupState and, at the same time, DescribeInstancePatchStatesForPatchGroup
(N / 100 pages), then one DescribeInstancePatches per instance, 10 at a time
(provider/datasources/patch_group_compliance.c). The
goal is wall <= 1.3 x ideal, ideal = N x latency / 10: the per-instance calls
overlapped as Terraform overlaps resources.

Next to it: the same N DescribeInstancePatches requests sent straight to the emulator
by 10 keep-alive connections (the backend's own ceiling for the fan-out alone), and
the floor of the read, (pages + N / 10) x latency: the pages one after another, then
the fan-out.
"""

import json
import os
import statistics
import sys
import time

import direct

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "datasources"))
import ds_helpers  # noqa: E402  (the scanned fleet, as tests/datasources sets it up)

GOAL = 1.3
PARALLEL = 10  # DS_PARALLEL_MAX in provider/datasources/datasource.h


def _direct(port, ids):
    """The N DescribeInstancePatches requests straight to the emulator, 10 connections."""
    bodies = [json.dumps({"InstanceId": i, "MaxResults": 100,
                          "Filters": [{"Key": "State", "Values": ["Missing", "Failed"]}]}).encode()
              for i in ids]
    return direct.post_all(port, "DescribeInstancePatches", bodies, PARALLEL)


def bench_compliance(binary, n, lat_ms, reps, log, configured_provider):
    """Row 7: returns the measurement (dict)."""
    from emulator import Emulator
    group = "BENCH"
    with Emulator(latency_ms=0, self_check=False) as emu:
        log("compliance: %d instances in patch group %s" % (n, group))
        ids, _ = ds_helpers.scanned_group(emu, emu.ssm, n, group)
        p = configured_provider(binary, emu, emu.url)
        try:
            cfg = {"patch_group": group, "include_missing_patches": True}
            p.read_data_source("ssmpatch_patch_group_compliance", cfg)  # warm-up: connections
            emu.configure(latency_ms=lat_ms)
            walls, calls = [], None
            for _ in range(reps):
                emu.reset(state=False, calls=True)
                t0 = time.perf_counter()
                st = p.read_data_source("ssmpatch_patch_group_compliance", cfg, validate=False)
                walls.append(time.perf_counter() - t0)
                if len(st["instances"]) != n or st["missing_patches"][0]["instance_count"] != n:
                    raise RuntimeError("compliance read incomplete: %d rows" % len(st["instances"]))
                calls = {op: v["count"] for op, v in emu.calls()["by_op"].items()}
            direct = statistics.median(_direct(emu.port, ids) for _ in range(reps))
        finally:
            p.close()
    ideal = n * lat_ms / 1000.0 / PARALLEL
    pages = calls.get("DescribeInstancePatchStatesForPatchGroup", 0)
    wall = statistics.median(walls)
    out = {"n": n, "latency_ms": lat_ms, "wall_s": round(wall, 3),
           "wall_s_all": [round(w, 3) for w in walls], "ideal_s": round(ideal, 3),
           "ratio_to_ideal": round(wall / ideal, 3), "goal_ratio": GOAL,
           "met": wall / ideal <= GOAL,
           "floor_s": round((pages + n / float(PARALLEL)) * lat_ms / 1000.0, 3),
           "requests": calls, "fanout_direct_s": round(direct, 3)}
    log("compliance: N=%d @ %d ms: %.3f s (ideal %.3f s, ratio %.2f, fan-out alone %.3f s)"
        % (n, lat_ms, wall, ideal, wall / ideal, direct))
    return out


def print_compliance(w, c):
    w("\n%-40s %7s %7s %6s %7s %9s %8s\n" % ("patch group compliance + missing patches", "wall s",
                                             "ideal s", "ratio", "floor s", "fanout s", "requests"))
    w("%-40s %7.3f %7.3f %6.2f %7.3f %9.3f %8d\n"
      % ("N=%d @ %d ms, 10 in flight" % (c["n"], c["latency_ms"]), c["wall_s"], c["ideal_s"],
         c["ratio_to_ideal"], c["floor_s"], c["fanout_direct_s"], sum(c["requests"].values())))
    w("  goal: <= %.1f x ideal: %s\n" % (c["goal_ratio"], "met" if c["met"] else "MISSED"))
