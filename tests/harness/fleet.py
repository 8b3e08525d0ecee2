"""fleet.py - the organisation-wide configuration of issue 14 as Terraform
text, for tests/terraform/test_fleet.py and bench/fleet.py: one provider
block per account (an alias assuming a role in that account, as
organisations run it; the emulator's AssumeRole issues keys of the role's
account), and the seed module (examples/modules/ssm-patching, six objects)
applied in each account, once per region when `regions` are given (through
the module's `region` variable: the per-resource region, one provider block
for all of an account's regions).

    text = config(25)                                  # 25 accounts, the provider's region
    text = config(5, regions=["ap-northeast-1", "us-east-1", "eu-west-1"])
    copy_module(workdir)                               # ./ssm-patching next to main.tf

Variables of the configuration: `endpoint` (SSM and STS URL). Account i is
100000000000 + i; provider aliases are acct00, acct01, ...; module instances
acct00 (or acct00_us_east_1 with regions).
"""

import os
import shutil

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE = os.path.join(REPO, "examples", "modules", "ssm-patching")
HOME_REGION = "ap-northeast-1"
BASE_ACCOUNT = 100000000000
STATIC_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")  # the emulator's


def account_id(i):
    return "%012d" % (BASE_ACCOUNT + i)


def alias(i):
    return "acct%02d" % i


def instance(i, region=None):
    return alias(i) if region is None else "%s_%s" % (alias(i), region.replace("-", "_"))


def config(n_accounts, regions=None, home_region=HOME_REGION, key=STATIC_KEY):
    """main.tf text for n_accounts accounts (module instances per `regions`)."""
    out = ['terraform {\n  required_providers {\n    ssmpatch = {\n      source = "ssmpatch/ssmpatch"\n'
           '    }\n  }\n}\n\nvariable "endpoint" {\n  type = string\n}\n']
    for i in range(n_accounts):
        out.append('''
provider "ssmpatch" {
  alias      = "%(a)s"
  region     = "%(home)s"
  access_key = "%(ak)s"
  secret_key = "%(sk)s"
  assume_role {
    role_arn     = "arn:aws:iam::%(acct)s:role/PatchingAdmin"
    session_name = "terraform-fleet"
  }
  endpoints {
    ssm = var.endpoint
    sts = var.endpoint
  }
  default_tags {
    tags = { Account = "%(a)s", ManagedBy = "terraform" }
  }
}
''' % {"a": alias(i), "home": home_region, "acct": account_id(i), "ak": key[0], "sk": key[1]})
        for r in (regions or [None]):
            region_line = '' if r is None else '  region             = "%s"\n' % r
            out.append('''
module "%(name)s" {
  source             = "./ssm-patching"
  providers          = { ssmpatch = ssmpatch.%(a)s }
  environment        = "%(env)s"
  approve_after_days = 1
  output_s3_bucket   = "patch-output-%(acct)s"
%(region)s}
''' % {"name": instance(i, r), "a": alias(i), "env": alias(i).upper(), "acct": account_id(i),
       "region": region_line})
    return "".join(out)


def copy_module(workdir, region=True):
    """The seed module into <workdir>/ssm-patching (its tests left out);
    region=False drops its `region = var.region` arguments, for a provider
    built before resources had a region (bench/fleet.py --compare)."""
    dest = os.path.join(str(workdir), "ssm-patching")
    shutil.copytree(MODULE, dest, ignore=shutil.ignore_patterns("tests", ".terraform*"))
    if not region:
        main = os.path.join(dest, "main.tf")
        with open(main) as f:
            lines = [ln for ln in f if ln.split() != ["region", "=", "var.region"]]
        with open(main, "w") as f:
            f.writelines(lines)
