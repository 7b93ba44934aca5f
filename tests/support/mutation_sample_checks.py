"""The tests the mutation runner's own test runs against tests/support/mutation_sample.py (not collected on their
own: the file name does not start with test_)."""

from tests.support.mutation_sample import clamp, countdown


def test_clamp():
    assert clamp(11) == 10
    assert clamp(3) == 3


def test_countdown():
    assert countdown(3) == 3
