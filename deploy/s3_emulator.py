"""
The S3 API on loopback: moto's server mode in a process of its own.

Its own process, so that an in-process `moto.mock_aws` elsewhere never shares (or resets)
its buckets, and so that it ends with the process that started it: the server exits when
its stdin closes.
"""

import logging
import subprocess
import sys
from pathlib import Path

import boto3

REGION = "us-east-1"
# The S3 API accepts any credentials; these stand for the Lambda role's.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIALOCALEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "local-example-secret-access-key",
    "AWS_SESSION_TOKEN": "local-example-session-token",
}


class S3Emulator:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deploy.s3_emulator"],
            cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        port = self.process.stdout.readline().strip()
        if not port:
            raise RuntimeError(f"The S3 emulator did not start (exit status {self.process.wait()}).")
        self.url = f"http://127.0.0.1:{port}"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
        )

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def main():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
