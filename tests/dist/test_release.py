"""The release (tools/release.py, `cmake --build BUILD --target release`): what
the Terraform Registry and a provider network mirror need, checked from the
outside.

- SHA256SUMS lists every zip and the manifest with their real SHA-256;
- its detached signature verifies with `gpg --verify` holding only the public
  key, and fails on a checksums file changed by one character; no key, no .sig
  (and an older one is removed);
- the manifest lists exactly the protocol versions the binary negotiates in a
  handshake with AutoMTLS (and none it does not);
- each zip holds just the stripped, executable terraform-provider-ssmpatch_vV,
  and is the same bytes when made again from the same binary;
- network-mirror/ follows the provider network mirror protocol for both
  registry hosts (index.json, <version>.json with h1:/zh: hashes and
  relative archive URLs that resolve);
- the CMake target itself produces all of it in the build tree's dist
  directory when SSMPATCH_GPG_KEY names a key.
"""
import hashlib
import json
import os
import re
import subprocess
import zipfile

import pytest

from dist_helpers import build_dir, run_release
from harness import tfcli
from harness.errors import ProtocolError
from harness.plugin import PluginProcess


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_sums(path):
    out = {}
    with open(path) as f:
        for line in f:
            m = re.fullmatch(r"([0-9a-f]{64})  (\S+)\n", line)
            assert m, "malformed SHA256SUMS line %r" % line
            out[m.group(2)] = m.group(1)
    return out


def test_sums_cover_every_zip_and_the_manifest(release):
    sums = read_sums(release.sums)
    expected = {release.zip_name(p) for p in release.platforms} | {os.path.basename(release.manifest)}
    assert set(sums) == expected
    for name, digest in sums.items():
        assert sha256(release.path(name)) == digest, name


def test_signature_verifies_and_fails_on_modified_sums(release, gpg_key, tmp_path):
    sig = release.sums + ".sig"
    assert open(sig, "rb").read(1) != b"-", "the Registry wants a binary (not armored) signature"
    good = gpg_key.verify(sig, release.sums)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "[GNUPG:] VALIDSIG %s" % gpg_key.fingerprint in good.stdout, good.stdout

    text = open(release.sums).read()
    i = text.index("  ") - 1  # the last hex digit of the first checksum
    changed = tmp_path / os.path.basename(release.sums)
    changed.write_text(text[:i] + ("0" if text[i] != "0" else "1") + text[i + 1:])
    bad = gpg_key.verify(sig, changed)
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "[GNUPG:] BADSIG" in bad.stdout, bad.stdout


def test_no_key_no_signature(amd64_binary, tmp_path):
    stale = tmp_path / ("terraform-provider-ssmpatch_%s_SHA256SUMS.sig" % tfcli.provider_version())
    stale.write_bytes(b"an older signature")
    env = {"SSMPATCH_GPG_KEY": ""}
    r = run_release(tmp_path, amd64_binary, tfcli.host_platform(), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "left unsigned" in r.stdout
    assert not stale.exists()
    assert (tmp_path / stale.name[:-4]).exists()
    assert not (tmp_path / "registry").exists(), "a registry serves signed releases only"


def test_unknown_key_fails_and_leaves_no_signature(amd64_binary, gpg_key, tmp_path):
    env = dict(gpg_key.env, SSMPATCH_GPG_KEY="nobody@example.invalid")
    r = run_release(tmp_path, amd64_binary, tfcli.host_platform(), env=env)
    assert r.returncode != 0 and "gpg --detach-sign" in r.stderr, r.stdout + r.stderr
    assert not list(tmp_path.glob("*.sig"))


def _negotiated(binary, asked):
    p = PluginProcess(binary=binary, protocol=asked, mtls=True, stdio=False)
    try:
        return p.handshake.app, p.handshake.server_cert_der is not None
    finally:
        p.close()


def test_manifest_lists_what_the_binary_negotiates(release, tmp_path):
    manifest = json.load(open(release.manifest))
    assert manifest["version"] == 1
    listed = manifest["metadata"]["protocol_versions"]
    assert listed == sorted(listed) and all(re.fullmatch(r"\d+\.0", v) for v in listed), listed
    assert open(release.path("terraform-registry-manifest.json"), "rb").read() == \
        open(release.manifest, "rb").read()
    # The released (stripped) amd64 binary, as Terraform would run it.
    with zipfile.ZipFile(release.path(release.zip_name(tfcli.host_platform()))) as z:
        z.extractall(tmp_path)
    binary = str(tmp_path / ("terraform-provider-ssmpatch_v%s" % release.version))
    os.chmod(binary, 0o755)
    offered = [int(v.split(".")[0]) for v in listed]
    for v in offered:  # each listed version is negotiated as asked, over AutoMTLS
        assert _negotiated(binary, v) == (v, True), v
    for v in (min(offered) - 1, max(offered) + 1):  # and the neighbours are not
        with pytest.raises(ProtocolError, match="negotiated app protocol %d not among requested" % min(offered)):
            _negotiated(binary, v)


def test_zip_holds_the_stripped_executable_and_is_reproducible(release, amd64_binary, tmp_path):
    name = release.zip_name(tfcli.host_platform())
    with zipfile.ZipFile(release.path(name)) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == ["terraform-provider-ssmpatch_v%s" % release.version]
        assert (infos[0].external_attr >> 16) & 0o777 == 0o755
        data = z.read(infos[0])
    assert data[:4] == b"\x7fELF"
    extracted = tmp_path / "binary"
    extracted.write_bytes(data)
    sections = subprocess.run(["readelf", "-S", "-W", str(extracted)], capture_output=True, text=True,
                              check=True).stdout
    assert ".text" in sections and ".symtab" not in sections and ".debug_info" not in sections, \
        "not stripped"
    again = tmp_path / "again"
    r = run_release(again, amd64_binary, tfcli.host_platform(), env={"SSMPATCH_GPG_KEY": ""})
    assert r.returncode == 0, r.stdout + r.stderr
    assert sha256(again / name) == sha256(release.path(name)), "the same binary gave another zip"


@pytest.mark.parametrize("host", tfcli.HOSTS)
def test_network_mirror_tree(release, host):
    d = release.mirror_dir(host)
    index = json.load(open(os.path.join(d, "index.json")))
    assert index == {"versions": {release.version: {}}}
    meta = json.load(open(os.path.join(d, "%s.json" % release.version)))
    assert set(meta["archives"]) == set(release.platforms)
    for platform, archive in meta["archives"].items():
        assert archive["url"] == release.zip_name(platform)  # relative to <version>.json
        target = os.path.join(d, archive["url"])
        digest = sha256(target)
        assert digest == sha256(release.path(release.zip_name(platform)))
        kinds = sorted(h.split(":", 1)[0] for h in archive["hashes"])
        assert kinds == ["h1", "zh"], archive["hashes"]
        assert "zh:" + digest in archive["hashes"]


def test_registry_tree(release, gpg_key):
    base = os.path.join(release.dir, "registry")
    assert json.load(open(os.path.join(base, ".well-known", "terraform.json"))) == {"providers.v1": "/v1/providers/"}
    prov = os.path.join(base, "v1", "providers", "ssmpatch", "ssmpatch")
    versions = json.load(open(os.path.join(prov, "versions")))["versions"]
    listed = json.load(open(release.manifest))["metadata"]["protocol_versions"]
    assert versions == [{"version": release.version, "protocols": listed,
                         "platforms": [dict(zip(("os", "arch"), p.split("_"))) for p in sorted(release.platforms)]}]
    for platform in release.platforms:
        os_, arch = platform.split("_")
        doc_dir = os.path.join(prov, release.version, "download", os_)
        doc = json.load(open(os.path.join(doc_dir, arch)))
        zip_path = os.path.normpath(os.path.join(doc_dir, doc["download_url"]))
        assert sha256(zip_path) == doc["shasum"] == sha256(release.path(release.zip_name(platform)))
        sums = os.path.normpath(os.path.join(doc_dir, doc["shasums_url"]))
        sig = os.path.normpath(os.path.join(doc_dir, doc["shasums_signature_url"]))
        assert read_sums(sums)[doc["filename"]] == doc["shasum"]
        key = doc["signing_keys"]["gpg_public_keys"][0]
        assert gpg_key.fingerprint.endswith(key["key_id"]) and "BEGIN PGP PUBLIC KEY BLOCK" in key["ascii_armor"]
        assert gpg_key.verify(sig, sums).returncode == 0


def test_network_mirror_index_keeps_older_versions(amd64_binary, tmp_path):
    """A tree synced down from the server before the release keeps its versions."""
    d = tmp_path / "network-mirror" / "registry.terraform.io" / "ssmpatch" / "ssmpatch"
    d.mkdir(parents=True)
    (d / "0.0.9.json").write_text('{"archives": {}}\n')
    r = run_release(tmp_path, amd64_binary, tfcli.host_platform(), env={"SSMPATCH_GPG_KEY": ""})
    assert r.returncode == 0, r.stdout + r.stderr
    index = json.load(open(d / "index.json"))
    assert set(index["versions"]) == {"0.0.9", tfcli.provider_version()}


def _cache_value(build, name):
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    return None


def test_release_target_in_the_build_tree(amd64_binary, gpg_key):
    build = build_dir()
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        pytest.skip("no configured build tree at %s (SSMPATCH_BUILD_DIR)" % build)
    dist = _cache_value(build, "SSMPATCH_DIST_DIR")
    assert dist, "SSMPATCH_DIST_DIR missing from the build tree's cache"
    version = tfcli.provider_version()
    sums = os.path.join(dist, "terraform-provider-ssmpatch_%s_SHA256SUMS" % version)
    for stale in (sums, sums + ".sig"):
        if os.path.exists(stale):
            os.remove(stale)
    env = dict(os.environ, SSMPATCH_GPG_KEY=gpg_key.fingerprint, **gpg_key.env)
    r = subprocess.run(["cmake", "--build", build, "--target", "release"], env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    zip_name = "terraform-provider-ssmpatch_%s_%s.zip" % (version, tfcli.host_platform())
    assert read_sums(sums)[zip_name] == sha256(os.path.join(dist, zip_name))
    v = gpg_key.verify(sums + ".sig", sums)
    assert v.returncode == 0, v.stdout + v.stderr
    for host in tfcli.HOSTS:
        d = os.path.join(dist, "network-mirror", host, tfcli.NAMESPACE_TYPE)
        assert os.path.exists(os.path.join(d, zip_name))
        assert version in json.load(open(os.path.join(d, "index.json")))["versions"]
    os.remove(sums + ".sig")  # signed by a throw-away key: not for anyone to publish
