"""A tiny module for the mutation runner's own test (tests/test_mutation_runner.py): each kind of outcome once."""

LIMIT = 10


def clamp(value):
    if value > LIMIT:  # ">=" is equivalent: at LIMIT both return LIMIT
        return LIMIT
    return value


def countdown(n):
    steps = 0
    while n > 0:
        n -= 1  # "+=" never ends: a time-out
        steps += 1
    return steps


def untested(flag):
    return not flag
