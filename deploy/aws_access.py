"""
Before a command talks to AWS: what is missing, in one line, instead of botocore's traceback.

Every `make` target that reaches AWS (stage, collectstatic, deploy, update, manage, status, tail,
undeploy, zappa) checks first that credentials are found and that the region the shell names
is the stage's; and it says which stack is missing rather than showing a ValidationError.
"""

import os

import boto3
import botocore.exceptions

NO_CREDENTIALS = (
    "No AWS credentials: set AWS_PROFILE (after `aws configure --profile <deployer>`), or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY."
)


class AwsAccessError(Exception):
    pass


def check(region):
    """Raise AwsAccessError naming what would stop a call to AWS in `region` before it is made."""
    if boto3.session.Session().get_credentials() is None:
        raise AwsAccessError(NO_CREDENTIALS)
    named = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if named and named != region:
        raise AwsAccessError(
            f"The stage is in {region} (its aws_region) but this shell names {named}: "
            f"export AWS_REGION={region}, or write the stage again with make stage REGION={named}."
        )


def explain(error, stack_name=None):
    """One line for an error of a call to AWS."""
    if isinstance(error, botocore.exceptions.NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(error, botocore.exceptions.EndpointConnectionError):
        return f"AWS cannot be reached from here ({error})."
    if isinstance(error, botocore.exceptions.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", str(error))
        if stack_name and code == "ValidationError" and "does not exist" in message:
            return f"No stack {stack_name} in this region: create it first (README, Deploy to AWS, step 1)."
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"):
            return f"The AWS credentials were refused ({code}): renew them or pick another profile."
        return f"AWS refused the call: {code}: {message}"
    return str(error)
