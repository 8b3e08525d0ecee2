"""`cmake --build BUILD --target install-plugin` as a new user runs it, with
HOME pointed at a temporary directory (the real ~/.terraform.d is never
touched): the binary lands in the implied local mirror under both registry
hosts, and then, with no CLI configuration at all, `init` and `validate` of
examples/stg succeed with every CLI present - OpenTofu, which reads
ssmpatch/ssmpatch as registry.opentofu.org/ssmpatch/ssmpatch, included.
"""
import filecmp
import os
import subprocess

import pytest

from dist_helpers import build_dir
from harness import tfcli


@pytest.fixture(scope="module")
def plugin_home(tmp_path_factory):
    build = build_dir()
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        pytest.skip("no configured build tree at %s (SSMPATCH_BUILD_DIR)" % build)
    home = tmp_path_factory.mktemp("home")
    r = subprocess.run(["cmake", "--build", build, "--target", "install-plugin"],
                       env=dict(os.environ, HOME=str(home)), capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    return home


def test_install_plugin_puts_the_binary_under_both_hosts(plugin_home):
    version = tfcli.provider_version()
    binary = os.path.join(build_dir(), "terraform-provider-ssmpatch")
    found = sorted(str(p.relative_to(plugin_home)) for p in plugin_home.rglob("*") if p.is_file())
    assert found == [".terraform.d/plugins/%s/ssmpatch/ssmpatch/%s/%s/terraform-provider-ssmpatch_v%s"
                     % (host, version, tfcli.host_platform(), version) for host in sorted(tfcli.HOSTS)]
    for rel in found:
        path = plugin_home / rel
        assert os.access(path, os.X_OK) and filecmp.cmp(path, binary, shallow=False), path


@pytest.mark.parametrize("cli", tfcli.client_params())
def test_init_and_validate_stg_after_install_plugin(cli, plugin_home, tmp_path):
    w = tfcli.Workdir(cli, tmp_path, example="stg", mirror=False, cli_config=False, home=plugin_home)
    assert "TF_CLI_CONFIG_FILE" not in w.env
    w.init()
    out = w.run("validate", "-no-color")
    assert "Success" in out.stdout, out.stdout
    providers = w.dir / ".terraform" / ("providers" if cli.at_least(0, 14) else "plugins")
    assert (providers / cli.host / tfcli.NAMESPACE_TYPE / tfcli.provider_version()).is_dir(), \
        "%s installed the provider somewhere else" % cli.name
