"""
The AWS APIs a stage uses besides Lambda, on loopback: moto's server mode (S3, SES, SQS, ...) in a process
of its own.

Its own process, so that an in-process `moto.mock_aws` elsewhere never shares (or resets) its state, and
so that it ends with the process that started it: the server exits when its stdin closes. With `mail_dir`,
that process also writes every message SES accepts there as an .eml file, which any mail program opens.
"""

import itertools
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3

REGION = "us-east-1"
# The emulated APIs accept any credentials; these stand for the Lambda role's.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIALOCALEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "local-example-secret-access-key",
    "AWS_SESSION_TOKEN": "local-example-session-token",
}


def local_client(service, endpoint_url):
    """A boto3 client of `service` at a local stand-in (this emulator, lambda-local's Lambda API), with the
    stand-in credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
    )


class AwsEmulator:
    def __init__(self, mail_dir=None, ses_latency=0):
        """`ses_latency`: seconds SES takes to accept a message (moto's answers at once; SES's API takes tens of
        milliseconds), for measurements."""
        command = [sys.executable, "-m", "local_aws.aws_emulator", str(mail_dir or ""), str(ses_latency)]
        self.process = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        port = self.process.stdout.readline().strip()
        if not port:
            raise RuntimeError(f"The AWS emulator did not start (exit status {self.process.wait()}).")
        self.url = f"http://127.0.0.1:{port}"

    def client(self, service="s3"):
        return local_client(service, self.url)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def write_mail(folder, latency=0):
    """From now on, write each message moto's SES accepts through SendRawEmail (the call django-ses makes) to
    `folder` as <n>-<message id>.eml, before SES answers the sender `latency` seconds later."""
    from moto.ses.models import SESBackend

    folder.mkdir(parents=True, exist_ok=True)
    accept = SESBackend.send_raw_email
    numbers = itertools.count(1)
    lock = threading.Lock()

    def send_raw_email(backend, source, destinations, raw_data):
        message = accept(backend, source, destinations, raw_data)
        with lock:
            (folder / f"{next(numbers):04d}-{message.id}.eml").write_text(raw_data, newline="")
        time.sleep(latency)
        return message

    SESBackend.send_raw_email = send_raw_email


def main(mail_dir="", ses_latency="0"):
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if mail_dir:
        write_mail(Path(mail_dir), float(ses_latency))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main(*sys.argv[1:])
