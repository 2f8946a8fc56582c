from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane.

    Django's own defaults (100 MiB, 2 passes, 8 lanes) cost about eight times the CPU for each hash. On
    Lambda that is billed time on every sign-up and log-in, and a flood of log-ins to random addresses
    buys that much CPU per post; the extra lanes only help on a CPU with many cores to spare, which a
    function of 1024 MB (about 0.6 of a vCPU) does not have. Hashes made with other parameters still
    verify, and Django rehashes them with these at their owner's next log-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
