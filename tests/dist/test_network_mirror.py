"""The release's network-mirror/ tree served over HTTPS, as an internal mirror
on any static server would serve it, and used by every real CLI present
(Terraform and OpenTofu, tests/harness/tfcli.py).

The server (mirror_server.py) has a certificate from a throw-away CA that the
CLI trusts through SSL_CERT_FILE alone. The CLI configuration holds only a
`network_mirror` block for the provider (and `direct` for nothing else):

- `init` installs the provider from the mirror - the host's own tree
  (registry.terraform.io for Terraform, registry.opentofu.org for OpenTofu),
  as the server's request log shows - and `validate` runs it;
- `providers lock -net-mirror=URL -platform=linux_amd64 -platform=linux_arm64`
  records a checksum for both platforms: each lock hash is the h1: or zh:
  hash the mirror lists for one of the two zips, the zh: ones the zips'
  SHA-256, and both platforms are covered;
- a mirror whose <version>.json lists a wrong zh: hash is refused.
"""
import hashlib
import json
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
      source  = "ssmpatch/ssmpatch"
      version = "%s"
    }
  }
}

resource "ssmpatch_maintenance_window" "w" {
  name     = "mirror-test"
  schedule = "cron(00 17 * * ? *)"
  duration = 1
  cutoff   = 0
}
"""


@pytest.fixture(scope="module")
def mirror(two_platform_release, tmp_path_factory):
    with HttpsStaticServer(os.path.join(two_platform_release.dir, "network-mirror"),
                           tmp_path_factory.mktemp("https")) as srv:
        yield srv


def lock_hashes(path, source):
    text = open(path).read()
    m = re.search(r'provider "%s" \{(.*?)\n\}' % re.escape(source), text, re.S)
    assert m, "no lock entry for %s in\n%s" % (source, text)
    return set(re.findall(r'"((?:h1|zh):[^"]+)"', m.group(1)))


def mirror_workdir(cli, root, srv, version):
    return tfcli.Workdir(cli, root, mirror=False, cli_config=tfcli.cli_config_text(network_mirror=srv.url),
                         files={"main.tf": CONFIG % version}, env=srv.cli_env(), home=True)


@pytest.mark.parametrize("cli", tfcli.client_params())
def test_init_and_lock_from_the_network_mirror(cli, two_platform_release, mirror, tmp_path):
    rel = two_platform_release
    w = mirror_workdir(cli, tmp_path, mirror, rel.version)
    before = len(mirror.requests)
    w.init()
    w.run("validate", "-no-color")

    base = "/%s/%s/" % (cli.host, tfcli.NAMESPACE_TYPE)
    served = mirror.paths()[before:]
    zip_here = rel.zip_name(tfcli.host_platform())
    for path in ("index.json", rel.version + ".json", zip_here):
        assert base + path in served, (path, served)
    assert all(p.startswith(base) for p in served), served
    installed = w.dir / ".terraform" / "providers" / cli.host / tfcli.NAMESPACE_TYPE / rel.version / \
        tfcli.host_platform() / ("terraform-provider-ssmpatch_v%s" % rel.version)
    if not cli.at_least(0, 14):  # 0.13 kept providers under .terraform/plugins
        installed = w.dir / ".terraform" / "plugins" / cli.host / tfcli.NAMESPACE_TYPE / rel.version / \
            tfcli.host_platform() / ("terraform-provider-ssmpatch_v%s" % rel.version)
    assert os.access(installed, os.X_OK), installed

    if not cli.at_least(0, 14):
        pytest.skip("%s has no dependency lock file (`providers lock` came with 0.14); init checked" % cli.name)
    listed = json.load(open(os.path.join(rel.mirror_dir(cli.host), rel.version + ".json")))["archives"]
    by_hash = {h: p for p, a in listed.items() for h in a["hashes"]}
    os.remove(w.dir / ".terraform.lock.hcl")
    w.run("providers", "lock", "-no-color", "-net-mirror=" + mirror.url,
          "-platform=linux_amd64", "-platform=linux_arm64")
    hashes = lock_hashes(w.dir / ".terraform.lock.hcl", cli.source)
    assert hashes and hashes <= set(by_hash), (hashes, listed)
    assert {by_hash[h] for h in hashes} == {"linux_amd64", "linux_arm64"}, hashes
    for h in hashes:
        if h.startswith("zh:"):
            with open(rel.path(rel.zip_name(by_hash[h])), "rb") as f:
                assert h == "zh:" + hashlib.sha256(f.read()).hexdigest()
    # The lock file made from the mirror is what init then checks against.
    shutil.rmtree(w.dir / ".terraform")
    w.init()


@pytest.mark.parametrize("cli", tfcli.client_params(min_version=(0, 14)))
def test_mirror_with_a_wrong_checksum_is_refused(cli, two_platform_release, tmp_path):
    rel = two_platform_release
    tree = tmp_path / "network-mirror"
    shutil.copytree(os.path.join(rel.dir, "network-mirror"), tree)
    meta_path = tree / cli.host / tfcli.NAMESPACE_TYPE / (rel.version + ".json")
    meta = json.load(open(meta_path))
    meta["archives"][tfcli.host_platform()]["hashes"] = ["zh:" + "0" * 64]
    meta_path.write_text(json.dumps(meta))
    with HttpsStaticServer(tree, tmp_path) as srv:
        w = mirror_workdir(cli, tmp_path / "cli", srv, rel.version)
        proc = w.run("init", "-input=false", "-no-color", expect=(1,))
    out = proc.stdout + proc.stderr
    assert "checksum" in out.lower(), out
    assert not (w.dir / ".terraform.lock.hcl").exists()
