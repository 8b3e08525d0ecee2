"""Shared fixtures for the AWS client tests: where the C test tools are."""
from aws_tools import ROOT, tool  # noqa: F401  (fixtures below may use them)
