"""make_release_state.py - how quickstart-<version>.tfstate.json was made: examples/quickstart
applied by Terraform 1.14.8 with a provider built from the release's commit (main, before
resource identities), against the emulator in ap-northeast-1, account 123456789012, with
name_prefix FIXTUREPREFIX-; the state is kept and the objects destroyed.
test_qa_cli_query.test_qa_cli_release_state_gets_identity substitutes its own objects' IDs.

Run (release provider built elsewhere, e.g. `git archive main | tar -x -C /tmp/rel`, then
cmake there):
    /usr/bin/python3 tests/query_action/data/make_release_state.py /tmp/rel/build/terraform-provider-ssmpatch
"""

import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(os.path.dirname(HERE))


def main(binary):
    os.environ["SSMPATCH_PROVIDER"] = os.path.abspath(binary)  # read by tfcli's mirror
    sys.path.insert(0, TESTS)
    from harness import tfcli
    import ssm_endpoint

    cli = tfcli.client("terraform-1.14.8")
    if cli is None:
        sys.exit("terraform-1.14.8 not found (shared/clients)")
    emu = ssm_endpoint.start_emulator(region="ap-northeast-1")
    try:
        ep = ssm_endpoint.SsmEndpoint(emu.url, emu)
        with tempfile.TemporaryDirectory() as tmp:
            w = tfcli.Workdir(cli, tmp, example="quickstart")
            w.init()
            v = ep.terraform_vars() + ["-var", "name_prefix=FIXTUREPREFIX-"]
            w.run("apply", "-auto-approve", "-no-color", *v)
            out = os.path.join(HERE, "quickstart-%s.tfstate.json" % tfcli.provider_version())
            shutil.copyfile(os.path.join(w.dir, "terraform.tfstate"), out)
            w.run("destroy", "-auto-approve", "-no-color", *v)
            print("wrote", out)
    finally:
        emu.stop()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
