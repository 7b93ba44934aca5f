"""Pagination shared by the list pages and API lists (kehu.core.resources): page sizes 20/50/100, a capped count
counted once per list and cached, and seek (keyset) pages.

- The count stops at COUNT_CAP + 1 rows ("more than 10,000"), and is cached per list — resource, tab, filters,
  sort-independent, per user — under the user's scope version and the *data version* of the list's app: a token
  renewed after every committed write to one of the app's tables (any write path: the ORM, `update()`,
  `bulk_create`, the importer's raw SQL — a database execute wrapper sees the statement). The cache is Django's
  (Redis when REDIS_URL is set, shared by every worker; otherwise per process, where another worker's write is
  seen within COUNT_TTL seconds at the latest).
- Page N after page N-1: the link to the next page carries a cursor (`after`) naming the last row of the page,
  its sort value and primary key; page N is then a seek on `(sort value, pk)` in the list's one direction —
  an index range, however deep — instead of skipping (N-1) × size rows. A page number without a cursor (typed,
  or the previous page) is still an offset into the same index walk.
"""

import base64
import binascii
import hashlib
import json
import re
import secrets

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection as default_connection
from django.db import models, transaction
from django.db.models import Q
from django.utils.functional import cached_property

# What a user may see is decided outside core (kehu.org registers these at start-up; core knows no domain):
# the version of the user's scope this request reads under, and a per-process cache under that version.
scope_version_of = lambda user: ""  # noqa: E731
cached_under_scope = lambda user, *key, compute: compute()  # noqa: E731


def register_scope(version_of, cached) -> None:
    global scope_version_of, cached_under_scope
    scope_version_of, cached_under_scope = version_of, cached


PAGE_SIZES = (20, 50, 100)
COUNT_CAP = 10_000
COUNT_TTL = 30  # seconds: how stale a count can be in another process when the cache is per process (no Redis)
CURSOR_PARAM = "after"


# --- data versions --------------------------------------------------------------------------------------------
_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)
_tables: dict[str, str] = {}


def _app_of(table: str) -> str:
    if not _tables:
        from django.apps import apps

        _tables.update({m._meta.db_table: m._meta.app_label for m in apps.get_models(include_auto_created=True)})
    return _tables.get(table, "")


def _version_key(app: str) -> str:
    return f"kehu:data-version:{app}"


def data_version(app: str) -> str:
    """The current data version of `app`'s tables (a token; "0" until the first write since the cache started)."""
    return cache.get(_version_key(app)) or "0"


def data_changed(app: str) -> None:
    cache.set(_version_key(app), secrets.token_hex(8), None)


_bumpers: dict[str, object] = {}


def _bumper(app: str):
    if app not in _bumpers:
        _bumpers[app] = lambda: data_changed(app)
    return _bumpers[app]


def _watch_writes(execute, sql, params, many, context):
    match = _WRITE.match(sql) if sql[:1] in "IUDRiudr \n" else None
    if match:
        app = _app_of(match.group(1))
        connection = context["connection"]
        bump = _bumper(app) if app else None
        if bump is not None:
            # now (a count cached meanwhile — by this transaction too — is not reused) and, once a transaction,
            # after the commit (for everyone); outside a transaction on_commit runs at once
            data_changed(app)
            if not any(f is bump for _sids, f, *_rest in connection.run_on_commit):
                transaction.on_commit(bump, using=connection.alias)
    return execute(sql, params, many, context)


def watch_connection(sender, connection, **kwargs) -> None:
    """connection_created: every write statement renews the data version of its table's app."""
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


# --- the seek cursor ------------------------------------------------------------------------------------------
def encode_cursor(page_number: int, value, pk) -> str:
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    # Decimal, UUID …: as their text, which the sort field's to_python reads back
    raw = json.dumps([page_number, value, pk], separators=(",", ":"), ensure_ascii=False, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None):
    """(page number, sort value as text, pk) of a cursor, or None for a missing or malformed one (then the page
    number alone decides: a cursor only ever narrows the user's own scoped rows, so a forged one shows nothing
    that page numbers would not)."""
    if not token or len(token) > 500:
        return None
    try:
        number, value, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(number, int) or not isinstance(pk, int) or isinstance(value, list | dict):
        return None
    return number, value, pk


def _nulls_follow(descending: bool, vendor: str) -> bool:
    """Whether NULLs come after every value in this direction: SQLite sorts them first (smallest), PostgreSQL last."""
    return descending if vendor == "sqlite" else not descending


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: a manager's list of 140,000 customers says "more than 10,000"
    instead of making the database count them all on every page view.

    `count_key` (a tuple naming the list, its filters and the user's scope) caches the count (module docstring);
    `order` = (model field, descending) and `cursor` (decode_cursor) make the page after the cursor's a seek."""

    def __init__(self, object_list, per_page, *, count_key=None, order=None, cursor=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key, self.order, self.cursor = count_key, order, cursor

    def _count_rows(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @cached_property
    def _capped_count(self) -> int:
        if self.count_key is None:
            return self._count_rows()
        named = json.dumps([*self.count_key, data_version(self.object_list.model._meta.app_label)], default=str)
        key = "kehu:count:" + hashlib.sha1(named.encode()).hexdigest()
        count = cache.get(key)
        if count is None:
            count = self._count_rows()
            cache.set(key, count, COUNT_TTL)
        return count

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, COUNT_CAP)

    @cached_property
    def capped(self) -> bool:
        return self._capped_count > COUNT_CAP

    def _seek(self, number: int):
        """The rows of page `number` as a seek after the cursor, or None when the cursor is not for page number-1
        (or names a NULL sort value, which the seek does not cover)."""
        if self.cursor is None or self.order is None or self.cursor[0] != number - 1 or self.cursor[1] is None:
            return None
        name, descending = self.order
        field = self.object_list.model._meta.get_field(name)
        pk_name = self.object_list.model._meta.pk.name
        try:
            value = field.to_python(self.cursor[1])
        except Exception:  # noqa: BLE001 - a malformed cursor value: the page number decides
            return None
        if name == pk_name:
            return self.object_list.filter(**{f"pk__{'lt' if descending else 'gt'}": self.cursor[2]})
        beyond, bound = ("lt", "lte") if descending else ("gt", "gte")
        seek = Q(**{f"{name}__{bound}": value}) & (
            Q(**{f"{name}__{beyond}": value}) | Q(**{f"pk__{beyond}": self.cursor[2]})
        )
        if field.null and _nulls_follow(descending, default_connection.vendor):
            seek |= Q(**{f"{name}__isnull": True})
        return self.object_list.filter(seek)

    def page(self, number):
        number = self.validate_number(number)
        rows = self._seek(number)
        if rows is None:
            return super().page(number)
        return self._get_page(list(rows[: self.per_page]), number, self)

    def cursor_after(self, page) -> str:
        """The cursor for the page after `page` ("" when there is none, or the list has no sort field)."""
        if self.order is None or not page.has_next() or not len(page):
            return ""
        last = page[-1]
        if not isinstance(last, models.Model):
            return ""
        value = getattr(last, last._meta.get_field(self.order[0]).attname)  # a foreign key: its id
        return encode_cursor(page.number, value, last.pk) if value is not None else ""
