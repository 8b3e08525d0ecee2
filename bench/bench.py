#!/usr/bin/python3
"""bench.py - the provider's benchmark (issues 5.5 and 6); see bench/README.md.

Measures, on the binary given by --provider (default build/terraform-provider-ssmpatch):
  1. exec-to-handshake time (go-plugin launch: magic cookie, PLUGIN_PROTOCOL_VERSIONS=5,6,
     with and without PLUGIN_CLIENT_CERT = AutoMTLS) against bench/trivial.c, built here
     with cc; median of --runs launches, interleaved. An extra row decomposes it: trivial.c
     linked against the provider's shared libraries;
  2. VmRSS right after the handshake line; VmHWM after a refresh of 1000 objects;
  3. binary size and stripped size;
  4. GetProviderSchema round-trip latency on one connection (median of many calls);
  5. refresh (ReadResource) of N window targets at Terraform's parallelism 10 with
     0 ms and 50 ms emulator latency, with the ratio to the ideal N x latency / 10,
     next to the same requests sent to the backend directly (its own ceiling); then the
     same against bench/fastssm.py, a minimal asyncio SSM endpoint;
  6. callgrind instruction counts of the GetProviderSchema and PlanResourceChange
     handlers (--toggle-collect on the handler function), and of start-up (exec to
     handshake, inclusive cost of the loader, main and its TLS steps);
  7. the data source ssmpatch_patch_group_compliance with include_missing_patches for
     200 instances at 50 ms emulator latency, against the ideal 200 x 50 ms / 10
     (bench/compliance.py).
--compare BINARY repeats 1-3 for another build (run.sh passes the other link mode).
Prints a table and writes bench/results/latest.json (or --out).

Run: bench/run.sh   or   /usr/bin/python3 bench/bench.py --provider build/terraform-provider-ssmpatch
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))

from harness import plugin as hplugin  # noqa: E402
from harness import seed as hseed  # noqa: E402
from harness.provider import Provider, _mk  # noqa: E402

import compliance  # noqa: E402  (bench/compliance.py)
import direct  # noqa: E402  (bench/direct.py)

TARGET_TYPE = "ssmpatch_window_target"
TARGETS_PER_WINDOW = 100       # SSM's quota of targets per maintenance window
PARALLELISM = 10               # terraform -parallelism default
GOALS = {"startup_ratio": 3.0, "rss_mb": 10.0, "refresh_200_50ms": 1.5, "refresh_1000_50ms": 1.3}


# --------------------------------------------------------------------------- helpers

def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def pct(values, p):
    s = sorted(values)
    if not s:
        return None
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def summary(values, nd=3):
    return {"n": len(values), "median": round(statistics.median(values), nd),
            "min": round(min(values), nd), "p90": round(pct(values, 90), nd),
            "max": round(max(values), nd)}


def proc_status(pid):
    """VmRSS/VmHWM/Threads of a live process, in kB (Threads: count)."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                out[k] = int(v.split()[0])
    return out


def proc_cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def run_out(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo") as f:
        mem = f.readline().split(":")[1].strip()
    debian = ""
    if os.path.exists("/etc/debian_version"):
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    return {"cpu": model, "cores": os.cpu_count(), "mem_total": mem, "kernel": platform.release(),
            "debian": debian, "cc": run_out(["cc", "--version"]).splitlines()[0:1],
            "grpc": run_out(["pkg-config", "--modversion", "grpc"]),
            "python": platform.python_version(),
            "valgrind": run_out(["valgrind", "--version"]),
            "loadavg_start": loadavg()}


def link_info(binary):
    """Shared objects the binary loads (ldd), and whether gRPC is among them."""
    libs = [ln.split()[0] for ln in run_out(["ldd", binary]).splitlines() if ln.strip()]
    return {"shared_objects": len(libs), "grpc_shared": any("libgrpc" in x for x in libs),
            "link": "dynamic" if any("libgrpc" in x for x in libs) else "static"}


def sizes(binary, tmp):
    stripped = os.path.join(tmp, "stripped")
    subprocess.run(["strip", "-o", stripped, binary], check=True)
    out = {"bytes": os.path.getsize(binary), "stripped_bytes": os.path.getsize(stripped)}
    os.unlink(stripped)
    return out


def build_trivial(tmp, needed_from=None, name="trivial"):
    """bench/trivial.c; with `needed_from`, linked (--no-as-needed) against
    every shared library that binary names in DT_NEEDED: start-up cost of
    loading and initializing the provider's shared libraries alone."""
    exe = os.path.join(tmp, name)
    libs = []
    if needed_from:
        for ln in run_out(["readelf", "-d", needed_from]).splitlines():
            m = re.search(r"\(NEEDED\)\s+Shared library: \[(.+)\]", ln)
            if m and not m.group(1).startswith(("libc.so", "ld-linux")):
                libs.append("-l:" + m.group(1))
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(HERE, "trivial.c"), "-Wl,--no-as-needed"] + libs,
                   check=True)
    return exe


# --------------------------------------------------------------------------- 1+2: start-up

def plugin_env(cert_pem):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith(("TF_LOG", "PLUGIN_", "SSMPATCH_")):
            del e[k]
    e[hplugin.MAGIC_COOKIE_KEY] = hplugin.MAGIC_COOKIE_VALUE
    e["PLUGIN_PROTOCOL_VERSIONS"] = "5,6"
    e["PLUGIN_MIN_PORT"] = "10000"
    e["PLUGIN_MAX_PORT"] = "25000"
    if cert_pem:
        e["PLUGIN_CLIENT_CERT"] = cert_pem
    return e


def launch_once(binary, env):
    """exec -> handshake line, in ms; VmRSS right after it; then SIGTERM."""
    t0 = time.perf_counter()
    p = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    line = p.stdout.readline()
    t1 = time.perf_counter()
    try:
        st = proc_status(p.pid)
    except OSError:
        st = {}
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    p.stdout.close()
    if not line.startswith(b"1|"):
        raise RuntimeError("%s: no handshake line (got %r, exit %s)" % (binary, line, p.returncode))
    return (t1 - t0) * 1000.0, st


def settled_rss(binary, env, settle=0.5):
    """VmRSS/Threads after the process has been idle `settle` seconds."""
    p = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    p.stdout.readline()
    time.sleep(settle)
    st = proc_status(p.pid)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=10)
    p.stdout.close()
    return st


def bench_startup(binaries, trivial, runs, tmp):
    cert = hplugin.generate_cert().cert_pem.decode()
    variants = [("trivial", trivial, plugin_env(None))]
    for label, b in binaries:
        variants.append(("trivial+libs-of-" + label, build_trivial(tmp, b, "trivial-" + label), plugin_env(None)))
    for label, b in binaries:
        variants.append((label + "/no-mtls", b, plugin_env(None)))
        variants.append((label + "/automtls", b, plugin_env(cert)))
    times = {v[0]: [] for v in variants}
    rss = {v[0]: [] for v in variants}
    anon = {v[0]: [] for v in variants}
    for v in variants:                      # warm the page cache
        launch_once(v[1], v[2])
        launch_once(v[1], v[2])
    for i in range(runs):                   # interleaved, rotated order
        order = variants[i % len(variants):] + variants[:i % len(variants)]
        for label, b, env in order:
            ms, st = launch_once(b, env)
            times[label].append(ms)
            rss[label].append(st.get("VmRSS", 0))
            anon[label].append(st.get("RssAnon", 0))
    out = {}
    base = statistics.median(times["trivial"])
    for label, b, env in variants:
        t = summary(times[label])
        r = summary([x / 1024.0 for x in rss[label]], 2)
        out[label] = {"handshake_ms": t, "ratio_to_trivial": round(t["median"] / base, 2),
                      "rss_mb_at_handshake": r,
                      "rss_anon_mb_at_handshake": round(statistics.median(anon[label]) / 1024.0, 2)}
        if not label.startswith("trivial"):
            out[label]["meets_goals"] = {
                "startup_ratio": out[label]["ratio_to_trivial"] <= GOALS["startup_ratio"],
                "rss_mb": r["median"] <= GOALS["rss_mb"]}
            st = settled_rss(b, env)
            out[label]["rss_mb_settled"] = round(st["VmRSS"] / 1024.0, 2)
            out[label]["threads"] = st["Threads"]
    return out


# --------------------------------------------------------------------------- 4: schema latency

def bench_schema(binary, calls):
    out = {}
    for proto, method in ((6, "/tfplugin6.Provider/GetProviderSchema"), (5, "/tfplugin5.Provider/GetSchema")):
        p = Provider(binary=binary, protocol=proto, mtls=True)
        try:
            fn = p.plugin.channel.unary_unary(method, request_serializer=None, response_deserializer=None)
            size = len(fn(b""))
            for _ in range(20):
                fn(b"")
            lat = []
            for _ in range(calls):
                t0 = time.perf_counter()
                fn(b"")
                lat.append((time.perf_counter() - t0) * 1e6)
            out["v%d" % proto] = {"method": method, "response_bytes": size, "latency_us": summary(lat, 0)}
        finally:
            p.close()
    # the same client's floor: the go-plugin health check (tiny request and answer)
    p = Provider(binary=binary, protocol=6, mtls=True)
    try:
        side = p.plugin.pb.side
        fn = p.plugin.channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=None,
                                          response_deserializer=None)
        req = side.HealthCheckRequest(service="plugin").SerializeToString()
        for _ in range(20):
            fn(req)
        lat = []
        for _ in range(calls):
            t0 = time.perf_counter()
            fn(req)
            lat.append((time.perf_counter() - t0) * 1e6)
        out["health_check_floor"] = {"latency_us": summary(lat, 0)}
    finally:
        p.close()
    return out


# --------------------------------------------------------------------------- 5: refresh

def run_parallel(call_future, requests, parallelism):
    """Keep `parallelism` calls in flight (Terraform's semaphore) until all
    requests are answered. Returns (wall seconds, responses, per-call seconds)."""
    n = len(requests)
    results = [None] * n
    lat = [0.0] * n
    lock = threading.Lock()
    done = threading.Event()
    state = {"next": 0, "finished": 0}

    def launch():
        with lock:
            i = state["next"]
            if i >= n:
                return
            state["next"] = i + 1
        t0 = time.perf_counter()
        f = call_future(requests[i])
        f.add_done_callback(lambda fut, i=i, t0=t0: finish(i, t0, fut))

    def finish(i, t0, fut):
        lat[i] = time.perf_counter() - t0
        try:
            results[i] = fut.result()
        except Exception as e:  # noqa: BLE001 - reported as a failed call
            results[i] = e
        with lock:
            state["finished"] += 1
            last = state["finished"] == n
        if last:
            done.set()
        else:
            launch()

    t0 = time.perf_counter()
    for _ in range(min(parallelism, n)):
        launch()
    if not done.wait(timeout=600):
        raise RuntimeError("refresh did not finish in 600 s")
    return time.perf_counter() - t0, results, lat


def backend_direct(port, items, parallelism):
    """The same DescribeMaintenanceWindowTargets requests the provider makes,
    sent straight to the SSM backend on `port` by `parallelism` keep-alive
    connections (direct.py): the backend's own ceiling. Returns wall seconds."""
    bodies = [json.dumps({"WindowId": wid, "Filters": [{"Key": "WindowTargetId", "Values": [tid]}]}).encode()
              for wid, tid in items]
    return direct.post_all(port, "DescribeMaintenanceWindowTargets", bodies, parallelism,
                           check=lambda i, data: items[i][1].encode() in data)


class FastSSM:
    """bench/fastssm.py as a subprocess (one latency per process)."""

    def __init__(self, data_path, latency_ms):
        self.proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "fastssm.py"), "--data", data_path,
                                      "--latency-ms", str(latency_ms)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError("fastssm did not start: %r" % line)
        self.port = int(line.rsplit(":", 1)[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()


def configured_provider(binary, emu, ssm_url):
    p = Provider(binary=binary, protocol=6, mtls=True, env=emu.env())
    try:
        p.configure({"region": emu.region, "access_key": emu.access_key, "secret_key": emu.secret_key,
                     "endpoints": [{"ssm": ssm_url, "sts": emu.url}]})
    except BaseException:
        p.close()
        raise
    return p


def refresh_runs(p, requests, items, backend, port, lat_ms, sizes_n, reps, counter):
    """The refresh of each N in sizes_n on provider p (backend at lat_ms)."""
    pid = p.plugin.proc.pid
    fn = p.plugin.channel.unary_unary("/tfplugin6.Provider/ReadResource", request_serializer=None,
                                      response_deserializer=p.pb.ReadResource.Response.FromString)

    def call_future(raw):
        return fn.future(raw, timeout=120)

    run_parallel(call_future, requests[:50], PARALLELISM)          # warm-up: connections, threads
    out = []
    for n in sizes_n:
        walls, direct, cpu, per_call = [], [], [], []
        calls_per_read = None
        for _ in range(reps):
            if counter:
                counter.reset(state=False, calls=True)
            c0 = proc_cpu_seconds(pid)
            wall, results, lat = run_parallel(call_future, requests[:n], PARALLELISM)
            cpu.append(proc_cpu_seconds(pid) - c0)
            bad = [r for r in results if isinstance(r, Exception) or not r.new_state.msgpack
                   or any(d.severity == 1 for d in r.diagnostics)]
            if bad:
                raise RuntimeError("ReadResource failed (%s backend): %r" % (backend, bad[:2]))
            if counter:
                calls_per_read = counter.calls()["by_op"].get("DescribeMaintenanceWindowTargets",
                                                              {}).get("count", 0) / float(n)
            walls.append(wall)
            per_call.append(statistics.median(lat) * 1000.0)
            direct.append(backend_direct(port, items[:n], PARALLELISM))
        ideal = n * lat_ms / 1000.0 / PARALLELISM
        wall = statistics.median(walls)
        run = {"backend": backend, "n": n, "latency_ms": lat_ms, "wall_s": round(wall, 3),
               "wall_s_all": [round(w, 3) for w in walls], "ideal_s": round(ideal, 3),
               "ratio_to_ideal": round(wall / ideal, 3) if ideal else None,
               "reads_per_s": round(n / wall, 1),
               "median_call_ms": round(statistics.median(per_call), 2),
               "describe_requests_per_read": round(calls_per_read, 2) if calls_per_read is not None else None,
               "provider_cpu_ms_per_read": round(statistics.median(cpu) * 1000.0 / n, 3),
               "backend_direct_wall_s": round(statistics.median(direct), 3),
               "ratio_to_backend_direct": round(wall / statistics.median(direct), 3)}
        out.append(run)
        log("refresh: %s N=%d latency=%d ms: %.3f s (ideal %.3f s, backend alone %.3f s)"
            % (backend, n, lat_ms, wall, ideal, run["backend_direct_wall_s"]))
    return out


def bench_refresh(binary, sizes_n, latencies, reps, tmp, fast):
    from emulator import Emulator
    max_n = max(sizes_n)
    out = {"parallelism": PARALLELISM, "targets_per_window": TARGETS_PER_WINDOW, "runs": []}
    with Emulator(latency_ms=0, self_check=False) as emu:
        log("refresh: creating %d window targets in the emulator" % max_n)
        wids = []
        for w in range((max_n + TARGETS_PER_WINDOW - 1) // TARGETS_PER_WINDOW):
            r = emu.ssm("CreateMaintenanceWindow", {"Name": "bench-window-%d" % w, "Schedule": "cron(00 17 * * ? *)",
                                                    "Duration": 1, "Cutoff": 0, "AllowUnassociatedTargets": True})
            wids.append(r["WindowId"])
        items = []
        for i in range(max_n):
            wid = wids[i // TARGETS_PER_WINDOW]
            r = emu.ssm("RegisterTargetWithMaintenanceWindow", {
                "WindowId": wid, "ResourceType": "INSTANCE", "Name": "bench-target-%d" % i,
                "Targets": [{"Key": "tag:PatchWindowTaskAM2", "Values": ["SCAN" if i % 2 else "INSTALL"]}]})
            items.append((wid, r["WindowTargetId"]))
        # the same targets as fastssm's data
        data = {}
        for wid in wids:
            token = None
            while True:
                body = {"WindowId": wid, "MaxResults": 100}
                if token:
                    body["NextToken"] = token
                r = emu.ssm("DescribeMaintenanceWindowTargets", body)
                for t in r["Targets"]:
                    data[t["WindowTargetId"]] = t
                token = r.get("NextToken")
                if not token:
                    break
        data_path = os.path.join(tmp, "targets.json")
        with open(data_path, "w") as f:
            json.dump(data, f)

        p = configured_provider(binary, emu, emu.url)
        try:
            pid = p.plugin.proc.pid
            log("refresh: building %d states (import + one sequential read each)" % max_n)
            block = p.block(TARGET_TYPE)
            ty = block.implied_type()
            requests = []
            for wid, tid in items:
                st = p.import_state(TARGET_TYPE, "%s/%s" % (wid, tid), read=True)
                req = _mk(p.pb.ReadResource.Request, type_name=TARGET_TYPE, current_state=p.dv(ty, dict(st)),
                          private=st.private, provider_meta=p._provider_meta(), client_capabilities=p._caps())
                requests.append(req.SerializeToString())
            out["rss_mb_after_setup"] = round(proc_status(pid)["VmRSS"] / 1024.0, 2)
            for lat_ms in latencies:
                emu.configure(latency_ms=lat_ms)
                out["runs"] += refresh_runs(p, requests, items, "emulator", emu.port, lat_ms, sizes_n, reps, emu)
            st = proc_status(pid)
            out["provider_rss_mb_after"] = round(st["VmRSS"] / 1024.0, 2)
            out["provider_peak_rss_mb"] = round(st["VmHWM"] / 1024.0, 2)
            out["provider_threads"] = st["Threads"]
            out["provider_rss_anon_mb_after"] = round(st["RssAnon"] / 1024.0, 2)
            out["provider_rss_file_mb_after"] = round(st["RssFile"] / 1024.0, 2)
        finally:
            p.close()
        emu.configure(latency_ms=0)
        if fast:
            for lat_ms in latencies:
                srv = FastSSM(data_path, lat_ms)
                try:
                    p = configured_provider(binary, emu, srv.url)
                    try:
                        out["runs"] += refresh_runs(p, requests, items, "fastssm", srv.port, lat_ms, sizes_n,
                                                    reps, None)
                        if lat_ms == latencies[-1]:
                            st = proc_status(p.plugin.proc.pid)
                            out["fastssm_provider_peak_rss_mb"] = round(st["VmHWM"] / 1024.0, 2)
                    finally:
                        p.close()
                finally:
                    srv.stop()
    return out


# --------------------------------------------------------------------------- 6: callgrind

HANDLERS = {"GetProviderSchema": "tfp_get_provider_schema", "PlanResourceChange": "tfp_plan_resource_change"}


def callgrind_totals(path):
    with open(path) as f:
        for line in f:
            if line.startswith(("totals:", "summary:")):
                return int(line.split()[1])
    raise RuntimeError("no totals in %s" % path)


def callgrind_run(binary, tmp, what, extra_calls, emu):
    """One provider process under callgrind, collecting only inside the
    handler of `what`; the handler runs 1 + extra_calls times. Returns Ir."""
    out = os.path.join(tmp, "callgrind.%s.%d.out" % (what, extra_calls))
    wrapper = os.path.join(tmp, "vg-%s-%d.sh" % (what, extra_calls))
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec valgrind --tool=callgrind --collect-atstart=no --toggle-collect=%s "
                "--callgrind-out-file=%s %s\n" % (HANDLERS[what], out, binary))
    os.chmod(wrapper, 0o755)
    p = Provider(binary=wrapper, protocol=6, mtls=False, env=emu.env(), handshake_timeout=300)
    try:
        if what == "GetProviderSchema":   # the harness already called it once
            for _ in range(extra_calls):
                p.get_schema()
        else:
            p.configure({"region": emu.region, "access_key": emu.access_key, "secret_key": emu.secret_key,
                         "endpoints": [{"ssm": emu.url, "sts": emu.url}]})
            cfg = hseed.task("scan", "mw-0123456789abcdef0", "e32eecb2-646c-4f4b-8ed1-205fbd0e1a5f",
                             "ssmpatch-seed-output")
            for _ in range(1 + extra_calls):
                plan = p.plan("ssmpatch_window_task", cfg)
                if plan.action != "create":
                    raise RuntimeError("seed task plan: %r" % plan)
    finally:
        # go-plugin would kill after 2 s; valgrind needs longer to write its output
        p.plugin.close(grace=120)
    return callgrind_totals(out)


STARTUP_FUNCS = {"loader (_dl_start)": ":_dl_start ", "constructors (_dl_init)": ":_dl_init ",
                 "main": ":main ", "tls_identity_generate": ":tls_identity_generate ",
                 "tls_pem_has_cert": ":tls_pem_has_cert ", "grpc_init": ":grpc_init ",
                 "grpc_server_add_http2_port": ":grpc_server_add_http2_port ",
                 "rpc_server_start": ":rpc_server_start "}


def callgrind_startup(binary, tmp, mtls_cert, env_extra=None):
    """Whole process under callgrind from exec to the handshake line (then
    SIGTERM): program total and the inclusive cost of the start-up steps."""
    out = os.path.join(tmp, "callgrind.startup.out")
    env = plugin_env(mtls_cert)
    env.update(env_extra or {})
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, binary], env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline()
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=120)
    p.stdout.close()
    if not line.startswith(b"1|"):
        raise RuntimeError("no handshake under valgrind")
    total, res = callgrind_inclusive(out, STARTUP_FUNCS)
    if total is not None:
        res["total"] = total
    os.unlink(out)
    return res


def callgrind_inclusive(path, patterns):
    """(program total, {label: inclusive Ir}) of a callgrind profile, for each
    label whose pattern matches a function line of callgrind_annotate
    --inclusive=yes (the first, most expensive, match)."""
    text = run_out(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path])
    total, res = None, {}
    for ln in text.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)$", ln)
        if not m:
            continue
        ir, what = int(m.group(1).replace(",", "")), m.group(2)
        if "PROGRAM TOTALS" in what:
            total = ir
            continue
        for label, pat in patterns.items():
            if label not in res and pat in what and "=>" not in what:
                res[label] = ir
    return total, res


def bench_callgrind_startup(bins, tmp):
    cert = hplugin.generate_cert().cert_pem.decode()
    out = {"method": "valgrind --tool=callgrind, exec to handshake line; inclusive Ir from callgrind_annotate"}
    runs = []
    for label, b in bins:
        runs += [(label + "/no-mtls", b, None, None), (label + "/automtls", b, cert, None)]
    for label, b, c, extra in runs:
        out[label] = callgrind_startup(b, tmp, c, extra)
        log("callgrind start-up: %s %d Ir" % (label, out[label].get("total", 0)))
    return out


def bench_callgrind(binary, tmp, extra):
    from emulator import Emulator
    out = {"method": "valgrind --tool=callgrind --collect-atstart=no --toggle-collect=<handler>; "
                     "runs with 1 and 1+%d handler calls; per call = difference / %d" % (extra, extra)}
    with Emulator(self_check=False) as emu:
        for what in HANDLERS:
            a = callgrind_run(binary, tmp, what, 0, emu)
            b = callgrind_run(binary, tmp, what, extra, emu)
            out[what] = {"handler": HANDLERS[what], "first_call_Ir": a, "Ir_per_call": (b - a) // extra,
                         "runs_Ir": [a, b]}
            log("callgrind: %s %d Ir per call (first call %d)" % (what, (b - a) // extra, a))
    return out


# --------------------------------------------------------------------------- report

def mb(b):
    return "%.2f MB" % (b / 1048576.0)


def print_table(res):
    w = sys.stdout.write
    w("\n== terraform-provider-ssmpatch benchmark (%s, %s cores, load %s)\n"
      % (res["machine"]["cpu"], res["machine"]["cores"], res["machine"]["loadavg_start"]))
    for label, b in res["binaries"].items():
        w("binary %-8s %s  %s (stripped %s), %d shared objects\n"
          % (label, b["path"], mb(b["bytes"]), mb(b["stripped_bytes"]), b["shared_objects"]))
    if "startup" in res:
        w("\n%-34s %10s %8s %8s %8s %8s %8s %10s\n" % ("start-up", "median ms", "min", "p90", "ratio",
                                                        "RSS MB", "anon MB", "settled MB"))
        for label, s in res["startup"].items():
            w("%-34s %10.2f %8.2f %8.2f %8.2f %8.2f %8.2f %10s\n"
              % (label, s["handshake_ms"]["median"], s["handshake_ms"]["min"], s["handshake_ms"]["p90"],
                 s["ratio_to_trivial"], s["rss_mb_at_handshake"]["median"], s["rss_anon_mb_at_handshake"],
                 s.get("rss_mb_settled", "")))
        w("  goals: ratio <= %.1f x trivial, RSS <= %.0f MB\n" % (GOALS["startup_ratio"], GOALS["rss_mb"]))
        for label, s in res["startup"].items():
            if "meets_goals" not in s:
                continue
            g = s["meets_goals"]
            w("    %-30s ratio %5.2f %-6s  RSS %5.2f MB %s\n"
              % (label, s["ratio_to_trivial"], "met" if g["startup_ratio"] else "MISSED",
                 s["rss_mb_at_handshake"]["median"], "met" if g["rss_mb"] else "MISSED"))
    if "schema" in res:
        w("\n%-40s %10s %8s %8s %10s\n" % ("GetProviderSchema (one connection)", "median us", "min",
                                           "p90", "bytes"))
        for k, s in res["schema"].items():
            w("%-40s %10.0f %8.0f %8.0f %10s\n" % (s.get("method", k), s["latency_us"]["median"],
                                                   s["latency_us"]["min"], s["latency_us"]["p90"],
                                                   s.get("response_bytes", "")))
    if "refresh" in res:
        r = res["refresh"]
        w("\n%-28s %7s %7s %6s %7s %7s %8s %6s %9s\n" % ("refresh, 10 in flight", "wall s", "ideal s", "ratio",
                                                        "alone s", "vs alone", "call ms", "req/rd",
                                                        "cpu ms/rd"))
        for x in r["runs"]:
            w("%-28s %7.3f %7.3f %6s %7.3f %8.2f %8.2f %6s %9.3f\n"
              % ("%s N=%d @ %d ms" % (x["backend"], x["n"], x["latency_ms"]), x["wall_s"], x["ideal_s"],
                 "%.2f" % x["ratio_to_ideal"] if x["ratio_to_ideal"] else "-", x["backend_direct_wall_s"],
                 x["ratio_to_backend_direct"], x["median_call_ms"],
                 "%.2f" % x["describe_requests_per_read"] if x["describe_requests_per_read"] is not None else "-",
                 x["provider_cpu_ms_per_read"]))
        w("  goals: 200 @ 50 ms <= %.1f x ideal, 1000 @ 50 ms <= %.1f x ideal\n"
          % (GOALS["refresh_200_50ms"], GOALS["refresh_1000_50ms"]))
        for x in r["runs"]:
            goal = GOALS.get("refresh_%d_%dms" % (x["n"], x["latency_ms"]))
            if goal and x["ratio_to_ideal"]:
                w("    %-26s ratio %5.2f %s\n" % ("%s N=%d @ %d ms" % (x["backend"], x["n"], x["latency_ms"]),
                                                 x["ratio_to_ideal"],
                                                 "met" if x["ratio_to_ideal"] <= goal else "MISSED"))
        w("  provider RSS after the emulator refreshes %.2f MB (anon %.2f, file %.2f), peak (VmHWM) %.2f MB, "
          "%d threads\n" % (r["provider_rss_mb_after"], r["provider_rss_anon_mb_after"],
                            r["provider_rss_file_mb_after"], r["provider_peak_rss_mb"], r["provider_threads"]))
    if "compliance" in res:
        compliance.print_compliance(w, res["compliance"])
    if "callgrind" in res:
        w("\ncallgrind (instructions inside the handler)\n")
        for k in HANDLERS:
            c = res["callgrind"][k]
            w("  %-20s %12d Ir per call   (first call %d)\n" % (k, c["Ir_per_call"], c["first_call_Ir"]))
    if "callgrind_startup" in res:
        cs = res["callgrind_startup"]
        cols = list(STARTUP_FUNCS)
        w("\ncallgrind start-up, exec to handshake (million instructions, inclusive)\n")
        w("%-34s %8s" % ("", "total") + "".join(" %9s" % c.split(" ")[0][:9] for c in cols) + "\n")
        for label, v in cs.items():
            if label == "method":
                continue
            w("%-34s %8.2f" % (label, v.get("total", 0) / 1e6)
              + "".join(" %9s" % ("%.2f" % (v[c] / 1e6) if c in v else "-") for c in cols) + "\n")
    w("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--provider", default=os.path.join(os.environ.get("SSMPATCH_BUILD_DIR") or
                                                       os.path.join(REPO, "build"), "terraform-provider-ssmpatch"))
    ap.add_argument("--compare", action="append", default=[], help="another provider binary for start-up/RSS/size")
    ap.add_argument("--runs", type=int, default=25, help="launches per start-up variant (>= 20)")
    ap.add_argument("--schema-calls", type=int, default=300)
    ap.add_argument("--sizes", default="50,200,1000")
    ap.add_argument("--latencies", default="0,50")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each refresh run (median)")
    ap.add_argument("--callgrind-calls", type=int, default=10)
    ap.add_argument("--skip", default="",
                    help="comma list out of startup,schema,refresh,fastssm,compliance,callgrind")
    ap.add_argument("--nice", type=int, default=0,
                    help="run at this nice value (inherited by emulator and provider); negative needs root")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"))
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)
    binary = os.path.abspath(args.provider)
    if not os.access(binary, os.X_OK):
        sys.exit("bench: provider binary %s not found (build it, or bench/run.sh)" % binary)

    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "git": run_out(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]),
           "machine": machine(), "goals": GOALS, "nice": os.getpriority(os.PRIO_PROCESS, 0),
           "options": vars(args), "binaries": {}}
    tmp = tempfile.mkdtemp(prefix="ssmpatch-bench-")
    try:
        bins = []
        for b in [binary] + [os.path.abspath(c) for c in args.compare]:
            info = link_info(b)
            label = info["link"]
            if any(label == x for x, _ in bins):
                label += "-%d" % len(bins)
            res["binaries"][label] = dict(path=b, **info, **sizes(b, tmp))
            bins.append((label, b))
        res["main_binary"] = bins[0][0]
        if "startup" not in skip:
            log("start-up: %d launches per variant" % args.runs)
            res["startup"] = bench_startup(bins, build_trivial(tmp), args.runs, tmp)
        if "schema" not in skip:
            log("schema: %d calls" % args.schema_calls)
            res["schema"] = bench_schema(binary, args.schema_calls)
        if "refresh" not in skip:
            res["refresh"] = bench_refresh(binary, [int(x) for x in args.sizes.split(",")],
                                           [int(x) for x in args.latencies.split(",")], args.reps, tmp,
                                           "fastssm" not in skip)
        if "compliance" not in skip:
            res["compliance"] = compliance.bench_compliance(binary, 200, 50, args.reps, log,
                                                            configured_provider)
        if "callgrind" not in skip and shutil.which("valgrind"):
            res["callgrind"] = bench_callgrind(binary, tmp, args.callgrind_calls)
            res["callgrind_startup"] = bench_callgrind_startup(bins, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["machine"]["loadavg_end"] = loadavg()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1, sort_keys=False)
        f.write("\n")
    print_table(res)
    log("results written to %s" % args.out)


if __name__ == "__main__":
    main()
