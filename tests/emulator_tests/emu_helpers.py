"""Helpers shared by the emulator's own tests."""


def error_code(excinfo):
    """AWS error code of a botocore ClientError caught by pytest.raises."""
    return excinfo.value.response["Error"]["Code"]
