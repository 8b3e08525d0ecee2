#!/usr/bin/python3
"""release.py - a provider release as the Terraform Registry and a provider
network mirror take it (`cmake --build BUILD --target release` runs it).

    release.py --binary B --version V --platform linux_amd64 --dist DIR
               [--strip STRIP] [--emulator CMD ...]

adds one platform to the release in DIR, then (re)writes everything that
covers all the platforms DIR holds for version V:

    terraform-provider-ssmpatch_V_<os>_<arch>.zip   the stripped binary
                                                    terraform-provider-ssmpatch_vV
    terraform-provider-ssmpatch_V_manifest.json     the Registry manifest; the same
    terraform-registry-manifest.json                bytes under the repository name
    terraform-provider-ssmpatch_V_SHA256SUMS        the zips and the manifest
    terraform-provider-ssmpatch_V_SHA256SUMS.sig    detached binary GPG signature, when
                                                    SSMPATCH_GPG_KEY names a secret key
    network-mirror/<host>/ssmpatch/ssmpatch/        for registry.terraform.io and
        index.json, V.json, the zips                registry.opentofu.org
    registry/                                       when signed: the provider registry
        .well-known/terraform.json                  protocol as static files, for a
        v1/providers/ssmpatch/ssmpatch/versions     registry of one's own host name
        v1/providers/ssmpatch/ssmpatch/V/download/<os>/<arch>, the zips, sums, .sig

Several build trees (amd64, the arm64 cross build) share one DIR: each adds
its platform and the sums, manifest and mirror then cover all of them.

The manifest's protocol_versions are what the binary itself negotiates: each
platform's binary is started once per candidate version with go-plugin's
handshake environment (through --emulator, e.g. qemu-aarch64-static, for a
cross-built one) and a version counts only when the handshake line answers
with it. All platforms must agree.

The zips are reproducible: fixed entry metadata, the time from
SOURCE_DATE_EPOCH (default 1980-01-01), so the same binary gives the same
zip and the same zh: hash.

Network mirror: Terraform's provider network mirror protocol, laid out as
`terraform providers mirror` does (archives next to <version>.json, relative
URLs), each archive with its h1: (content) and zh: (zip SHA-256) hashes.
index.json lists every <version>.json found in the host's directory, so a
tree synced down from the server before the release keeps older versions.

Registry: the provider registry protocol (service discovery, versions,
download documents with the signing key), as static files whose download,
checksum and signature URLs are relative; served at https://HOST/ it makes
HOST/ssmpatch/ssmpatch installable with the signature checked and `zh:`
checksums of every platform in the lock file. The versions document lists
every version directory present, as index.json does.

Environment: SSMPATCH_GPG_KEY (key ID, fingerprint or e-mail for gpg
--local-user), SSMPATCH_GPG_PASSPHRASE_FILE (for a key with a passphrase,
used with --pinentry-mode loopback), GNUPGHOME (gpg's own), SOURCE_DATE_EPOCH.
"""

import argparse
import base64
import glob
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

NAME = "terraform-provider-ssmpatch"
NAMESPACE_TYPE = "ssmpatch/ssmpatch"
MIRROR_HOSTS = ("registry.terraform.io", "registry.opentofu.org")
MAGIC_COOKIE = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
PROBE_VERSIONS = range(1, 10)  # go-plugin app protocol versions worth asking about
PROBE_TIMEOUT = 120  # seconds for one handshake line (qemu on a loaded machine)
PLATFORM_RE = re.compile(r"^[a-z0-9]+_[a-z0-9]+$")


def fail(msg):
    sys.stderr.write("release.py: %s\n" % msg)
    sys.exit(1)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---- the handshake probe --------------------------------------------------------------------


def _handshake_line(argv, version, sockdir):
    """The first stdout line of the provider started with PLUGIN_PROTOCOL_VERSIONS
    = version, or None (exited or timed out); the process is stopped after."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), MAGIC_COOKIE[0]: MAGIC_COOKIE[1],
           "PLUGIN_PROTOCOL_VERSIONS": str(version), "PLUGIN_UNIX_SOCKET_DIR": sockdir}
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(PROBE_TIMEOUT)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    proc.stdout.close()
    return out[0].decode(errors="replace").strip() if out and out[0] else None


def probe_protocols(binary, emulator=()):
    """Plugin protocol versions the binary negotiates when asked for exactly one."""
    offered = []
    with tempfile.TemporaryDirectory(prefix="ssmpatch-probe-") as sockdir:
        for v in PROBE_VERSIONS:
            line = _handshake_line([*emulator, binary], v, sockdir)
            if line is None:
                fail("%s gave no handshake line for protocol %d" % (binary, v))
            fields = line.split("|")
            if len(fields) < 5 or fields[0] != "1" or fields[4] != "grpc":
                fail("%s: not a go-plugin handshake line: %r" % (binary, line))
            if fields[1] == str(v):
                offered.append(v)
    if not offered:
        fail("%s offers no plugin protocol version" % binary)
    return offered


# ---- archives and hashes --------------------------------------------------------------------


def zip_time():
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or 315532800)  # 1980-01-01, zip's first day
    return time.gmtime(max(epoch, 315532800))[:6]


def write_zip(path, member, binary):
    """A reproducible zip holding `binary` as `member` (mode 0755)."""
    info = zipfile.ZipInfo(member, date_time=zip_time())
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so external_attr carries the mode
    info.external_attr = (0o100755 << 16)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z, open(binary, "rb") as f:
        z.writestr(info, f.read(), compresslevel=9)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
    os.replace(tmp, path)


def hash_h1(zip_path):
    """Terraform's h1: hash of a package (golang.org/x/mod/sumdb/dirhash Hash1
    over the zip's files): SHA-256 of the lines "<sha256 hex>  <name>\\n" of
    every file, sorted by name, in standard base64."""
    summary = hashlib.sha256()
    with zipfile.ZipFile(zip_path) as z:
        names = sorted(i.filename for i in z.infolist() if not i.is_dir())
        for name in names:
            summary.update(("%s  %s\n" % (hashlib.sha256(z.read(name)).hexdigest(), name)).encode())
    return "h1:" + base64.b64encode(summary.digest()).decode()


# ---- the release directory ------------------------------------------------------------------


def platform_dir(dist):
    return os.path.join(dist, ".platforms")


def add_platform(args):
    """Stripped binary -> zip, and the protocols it offers -> .platforms/<platform>.json."""
    if not PLATFORM_RE.match(args.platform):
        fail("bad platform %r (want os_arch, e.g. linux_arm64)" % args.platform)
    os.makedirs(platform_dir(args.dist), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ssmpatch-release-") as tmp:
        member = "%s_v%s" % (NAME, args.version)
        staged = os.path.join(tmp, member)
        shutil.copy2(args.binary, staged)
        if args.strip:
            subprocess.run([args.strip, staged], check=True)
        protocols = probe_protocols(staged, args.emulator)
        zname = "%s_%s_%s.zip" % (NAME, args.version, args.platform)
        write_zip(os.path.join(args.dist, zname), member, staged)
    meta = {"platform": args.platform, "version": args.version, "zip": zname, "protocols": protocols}
    with open(os.path.join(platform_dir(args.dist), "%s_%s.json" % (args.version, args.platform)), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print("release: %s (protocols %s)" % (zname, ", ".join(map(str, protocols))))


def platforms(dist, version):
    """{platform: meta} of every platform added to DIR for this version whose zip exists."""
    out = {}
    for p in sorted(glob.glob(os.path.join(platform_dir(dist), "%s_*.json" % version))):
        with open(p) as f:
            meta = json.load(f)
        if meta.get("version") == version and os.path.exists(os.path.join(dist, meta["zip"])):
            out[meta["platform"]] = meta
    return out


def write_json(path, obj):
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)


def sign(sums_path):
    sig = sums_path + ".sig"
    key = os.environ.get("SSMPATCH_GPG_KEY")
    if not key:
        if os.path.exists(sig):
            os.remove(sig)  # never leave a signature of older sums behind
        print("release: SSMPATCH_GPG_KEY not set: SHA256SUMS left unsigned")
        return None
    argv = ["gpg", "--batch", "--yes", "--local-user", key]
    if os.environ.get("SSMPATCH_GPG_PASSPHRASE_FILE"):
        argv += ["--pinentry-mode", "loopback", "--passphrase-file", os.environ["SSMPATCH_GPG_PASSPHRASE_FILE"]]
    argv += ["--output", sig, "--detach-sign", sums_path]
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        if os.path.exists(sig):
            os.remove(sig)
        fail("gpg --detach-sign with key %r failed:\n%s" % (key, r.stderr))
    print("release: signed %s with %s" % (os.path.basename(sums_path), key))
    return key


def public_key(key):
    """(long key ID, ASCII-armored public key) of the signing key."""
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-keys", key],
                             capture_output=True, text=True, check=True).stdout
    key_id = next(ln.split(":")[4] for ln in listing.splitlines() if ln.startswith("pub:"))
    armor = subprocess.run(["gpg", "--batch", "--armor", "--export", key],
                           capture_output=True, text=True, check=True).stdout
    return key_id, armor


def link_or_copy(src, dst):
    if os.path.exists(dst):
        os.remove(dst)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def write_network_mirror(dist, version, plats, hashes):
    for host in MIRROR_HOSTS:
        d = os.path.join(dist, "network-mirror", host, NAMESPACE_TYPE)
        os.makedirs(d, exist_ok=True)
        archives = {}
        for plat, meta in sorted(plats.items()):
            link_or_copy(os.path.join(dist, meta["zip"]), os.path.join(d, meta["zip"]))
            archives[plat] = {"url": meta["zip"], "hashes": hashes[meta["zip"]]}
        write_json(os.path.join(d, "%s.json" % version), {"archives": archives})
        versions = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(d, "*.json"))
                          if os.path.basename(p) != "index.json")
        write_json(os.path.join(d, "index.json"), {"versions": {v: {} for v in versions}})


def write_registry(dist, version, plats, protocols, sums_name, key):
    """The provider registry protocol as static files (registry/): service
    discovery, the versions list and one download document per platform,
    with the zips, the sums and their signature next to them."""
    root = os.path.join(dist, "registry")
    base = os.path.join(root, "v1", "providers", NAMESPACE_TYPE)
    vdir = os.path.join(base, version)
    os.makedirs(os.path.join(root, ".well-known"), exist_ok=True)
    write_json(os.path.join(root, ".well-known", "terraform.json"), {"providers.v1": "/v1/providers/"})
    for name in [m["zip"] for m in plats.values()] + [sums_name, sums_name + ".sig"]:
        os.makedirs(vdir, exist_ok=True)
        link_or_copy(os.path.join(dist, name), os.path.join(vdir, name))
    key_id, armor = public_key(key)
    for plat, meta in plats.items():
        os_, arch = plat.split("_", 1)
        d = os.path.join(vdir, "download", os_)
        os.makedirs(d, exist_ok=True)
        # URLs relative to this document (.../<version>/download/<os>/<arch>).
        write_json(os.path.join(d, arch), {
            "protocols": ["%d.0" % v for v in protocols], "os": os_, "arch": arch,
            "filename": meta["zip"], "download_url": "../../" + meta["zip"],
            "shasums_url": "../../" + sums_name, "shasums_signature_url": "../../" + sums_name + ".sig",
            "shasum": sha256_file(os.path.join(dist, meta["zip"])),
            "signing_keys": {"gpg_public_keys": [{"key_id": key_id, "ascii_armor": armor}]}})
    # Every version present (a tree synced down from the server keeps older ones).
    versions = []
    for v in sorted(os.listdir(base)):
        dl = os.path.join(base, v, "download")
        if not os.path.isdir(dl):
            continue
        entry = {"version": v, "protocols": None, "platforms": []}
        for os_ in sorted(os.listdir(dl)):
            for arch in sorted(os.listdir(os.path.join(dl, os_))):
                with open(os.path.join(dl, os_, arch)) as f:
                    entry["protocols"] = json.load(f)["protocols"]
                entry["platforms"].append({"os": os_, "arch": arch})
        versions.append(entry)
    write_json(os.path.join(base, "versions"), {"versions": versions})


def publish(dist, version):
    """Manifest, SHA256SUMS (+ .sig) and the network mirror over every platform in DIR."""
    plats = platforms(dist, version)
    if not plats:
        fail("no platform of version %s in %s" % (version, dist))
    offered = {tuple(m["protocols"]) for m in plats.values()}
    if len(offered) != 1:
        fail("platforms offer different protocol versions: %s" % {p: m["protocols"] for p, m in plats.items()})
    protocols = offered.pop()
    manifest = {"version": 1, "metadata": {"protocol_versions": ["%d.0" % v for v in protocols]}}
    mname = "%s_%s_manifest.json" % (NAME, version)
    write_json(os.path.join(dist, mname), manifest)
    write_json(os.path.join(dist, "terraform-registry-manifest.json"), manifest)

    hashes = {}
    sums = []
    for name in sorted([m["zip"] for m in plats.values()] + [mname]):
        digest = sha256_file(os.path.join(dist, name))
        sums.append("%s  %s\n" % (digest, name))
        if name.endswith(".zip"):
            hashes[name] = [hash_h1(os.path.join(dist, name)), "zh:" + digest]
    sums_path = os.path.join(dist, "%s_%s_SHA256SUMS" % (NAME, version))
    with open(sums_path, "w") as f:
        f.writelines(sums)
    key = sign(sums_path)
    write_network_mirror(dist, version, plats, hashes)
    if key:
        write_registry(dist, version, plats, protocols, os.path.basename(sums_path), key)
    else:
        shutil.rmtree(os.path.join(dist, "registry", "v1", "providers", NAMESPACE_TYPE, version),
                      ignore_errors=True)  # a registry serves signed releases only
    print("release: %s in %s: %s; protocols %s; network-mirror/ for %s%s" % (
        version, dist, ", ".join(sorted(plats)), ", ".join(manifest["metadata"]["protocol_versions"]),
        " and ".join(MIRROR_HOSTS), "; registry/" if key else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, help="the provider binary built for --platform")
    ap.add_argument("--version", required=True)
    ap.add_argument("--platform", required=True, help="os_arch, e.g. linux_amd64")
    ap.add_argument("--dist", required=True, help="release directory (shared by build trees)")
    ap.add_argument("--strip", default="strip", help="strip program for this platform ('' = keep symbols)")
    ap.add_argument("--emulator", nargs="*", default=[], help="runs a cross-built binary (qemu-aarch64-static)")
    args = ap.parse_args()
    args.dist = os.path.abspath(args.dist)
    add_platform(args)
    publish(args.dist, args.version)


if __name__ == "__main__":
    main()
