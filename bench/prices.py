"""
List prices (us-east-1, https://aws.amazon.com/lambda/pricing/ and https://aws.amazon.com/api-gateway/pricing/)
and the traffic shape that `make bench`'s cost per million and `make capacity`'s monthly prices are computed for.
"""

import math

# Lambda per GB-second (x86_64, and arm64 20% less) and per request; API Gateway per request.
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_GB_SECOND_ARM = 0.0000133334
LAMBDA_REQUEST = 0.20 / 1e6
REST_API_REQUEST = 3.50 / 1e6
HTTP_API_REQUEST = 1.00 / 1e6
# SnapStart for Python: each published version's snapshot is cached at its memory size, per GB-second, while
# the version lives (3 hours at least); each restore of a new instance costs its memory size per GB.
SNAPSTART_CACHE_GB_SECOND = 0.0000015046
SNAPSTART_RESTORE_GB = 0.0001397998
# Lambda gives a full vCPU at 1,769 MB, and CPU in proportion to memory below that.
FULL_VCPU_MB = 1769
# The month of AWS's pricing pages.
HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
# How long Lambda keeps a busy instance before replacing it (each replacement, like each scale-up, is a
# SnapStart restore): not published; a few hours is what is commonly observed.
INSTANCE_LIFETIME_HOURS = 2
# The traffic `make bench`'s cost_per_million_usd is priced for: a steady 10 requests a second (26 million a
# month). Fixed monthly charges (the snapshots' cache, the database, the proxy, the endpoints) are not per
# request: the README's cost table lists them beside it.
HEADLINE_RATE = 10


def restores_per_month(rate, duration_ms):
    """The new instances a month of `rate` requests a second lasting `duration_ms`: the instances they keep busy
    (one at least), each replaced every INSTANCE_LIFETIME_HOURS."""
    return max(1, math.ceil(rate * duration_ms / 1000)) * HOURS_PER_MONTH / INSTANCE_LIFETIME_HOURS


def snapshot_cache_per_month(memory_mb, snapshots):
    """Dollars a month for caching the snapshots of the `snapshots` versions kept, whatever the traffic."""
    return snapshots * memory_mb / 1024 * SECONDS_PER_MONTH * SNAPSTART_CACHE_GB_SECOND


def cost_per_million(duration_ms, memory_mb, gb_second=LAMBDA_GB_SECOND_ARM, rate=None):
    """(Lambda, with REST API, with HTTP API) dollars per million requests of `duration_ms` at `memory_mb`
    (arm64's price unless `gb_second` says otherwise); at a steady `rate` a second, with the SnapStart restores
    of the instances that rate keeps busy."""
    billed = math.ceil(duration_ms) / 1000
    gigabytes = memory_mb / 1024
    lambda_cost = 1e6 * (billed * gigabytes * gb_second + LAMBDA_REQUEST)
    if rate:
        restores = restores_per_month(rate, duration_ms) / (rate * SECONDS_PER_MONTH / 1e6)
        lambda_cost += restores * gigabytes * SNAPSTART_RESTORE_GB
    return lambda_cost, lambda_cost + 1e6 * REST_API_REQUEST, lambda_cost + 1e6 * HTTP_API_REQUEST
