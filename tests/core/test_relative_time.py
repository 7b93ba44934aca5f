"""Relative times in timelines: one unit, in the user's language, and a future moment reads "in …", not "0 分钟前"."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from kehu.core.templatetags.kehu_time import relative_time

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "zh", "en"),
    [
        (timedelta(seconds=-20), "刚刚", "just now"),
        (timedelta(minutes=-5), "5 分钟前", "5 minutes ago"),
        (timedelta(days=-3), "3 天前", "3 days ago"),
        (timedelta(days=-97), "3 个月前", "3 months ago"),  # not "3 月，1 周前"
        (timedelta(days=-800), "2 年前", "2 years ago"),
        (timedelta(days=2, hours=3), "2 天后", "in 2 days"),  # a planned visit ahead, not "0 分钟前"
        (timedelta(minutes=30), "30 分钟后", "in 30 minutes"),
    ],
)
def test_one_unit_before_or_after_now(delta, zh, en):
    with translation.override("zh-hans"):
        assert relative_time(NOW + delta, now=NOW) == zh
    with translation.override("en"):
        assert relative_time(NOW + delta, now=NOW) == en
