"""The release's registry/ tree (the provider registry protocol as static
files, written when the release is signed) served over HTTPS as a registry of
one's own host name, used by every real CLI present.

The host name is the test server's own, localhost:PORT, and the CLI has no
configuration at all: it finds the registry through /.well-known/terraform.json
as it would at tf.example.com (the server's certificate is trusted through
SSL_CERT_FILE alone). The configuration's source is localhost:PORT/ssmpatch/ssmpatch.

- `init` installs the provider after checking SHA256SUMS against its
  signature with the key the download document names, and records the zh:
  checksums of every line of the signed SHA256SUMS - both platforms' zips
  (their SHA-256) and the manifest -, which a network mirror cannot give:
  Terraform takes zh: checksums only from signed sums;
  `providers lock -platform=linux_amd64 -platform=linux_arm64` records the
  same zh: set and an h1: per platform;
- a signature that does not match the sums is refused.
"""
import hashlib
import os
import re
import shutil

import pytest

from harness import tfcli
from mirror_server import HttpsStaticServer

CONFIG = """
terraform {
  required_providers {
    ssmpatch = {
      source  = "%s"
      version = "%s"
    }
  }
}
"""


def source(srv):
    return srv.url.split("//", 1)[1].rstrip("/") + "/ssmpatch/ssmpatch"  # localhost:PORT/...


def registry_workdir(cli, root, srv, version):
    """A working directory with an empty CLI configuration (no mirror, no host block)."""
    return tfcli.Workdir(cli, root, mirror=False, cli_config="", files={"main.tf": CONFIG % (source(srv), version)},
                         env=srv.cli_env(), home=True)


def lock_hashes(path, src):
    text = open(path).read()
    m = re.search(r'provider "%s" \{(.*?)\n\}' % re.escape(src), text, re.S)
    assert m, text
    return set(re.findall(r'"((?:h1|zh):[^"]+)"', m.group(1)))


def zh(path):
    with open(path, "rb") as f:
        return "zh:" + hashlib.sha256(f.read()).hexdigest()


@pytest.mark.parametrize("cli", tfcli.client_params())
def test_signed_install_and_lock_from_a_static_registry(cli, two_platform_release, tmp_path):
    rel = two_platform_release
    with HttpsStaticServer(os.path.join(rel.dir, "registry"), tmp_path) as srv:
        w = registry_workdir(cli, tmp_path / "cli", srv, rel.version)
        out = w.init().stdout
        vpath = "/v1/providers/ssmpatch/ssmpatch/%s/" % rel.version
        served = srv.paths()
        assert served[0] == "/.well-known/terraform.json", served
        for name in (rel.zip_name(tfcli.host_platform()), os.path.basename(rel.sums),
                     os.path.basename(rel.sums) + ".sig"):
            assert vpath + name in served, (name, served)
        assert "signed" in out.lower(), out  # "(self-signed, key ID ...)" / "(signed, key ID ...)"
        if not cli.at_least(0, 14):
            pytest.skip("%s has no dependency lock file (0.14+); signed install checked" % cli.name)
        # Every line of the signed SHA256SUMS, so every platform's zip (and the
        # manifest, which the sums also cover), whatever platform init ran on.
        signed = {"zh:" + ln.split()[0] for ln in open(rel.sums)}
        zips = {zh(rel.path(rel.zip_name(p))) for p in rel.platforms}
        assert zips <= signed and len(zips) == 2
        initial = lock_hashes(w.dir / ".terraform.lock.hcl", source(srv))
        assert {h for h in initial if h.startswith("zh:")} == signed, initial
        os.remove(w.dir / ".terraform.lock.hcl")
        w.run("providers", "lock", "-no-color", "-platform=linux_amd64", "-platform=linux_arm64")
    hashes = lock_hashes(w.dir / ".terraform.lock.hcl", source(srv))
    assert {h for h in hashes if h.startswith("zh:")} == signed, hashes
    assert len([h for h in hashes if h.startswith("h1:")]) == 2, hashes  # one per platform fetched


@pytest.mark.parametrize("cli", tfcli.client_params())
def test_bad_signature_is_refused(cli, two_platform_release, tmp_path):
    rel = two_platform_release
    tree = tmp_path / "registry"
    shutil.copytree(os.path.join(rel.dir, "registry"), tree)
    sig = tree / "v1" / "providers" / "ssmpatch" / "ssmpatch" / rel.version / (os.path.basename(rel.sums) + ".sig")
    data = bytearray(sig.read_bytes())
    data[-1] ^= 0xFF
    os.remove(sig)  # a hard link to the release's own .sig
    sig.write_bytes(bytes(data))
    with HttpsStaticServer(tree, tmp_path) as srv:
        w = registry_workdir(cli, tmp_path / "cli", srv, rel.version)
        proc = w.run("init", "-input=false", "-no-color", expect=(1,))
    assert "signature" in (proc.stdout + proc.stderr).lower(), proc.stdout + proc.stderr
