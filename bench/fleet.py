#!/usr/bin/python3
"""fleet.py - the fleet benchmark (issue 14): one infra repository for many
accounts and regions, run by a real Terraform against the SSM emulator.

  /usr/bin/python3 bench/fleet.py [--provider BIN] [--accounts 25] [--latency-ms 30]
                                  [--region-accounts 5] [--regions 3] [--skip ...]

What it runs (bench/README.md, "Fleet"), each in its own working directory:

  fleet      N accounts (default 25), one provider alias per account (assume_role
             into the account, as organisations do), the seed module
             (examples/modules/ssm-patching, 6 objects) in each: init, apply,
             no-op plan, destroy. Per command: wall time, CPU of the command
             (Terraform and every provider process), CPU of the provider
             processes alone, the number of provider processes and their PSS,
             and the SSM/STS requests (the emulator's counters).
  regions    N = 5 accounts x 3 regions through the per-resource `region`
             argument: one provider block per account, the module once per region.
  callgrind  one account: the plan's provider processes, each under
             valgrind --tool=callgrind: total instructions of the validate-walk and
             the plan-walk process (and the schema process), with the inclusive
             cost of the start-up steps.

How CPU and memory are measured:
  - Terraform finds the provider in a filesystem mirror; there the binary is
    bench/provider_wrap.c (built here with cc), which forks, execs the real
    provider, waits for it, and appends getrusage(RUSAGE_CHILDREN) of that one
    process (utime + stime: exactly its CPU, every thread, exec to exit) to a file.
  - The CPU of a whole command is wait4()'s rusage of the terraform process: its
    own CPU plus every child it reaped (all provider processes, via the wrappers).
    provider share = provider CPU / command CPU. The emulator's CPU is in neither.
  - PSS: a thread polls /proc every 20 ms for processes running the real provider
    binary and reads Pss from /proc/<pid>/smaps_rollup; per process the largest
    value seen, and the most processes alive at once.
  - The commands run without TF_LOG (logging costs CPU on both sides), as users
    run them.

Needs terraform (1.x; $TERRAFORM or PATH or ../shared/clients, as tests/harness/tfcli.py
finds it), cc, valgrind for the callgrind part, Debian's /usr/bin/python3.
Writes bench/results/fleet-latest.json (or --out) and prints a table.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))

import bench  # noqa: E402  (bench/bench.py: callgrind_inclusive)
from harness import tfcli  # noqa: E402
from harness.fleet import HOME_REGION, config as fleet_config, copy_module  # noqa: E402

REGIONS = ("ap-northeast-1", "us-east-1", "eu-west-1")
GOALS = {"provider_cpu_share": 0.20, "plan_walk_Mir": 35.0, "validate_walk_Mir": 25.0,
         "pss_mb_per_process": 6.0}

# Inclusive costs picked out of each callgrind profile (callgrind_annotate --inclusive=yes).
CALLGRIND_FUNCS = {
    "main": ":main ",
    "tls_identity_generate": ":tls_identity_generate ",
    "grpc_init": ":grpc_init ",
    "grpc_server_add_http2_port": ":grpc_server_add_http2_port ",
    "tsi handshake": ":tsi::(anonymous namespace)::ssl_handshaker_next",
    "SSL_do_handshake": ":SSL_do_handshake ",
    "curl_init_once (dlopen)": ":curl_init_once ",
    "tfp_get_provider_schema": ":tfp_get_provider_schema ",
    "tfp_configure": ":tfp_configure ",
    "tfp_read_resource": ":tfp_read_resource ",
    "tfp_plan_resource_change": ":tfp_plan_resource_change ",
    "tfp_validate_resource_config": ":tfp_validate_resource_config ",
    "tfp_upgrade_resource_state": ":tfp_upgrade_resource_state ",
}


def log(msg):
    sys.stderr.write("fleet: %s\n" % msg)
    sys.stderr.flush()


def run_out(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=300).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


# --------------------------------------------------------------------------- measuring

def build_wrapper(tmp):
    exe = os.path.join(tmp, "provider_wrap")
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", exe, os.path.join(HERE, "provider_wrap.c")],
                   check=True)
    return exe


def read_pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class PssSampler(threading.Thread):
    """Polls /proc for processes whose executable is `binary`; keeps the
    largest PSS seen per process, the most processes alive at once, and the
    PSS sum of the sample with the most alive (its mean is the per-process
    PSS of a fleet: the file-backed pages shared by all of them count once)."""

    def __init__(self, binary, period=0.02):
        super().__init__(daemon=True)
        self.binary = os.path.realpath(binary)
        self.comm = os.path.basename(self.binary)[:15]  # what the kernel keeps of the name
        self.period = period
        self.stop_ev = threading.Event()
        self.pss = {}
        self.max_alive = 0
        self.max_alive_pss_kb = 0
        self.peak_sum_kb = 0   # PSS sum of the sample with the most processes alive

    def run(self):
        while not self.stop_ev.is_set():
            alive = {}
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                pid = int(d)
                try:
                    with open("/proc/%d/comm" % pid) as f:  # cheap first filter
                        if f.read().rstrip("\n") != self.comm:
                            continue
                    if os.readlink("/proc/%d/exe" % pid) != self.binary:
                        continue
                except OSError:
                    continue
                kb = read_pss_kb(pid)
                if kb is not None:
                    alive[pid] = kb
                    self.pss[pid] = max(kb, self.pss.get(pid, 0))
            total = sum(alive.values())
            if len(alive) > self.max_alive or (len(alive) == self.max_alive and total > self.peak_sum_kb):
                self.max_alive = len(alive)
                self.peak_sum_kb = total
            self.max_alive_pss_kb = max(self.max_alive_pss_kb, total)
            self.stop_ev.wait(self.period)

    def stop(self):
        self.stop_ev.set()
        self.join()


def read_wrap(path):
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append(json.loads(line))
    return out


def run_measured(w, args, wrap_out, real_binary, emu, expect=(0,)):
    """One terraform command: wall, CPU (command and providers), processes, PSS, requests."""
    if os.path.exists(wrap_out):
        os.unlink(wrap_out)
    before = emu.calls()
    sampler = PssSampler(real_binary)
    sampler.start()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        p = subprocess.Popen(w.argv(*args), cwd=w.dir, env=w.env, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe)
        # wait4: the rusage of terraform and of every child it reaped (the providers)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        sampler.stop()
        if rc not in expect:
            fo.seek(0)
            fe.seek(0)
            raise RuntimeError("%s exited %d\n%s\n%s" % (" ".join(args), rc, fo.read().decode()[-3000:],
                                                         fe.read().decode()[-3000:]))
    after = emu.calls()
    procs = read_wrap(wrap_out)
    prov_cpu = sum(x["utime_us"] + x["stime_us"] for x in procs) / 1e6
    prov_sys = sum(x["stime_us"] for x in procs) / 1e6
    total_cpu = ru.ru_utime + ru.ru_stime
    ops = {}
    for op, c in after.get("by_op", {}).items():
        n = c.get("count", 0) - before.get("by_op", {}).get(op, {}).get("count", 0)
        if n:
            ops[op] = n
    sts = sum(n for op, n in ops.items() if op.startswith("sts:"))
    pss = sorted(sampler.pss.values())
    return {
        "command": " ".join(a for a in args if not a.startswith("endpoint=")),
        "wall_s": round(wall, 3),
        "cpu_s": round(total_cpu, 3),
        "provider_cpu_s": round(prov_cpu, 3),
        "provider_sys_s": round(prov_sys, 3),
        "terraform_sys_s": round(ru.ru_stime - prov_sys, 3),
        "terraform_cpu_s": round(total_cpu - prov_cpu, 3),
        "provider_cpu_share": round(prov_cpu / total_cpu, 3) if total_cpu else None,
        "provider_processes": len(procs),
        "provider_cpu_ms_per_process": round(1000 * prov_cpu / len(procs), 2) if procs else None,
        "max_alive": sampler.max_alive,
        "pss_mb_per_process_at_peak": round(sampler.peak_sum_kb / 1024.0 / sampler.max_alive, 2)
        if sampler.max_alive else None,
        "pss_mb_per_process_max": round(pss[-1] / 1024.0, 2) if pss else None,
        "pss_mb_per_process_median": round(pss[len(pss) // 2] / 1024.0, 2) if pss else None,
        "pss_mb_alive_sum_max": round(sampler.max_alive_pss_kb / 1024.0, 2),
        "pss_sampled_processes": len(pss),
        "requests": sum(ops.values()),
        "ssm_requests": sum(ops.values()) - sts,
        "sts_requests": sts,
        "requests_by_op": ops,
        "exit": rc,
    }


def workdir(cli, root, config, wrap, real_binary, extra_env=None, region=True):
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    mirror = tfcli.write_filesystem_mirror(os.path.join(root, "mirror"), binary=wrap)
    w = tfcli.Workdir(cli, os.path.join(root, "tf"), files={"main.tf": config},
                      cli_config=tfcli.cli_config_text(filesystem_mirror=mirror))
    copy_module(w.dir, region=region)
    for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_CORE"):
        w.env.pop(k, None)
    w.env.update({"SSMPATCH_WRAP_EXEC": real_binary, "SSMPATCH_WRAP_OUT": os.path.join(root, "wrap.jsonl")})
    w.env.update(extra_env or {})
    return w


def fleet_run(cli, tmp, wrap, real_binary, n_accounts, latency_ms, regions=None, label="fleet", region=True):
    from emulator import Emulator
    root = os.path.join(tmp, label)
    out = {"accounts": n_accounts, "regions": list(regions or [HOME_REGION]), "latency_ms": latency_ms,
           "objects": 6 * n_accounts * len(regions or [HOME_REGION])}
    with Emulator(latency_ms=latency_ms, self_check=False, region=HOME_REGION) as emu:
        w = workdir(cli, root, fleet_config(n_accounts, regions), wrap, real_binary, region=region)
        wrap_out = w.env["SSMPATCH_WRAP_OUT"]
        v = ["-var", "endpoint=" + emu.url]
        w.run("init", "-input=false", "-no-color")
        log("%s: apply (%d objects)" % (label, out["objects"]))
        out["apply"] = run_measured(w, ["apply", "-auto-approve", "-no-color", "-input=false"] + v,
                                    wrap_out, real_binary, emu)
        log("%s: no-op plan" % label)
        out["plan"] = run_measured(w, ["plan", "-detailed-exitcode", "-no-color", "-input=false"] + v,
                                   wrap_out, real_binary, emu)
        out["plan_refresh_false"] = run_measured(
            w, ["plan", "-refresh=false", "-detailed-exitcode", "-no-color", "-input=false"] + v,
            wrap_out, real_binary, emu)
        out["validate"] = run_measured(w, ["validate", "-no-color"], wrap_out, real_binary, emu)
        log("%s: destroy" % label)
        out["destroy"] = run_measured(w, ["destroy", "-auto-approve", "-no-color", "-input=false"] + v,
                                      wrap_out, real_binary, emu)
        left = emu.inventory()
        out["left_after_destroy"] = sum(len(r.get("maintenance_windows", {})) + len(r.get("patch_baselines", {}))
                                        for acct in left.values() for r in acct.values())
    shutil.rmtree(root, ignore_errors=True)
    return out


# --------------------------------------------------------------------------- callgrind

def callgrind_profile(path):
    """Total Ir and the inclusive cost of CALLGRIND_FUNCS, and which RPC
    handlers ran (to tell the schema, validate-walk and plan-walk process apart)."""
    total, funcs = bench.callgrind_inclusive(path, CALLGRIND_FUNCS)
    res = {"funcs": funcs}
    if total is not None:
        res["total"] = total
    f = res["funcs"]
    if "tfp_configure" in f or "tfp_read_resource" in f or "tfp_plan_resource_change" in f:
        res["kind"] = "plan-walk"
    elif "tfp_validate_resource_config" in f:
        res["kind"] = "validate-walk"
    elif "tfp_get_provider_schema" in f:
        res["kind"] = "schema"
    else:
        res["kind"] = "other"
    return res


def callgrind_run(cli, tmp, wrap, real_binary, latency_ms, reps, keep=None, region=True):
    """One account: apply without valgrind, then `terraform plan` (and
    `validate`) with every provider process under callgrind; `reps` times."""
    from emulator import Emulator
    root = os.path.join(tmp, "callgrind")
    cgdir = os.path.join(tmp, "callgrind-out")
    out = {"method": "terraform plan of 1 account (seed module, applied), every provider process under "
                     "valgrind --tool=callgrind (bench/provider_wrap.c); total Ir from exec to exit",
           "runs": []}
    with Emulator(latency_ms=latency_ms, self_check=False, region=HOME_REGION) as emu:
        w = workdir(cli, root, fleet_config(1), wrap, real_binary, region=region)
        v = ["-var", "endpoint=" + emu.url]
        w.run("init", "-input=false", "-no-color")
        w.run("apply", "-auto-approve", "-no-color", "-input=false", *v)
        w.env["SSMPATCH_WRAP_CALLGRIND"] = cgdir
        for rep in range(reps):
            for cmd in (["plan", "-detailed-exitcode", "-no-color", "-input=false"] + v,
                        ["plan", "-refresh=false", "-detailed-exitcode", "-no-color", "-input=false"] + v):
                shutil.rmtree(cgdir, ignore_errors=True)
                os.makedirs(cgdir)
                w.run(*cmd, timeout=900)
                run = {"command": " ".join(c for c in cmd if not c.startswith("endpoint=")), "processes": []}
                for name in sorted(os.listdir(cgdir)):
                    prof = callgrind_profile(os.path.join(cgdir, name))
                    if keep:
                        os.makedirs(keep, exist_ok=True)
                        shutil.copy(os.path.join(cgdir, name), os.path.join(
                            keep, "%s%s.%d.%s" % (prof["kind"], "-norefresh" if "-refresh=false" in cmd else "",
                                                  rep, name)))
                    run["processes"].append(prof)
                    log("callgrind %s: %s %.2f M" % (run["command"], prof["kind"], prof.get("total", 0) / 1e6))
                out["runs"].append(run)
        w.env.pop("SSMPATCH_WRAP_CALLGRIND")
        w.run("destroy", "-auto-approve", "-no-color", "-input=false", *v)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(cgdir, ignore_errors=True)
    by_kind = {}
    for run in out["runs"]:
        if "-refresh=false" in run["command"]:
            continue
        for prof in run["processes"]:
            by_kind.setdefault(prof["kind"], []).append(prof.get("total", 0))
    out["Ir_by_kind"] = by_kind
    for run in out["runs"]:
        if "-refresh=false" in run["command"]:
            for prof in run["processes"]:
                by_kind.setdefault(prof["kind"] + " (-refresh=false)", []).append(prof.get("total", 0))
    return out


# --------------------------------------------------------------------------- report

def print_table(res):
    w = sys.stdout.write
    w("\n== fleet benchmark (%s, terraform %s, emulator latency %d ms)\n"
      % (res["machine"], res.get("terraform", "-"), res["options"]["latency_ms"]))
    cols = ("wall_s", "cpu_s", "provider_cpu_s", "provider_cpu_share", "provider_processes", "max_alive",
            "pss_mb_per_process_at_peak", "pss_mb_per_process_max", "ssm_requests", "sts_requests")
    heads = ("wall s", "CPU s", "prov CPU", "share", "procs", "alive", "PSS/proc", "PSS 1", "SSM req", "STS req")
    for key in sorted(k for k in res if k.startswith(("fleet", "regions"))):
        f = res[key]
        w("\n%s: %d accounts x %d region(s), %d objects, %s\n"
          % (key, f["accounts"], len(f["regions"]), f["objects"], f.get("binary", "")))
        w("%-22s" % "" + "".join("%10s" % h for h in heads) + "\n")
        for cmd in ("apply", "plan", "plan_refresh_false", "validate", "destroy"):
            if cmd not in f:
                continue
            r = f[cmd]
            w("%-22s" % cmd + "".join("%10s" % ("-" if r.get(c) is None else r[c]) for c in cols) + "\n")
    for key in sorted(k for k in res if k.startswith("callgrind")):
        cg = res[key]
        w("\n%s, one account (million instructions per process, exec to exit), %s\n" % (key, cg.get("binary", "")))
        for kind, irs in cg["Ir_by_kind"].items():
            w("  %-34s %s\n" % (kind, "  ".join("%.2f" % (x / 1e6) for x in irs)))
        run = cg["runs"][0]
        for prof in run["processes"]:
            w("  %s:\n" % prof["kind"])
            for k, v in sorted(prof["funcs"].items(), key=lambda kv: -kv[1]):
                w("      %-30s %8.2f\n" % (k, v / 1e6))
    if "verdict" in res:
        w("\ngoals:\n")
        for k, v in res["verdict"].items():
            w("  %-34s %-10s %s\n" % (k, v["value"], "met" if v["met"] else "MISSED"))
    w("\n")


def verdict(res):
    out = {}
    f = res.get("fleet")
    if f:
        out["provider CPU share of the plan"] = {"value": f["plan"]["provider_cpu_share"],
                                                 "met": f["plan"]["provider_cpu_share"] <= GOALS["provider_cpu_share"]}
        pss = max(f[c]["pss_mb_per_process_at_peak"] or 0 for c in ("apply", "plan", "destroy"))
        out["PSS per process, most alive (MB)"] = {"value": pss, "met": pss <= GOALS["pss_mb_per_process"]}
    cg = res.get("callgrind")
    if cg:
        for kind, goal in (("plan-walk", "plan_walk_Mir"), ("validate-walk", "validate_walk_Mir")):
            irs = cg["Ir_by_kind"].get(kind)
            if irs:
                m = max(irs) / 1e6
                out["%s process (M Ir)" % kind] = {"value": round(m, 2), "met": m <= GOALS[goal]}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--provider", default=os.path.join(os.environ.get("SSMPATCH_BUILD_DIR") or
                                                       os.path.join(REPO, "build"), "terraform-provider-ssmpatch"))
    ap.add_argument("--terraform", help="terraform binary (default: as tests/harness/tfcli.py finds it)")
    ap.add_argument("--accounts", type=int, default=25)
    ap.add_argument("--latency-ms", type=int, default=30)
    ap.add_argument("--region-accounts", type=int, default=5)
    ap.add_argument("--regions", default=",".join(REGIONS))
    ap.add_argument("--callgrind-reps", type=int, default=2)
    ap.add_argument("--compare", help="another provider binary (e.g. a build from before this work): the "
                                      "fleet and callgrind rows for it too, with the module's region "
                                      "arguments left out (no regions row)")
    ap.add_argument("--keep-callgrind", help="copy the callgrind profiles into this directory")
    ap.add_argument("--skip", default="", help="comma list out of fleet,regions,callgrind")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "fleet-latest.json"))
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    binary = os.path.abspath(args.provider)
    if not os.access(binary, os.X_OK):
        sys.exit("fleet: provider binary %s not found" % binary)
    if args.terraform:
        ident = tfcli._identify(os.path.realpath(args.terraform))
        cli = tfcli.Client("terraform", os.path.abspath(args.terraform), ident[0], ident[1],
                           "--terraform") if ident else None
    else:
        cli = tfcli.first("terraform", (1, 0))
    if cli is None:
        sys.exit("fleet: no terraform 1.x found ($TERRAFORM, PATH or ../shared/clients); nothing to measure")
    mach = bench.machine()
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "git": run_out(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]).strip(),
           "machine": "%s, %d cores" % (mach["cpu"], mach["cores"]), "machine_detail": mach,
           "terraform": cli.version_text, "provider": binary, "options": vars(args), "goals": GOALS}
    res["loadavg_start"] = bench.loadavg()
    tmp = tempfile.mkdtemp(prefix="ssmpatch-fleet-")
    try:
        wrap = build_wrapper(tmp)
        bins = [("", binary)] + ([("_compare", os.path.abspath(args.compare))] if args.compare else [])
        for suffix, b in bins:
            if "fleet" not in skip:
                res["fleet" + suffix] = fleet_run(cli, tmp, wrap, b, args.accounts, args.latency_ms,
                                                  region=not suffix)
                res["fleet" + suffix]["binary"] = b
        if "regions" not in skip:
            res["regions"] = fleet_run(cli, tmp, wrap, binary, args.region_accounts, args.latency_ms,
                                       regions=args.regions.split(","), label="regions")
            res["regions"]["binary"] = binary
        if "callgrind" not in skip:
            if shutil.which("valgrind"):
                for suffix, b in bins:
                    res["callgrind" + suffix] = callgrind_run(cli, tmp, wrap, b, args.latency_ms,
                                                              args.callgrind_reps, args.keep_callgrind,
                                                              region=not suffix)
                    res["callgrind" + suffix]["binary"] = b
            else:
                log("no valgrind: callgrind part skipped")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["loadavg_end"] = bench.loadavg()
    res["verdict"] = verdict(res)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    print_table(res)
    log("results written to %s" % args.out)


if __name__ == "__main__":
    main()
