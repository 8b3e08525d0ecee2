#!/usr/bin/python3
"""cred_process.py - a credential_process helper for the tests (the role of
aws-vault, 1Password or granted): prints the Version 1 JSON with a fresh key
the emulator minted, or misbehaves as asked.

  --mode ok         {"Version": 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration}
  --mode exit1      "helper: the vault is locked" on stderr, exit 1
  --mode badjson    a secret-looking non-JSON line on stdout, a complaint on stderr, exit 0
  --mode noversion  valid JSON with keys but no "Version"
  --mode sleep      never answers (the time limit test)
--log FILE appends one line per run (to count invocations).
"""
import argparse
import json
import sys
import time
import urllib.request

p = argparse.ArgumentParser()
p.add_argument("--mode", default="ok")
p.add_argument("--emulator")
p.add_argument("--lifetime", type=float, default=3600)
p.add_argument("--log")
p.add_argument("--no-expiration", action="store_true")
p.add_argument("--account")
p.add_argument("--token", help="ignored: a secret on the command line, which no diagnostic may show")
a = p.parse_args()
if a.log:
    with open(a.log, "a") as f:
        f.write("%s %f\n" % (a.mode, time.time()))
if a.mode == "exit1":
    sys.stderr.write("helper: the vault is locked (run `vault unlock`)\n")
    sys.exit(1)
if a.mode == "badjson":
    print("AccessKeyId=AKIAPROCESSLEAK SecretAccessKey=process-secret-LEAK")
    sys.stderr.write("helper: printed key=value pairs instead of JSON\n")
    sys.exit(0)
if a.mode == "sleep":
    time.sleep(3600)
req = urllib.request.Request(a.emulator + "/_emulator/keys", method="POST",
                             data=json.dumps({"lifetime": a.lifetime, "label": "process",
                                              "account": a.account}).encode(),
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as r:
    k = json.loads(r.read())
out = {"AccessKeyId": k["AccessKeyId"], "SecretAccessKey": k["SecretAccessKey"],
       "SessionToken": k["SessionToken"]}
if a.mode != "noversion":
    out["Version"] = 1
if not a.no_expiration:
    out["Expiration"] = k["Expiration"]
print(json.dumps(out))
