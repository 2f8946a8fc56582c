"""
Deliver to a running `make lambda-local` what EventBridge delivers when a scheduled event of the stage fires.

    python -m local_aws.invoke --stage production --function todo_site.tasks.daily_digests [--endpoint URL]

The event names the rule Zappa creates for the function (zappa_settings.json's `events`), from which Zappa's
handler finds the function; it goes to lambda-local's Lambda Invoke API as an asynchronous invocation, as
EventBridge sends it. Waits until that invocation and every task it started are done, and prints the counts.
On AWS, `zappa invoke <stage> <function>` runs the function itself.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime

from botocore.exceptions import EndpointConnectionError
from zappa.core import Zappa

from .aws_emulator import local_client
from .events import ACCOUNT_ID
from .stage import Stage


def scheduled_event(stage, function, now=None):
    """The event EventBridge sends for the stage's scheduled `function`; ValueError if the stage has none."""
    scheduled = [event for event in stage.config.get("events", []) if event.get("function") == function]
    if not scheduled:
        raise ValueError(f"the {stage.name} stage schedules no {function} (zappa_settings.json's events)")
    # Zappa's own naming of the rule, which its handler reads the function back from.
    rule = Zappa(load_credentials=False).get_scheduled_event_name(scheduled[0], function, stage.lambda_name)
    now = now or datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": stage.region,
        "resources": [f"arn:aws:events:{stage.region}:{ACCOUNT_ID}:rule/{rule}"],
        "detail": {},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m local_aws.invoke", description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--function", required=True, help="the dotted path of a scheduled function")
    parser.add_argument("--endpoint", default="http://127.0.0.1:8002", help="lambda-local's Lambda API")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the work to end")
    args = parser.parse_args(argv)
    stage = Stage(args.stage)
    try:
        event = scheduled_event(stage, args.function)
    except ValueError as error:
        parser.error(str(error))
    client = local_client("lambda", args.endpoint)
    try:
        before = counts(args.endpoint, 0)
        client.invoke(FunctionName=stage.lambda_name, InvocationType="Event", Payload=json.dumps(event))
    except (urllib.error.URLError, EndpointConnectionError):
        parser.exit(
            1, f"{parser.prog}: nothing answers at {args.endpoint}: start `make lambda-local STAGE={stage.name}`\n"
        )
    print(f"Delivered the scheduled event of {args.function} to {stage.lambda_name}", flush=True)
    after = counts(args.endpoint, args.timeout)
    done = {name: after[name] - before[name] for name in ("succeeded", "retried", "dead_lettered")}
    print(
        f"Asynchronous invocations: {done['succeeded']} succeeded, {done['retried']} retried, "
        f"{done['dead_lettered']} sent to the dead-letter queue"
    )
    if not after["drained"]:
        sys.exit(f"Still running after {args.timeout} s.")
    if done["dead_lettered"]:
        sys.exit(1)


def counts(endpoint, timeout):
    """lambda-local's counts of asynchronous invocations, once none is queued or running (or `timeout` passed)."""
    url = f"{endpoint}/_local/drained?timeout={timeout}"
    try:
        with urllib.request.urlopen(url, timeout=timeout + 30) as response:  # noqa: S310 - loopback only
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


if __name__ == "__main__":
    main()
