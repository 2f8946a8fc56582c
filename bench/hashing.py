"""The CPU time of hashing one password: the configured hasher (PASSWORD_HASHERS[0]) beside PBKDF2.

Each sign-up, password change and reset hashes once; each log-in verifies once, which costs the same.
The two hashers alternate round by round, so that a busy moment of the machine falls on both.
"""

import statistics
import time

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher

PASSWORD = "correct horse battery staple"  # noqa: S105 - a sample to hash


def cpu_ms(hasher):
    """Milliseconds of this process's CPU (every thread's, as Lambda bills) to hash the password once."""
    salt = hasher.salt()
    started = time.process_time()
    hasher.encode(PASSWORD, salt)
    return (time.process_time() - started) * 1000


def compare(rounds):
    """{algorithm: median CPU ms} for the configured hasher and PBKDF2, and the configured one's name."""
    hashers = {hasher.algorithm: hasher for hasher in (get_hasher("default"), PBKDF2PasswordHasher())}
    times = {name: [] for name in hashers}
    for _ in range(rounds):
        for name, hasher in hashers.items():
            times[name].append(cpu_ms(hasher))
    return {name: statistics.median(values) for name, values in times.items()}, get_hasher("default").algorithm
