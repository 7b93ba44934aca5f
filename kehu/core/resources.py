"""The resource registry: one declaration per list of records, from which the list page, the REST API
viewset, the Excel export and the leak-test entries are made — so page, API and export can never disagree,
and no list can forget the data scope.

An app declares its resources in `resources.py` (imported from its `AppConfig.ready()`):

    CUSTOMERS = resources.register(resources.Resource(
        key="customers.customer", model=Customer, module="customers",
        rows=customers_for,                       # (user, tab) -> queryset, always from visible_to
        filterset=CustomerFilter, sorts={"activity": "last_activity_at", ...}, default_sort="-activity",
        tabs=[Tab("mine", _("My customers")), ...], columns=[Column("name", _("Company name"), ...)],
        serializer=CustomerSerializer, pages={"mine": "customers:mine"}, api="customer",
    ))

Everything that reads a list goes through `Resource.listing(user, params)`: the tab's scoped rows, the
FilterSet, and the sort. Sorting is index-friendly by construction: a sort key names one model field and
the primary key breaks ties in the same direction (`-last_activity_at, -id`), which one index on
`(field, id)` — or SQLite's implicit rowid in an index on `field` — walks without sorting the scope.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.template import engines
from django.utils import timezone
from django.utils.functional import cached_property

from kehu.core import leakcheck
from kehu.core.listing import CURSOR_PARAM, PAGE_SIZES, CappedPaginator, decode_cursor


@dataclass(frozen=True)
class Column:
    """One column of the list page (and, on the phone, one line of the card).

    `template` renders the cell with `obj` (the row), `request` and `today` in the context; without it the
    cell shows `obj.<key>` (or "—"). `sort` names the resource's sort key the header offers. The first column
    with `title=True` is the card's title on the phone. `perm` names an action of the resource's module a user
    needs to see the column at all (e.g. cost prices): without it neither the header nor the cells are shown.
    """

    key: str
    label: str
    template: str = ""
    sort: str = ""
    title: bool = False
    css: str = ""
    perm: str = ""

    def shown_to(self, user, module: str) -> bool:
        return not self.perm or user.has_perm(f"{module}.{self.perm}")

    @cached_property
    def compiled(self):
        source = "{% load i18n kehu_lists %}" + (self.template or "{{ value|default:'—' }}")
        return engines["django"].from_string(source)


@dataclass(frozen=True)
class Tab:
    """A saved view of the list (my customers, shared with me, all): `perm` is the action of the resource's
    module a user needs for it (besides the list's own `perm`); `complete` says whether the tab lists every
    record of the scope (the leak test then checks that nothing visible is missing)."""

    key: str
    label: str
    perm: str = ""
    complete: bool = False
    visible: Callable | None = None  # (user) -> bool, when more than a permission decides (e.g. reviewers)
    badge: Callable | None = None  # (user) -> int shown beside the label, e.g. visits waiting for review
    filters: bool = True  # whether the filter bar is offered on this tab

    def offered_to(self, user, module: str) -> bool:
        if self.perm and not user.has_perm(f"{module}.{self.perm}"):
            return False
        return self.visible is None or self.visible(user)


@dataclass(frozen=True)
class BatchAction:
    """A button of the batch bar for the selected rows: posts `ids` to `url_name`. `template` adds inputs
    (e.g. the new owner); `tabs` limits it to some tabs (empty: every tab)."""

    url_name: str
    label: str
    perm: str
    confirm: str
    icon: str = "check2"
    template: str = ""
    tabs: tuple[str, ...] = ()
    style: str = "primary"
    allowed: Callable | None = None  # (user) -> bool, when one permission does not say who may (instead of perm)

    def offered_to(self, user, module: str, tab: str) -> bool:
        if self.tabs and tab not in self.tabs:
            return False
        return self.allowed(user) if self.allowed else user.has_perm(f"{module}.{self.perm}")

    @cached_property
    def compiled(self):
        return engines["django"].from_string("{% load i18n %}" + self.template) if self.template else None


@dataclass
class Resource:
    key: str
    model: type
    module: str
    rows: Callable[..., QuerySet]  # (user, tab) -> queryset from visible_to, with the relations the list shows
    title: str
    columns: Sequence[Column]
    filterset: type | None = None
    sorts: dict[str, str] = field(default_factory=dict)
    default_sort: str = ""
    tabs: Sequence[Tab] = ()
    default_tab: str = ""
    tab_param: str = "tab"  # the query parameter that picks a tab, the same on the page, the API and exports
    perm: str = "view"
    main_filters: tuple[str, ...] = ("q",)  # shown on the phone; the others under "Filters"
    page_filters: tuple[str, ...] | None = None  # the filter bar's fields (None: all); the API takes every filter
    search_placeholder: str = ""
    empty_text: str = ""
    empty_filtered_text: str = ""
    serializer: type | str | None = None  # a class or its dotted path (serializers import the app's models)
    pages: dict[str, str] = field(default_factory=dict)  # tab (or "") -> URL name of its page
    api: str = ""  # the router basename: "customer" → api:customer-list / api:customer-detail
    batch_actions: Sequence[BatchAction] = ()
    marker: Callable = str  # what identifies a record on the page (for the leak test)
    complete: bool = True  # without tabs: the list shows every visible record (False: a subset, e.g. my next steps)
    unscoped: str = ""  # why the rows need no data scope (e.g. the public pool: customers without an owner)
    detail_rows: Callable[..., QuerySet] | None = None  # (user, action) -> the queryset details resolve in
    template: str = "core/resource_list.html"
    empty_template: str = ""  # rendered with the page's context (e.g. per tab) when the list is empty
    actions_template: str = ""  # the buttons beside the page title
    intro_template: str = ""  # a note above the list (e.g. how many customers one may still claim today)
    row_class: str = ""  # a template for the row's CSS class (e.g. unread messages)
    icon: str = "list-ul"

    # --- the one read path -----------------------------------------------------------------------------
    def tab_for(self, requested: str | None) -> str:
        keys = [tab.key for tab in self.tabs]
        if requested in keys:
            return requested
        return self.default_tab or (keys[0] if keys else "")

    def tab(self, key: str) -> Tab | None:
        return next((tab for tab in self.tabs if tab.key == key), None)

    def check_access(self, user, tab: str = "") -> None:
        """The permission the list (and the tab) needs: the same for the page, the API and the export. A list
        with no `perm` shows only the user's own things (their messages) and needs none."""
        if self.perm and not user.has_perm(f"{self.module}.{self.perm}"):
            raise PermissionDenied
        spec = self.tab(tab)
        if spec and not spec.offered_to(user, self.module):
            raise PermissionDenied

    def columns_for(self, user) -> list[Column]:
        """The columns `user` may see (a column with `perm` needs that action of the module)."""
        return [column for column in self.columns if column.shown_to(user, self.module)]

    def visible_tabs(self, user) -> list[dict]:
        return [
            {"key": tab.key, "label": tab.label, "badge": tab.badge(user) if tab.badge else 0}
            for tab in self.tabs
            if tab.offered_to(user, self.module)
        ]

    def base(self, user, tab: str = "") -> QuerySet:
        return self.rows(user, tab) if self.tabs else self.rows(user)

    def filter(self, queryset: QuerySet, params, request=None):
        """(queryset, bound FilterSet or None): the FilterSet narrows only when its input is valid."""
        if self.filterset is None:
            return queryset, None
        data = params if any(k in params for k in self.filter_names) else None
        filters = self.filterset(data, queryset=queryset, request=request)
        if filters.is_bound and filters.is_valid():
            return filters.qs, filters
        return (queryset.none() if filters.is_bound else queryset), filters

    @cached_property
    def filter_names(self) -> set[str]:
        return set(self.filterset.base_filters) if self.filterset else set()

    def sort_key(self, requested: str | None) -> str:
        requested = requested or ""
        key = requested[1:] if requested.startswith("-") else requested
        return requested if key in self.sorts else self.default_sort

    def order(self, queryset: QuerySet, sort: str) -> QuerySet:
        if not sort or sort.lstrip("-") not in self.sorts:
            return queryset.order_by("-pk") if not queryset.ordered else queryset
        sign = "-" if sort.startswith("-") else ""
        field = self.sorts[sort.lstrip("-")]
        return queryset.order_by(f"{sign}{field}", *([f"{sign}pk"] if field not in ("pk", "id") else []))

    def listing(self, user, params: QueryDict | dict, request=None):
        """(tab, rows, filters, sort): what a page, an API list or an export of this resource shows."""
        tab = self.tab_for(params.get(self.tab_param))
        self.check_access(user, tab)
        queryset = self.base(user, tab)
        spec = self.tab(tab)
        filters = None
        if spec is None or spec.filters:
            queryset, filters = self.filter(queryset, params, request)
        sort = self.sort_key(params.get("sort"))
        return tab, self.order(queryset, sort), filters, sort

    def paginator(self, user, queryset: QuerySet, tab: str, sort: str, params, size: int) -> CappedPaginator:
        """The list's paginator: its count cached under the user's scope version and the data version of the
        list's app (kehu.core.listing), and, after a page whose cursor `params` carry, a seek on (sort value, pk)."""
        from kehu.core import listing

        filters = sorted((k, v) for k, v in params.items() if k in self.filter_names and v not in ("", None))
        count_key = (self.key, tab, filters, user.pk, str(listing.scope_version_of(user)))
        order = _seek_order(self.model, queryset.query.order_by)
        return CappedPaginator(
            queryset, size, count_key=count_key, order=order, cursor=decode_cursor(params.get(CURSOR_PARAM))
        )

    def get_for_user(self, user, pk, action: str = "view"):
        """The record `pk` if `user` may `action` it; 404 for missing and not allowed alike (never 403)."""
        pk = parse_id(pk)
        queryset = self.detail_rows(user, action) if self.detail_rows else self.model.objects.visible_to(user, action)
        obj = queryset.filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    # --- the HTML page ---------------------------------------------------------------------------------
    def page(self, request, tab: str | None = None, extra: Callable | None = None):
        """Render the list page; `tab` fixes the tab for pages that have a URL each (my / shared / all)."""
        return render(request, self.template, self.page_context(request, tab, extra))

    def page_context(self, request, tab: str | None = None, extra: Callable | None = None) -> dict:
        """The list page's context: for `page`, and for pages that show a list beside something else (a form)."""
        params = request.GET.copy()
        if tab is not None:
            params[self.tab_param] = tab
        tab, queryset, filters, sort = self.listing(request.user, params, request)
        size = _page_size(request.GET.get("size"))
        paginator = self.paginator(request.user, queryset, tab, sort, params, size)
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query.pop(CURSOR_PARAM, None)
        user = request.user
        batch = [action for action in self.batch_actions if action.offered_to(user, self.module, tab)]
        filtered = filters is not None and any(v for k, v in request.GET.items() if k in self.filter_names)
        context = {
            "resource": self,
            "columns": self.columns_for(user),
            "page": page,
            "page_sizes": PAGE_SIZES,
            "size": size,
            "sort": sort,
            "query": query.urlencode(),
            "next_cursor": paginator.cursor_after(page),
            "sort_query": _without(request.GET, "page", CURSOR_PARAM),
            "tab": tab,
            "tabs": self.visible_tabs(user) if not self.pages.get(tab) or len(self.pages) == 1 else [],
            "filters": filters,
            "filter_fields": _filter_fields(filters, self.main_filters, self.page_filters, self.search_placeholder),
            "filtered": filtered,
            "batch_actions": batch,
            "today": timezone.localdate(),
            "empty_template": self.empty_template,
            "actions_template": self.actions_template,
            "intro_template": self.intro_template,
            "row_class": Column("row", "", self.row_class) if self.row_class else None,
            "title": self.tab(tab).label if self.tab(tab) and len(self.pages) > 1 else self.title,
        }
        if extra is not None:  # the page's own additions: rights for its buttons, facts about the rows shown
            context.update(extra(request, context))
        return context

    def page_view(self, tab: str | None = None, extra: Callable | None = None):
        """A view function for the list page; `extra(request, context)` returns what the page adds to the
        context (rights for its buttons, facts about the rows of `context["page"]`)."""
        from django.contrib.auth.decorators import login_required

        def view(request):
            return self.page(request, tab, extra)

        view.__name__ = f"{self.key.replace('.', '_')}_{tab or 'list'}"
        return login_required(view)


def _seek_order(model, order_by) -> tuple[str, bool] | None:
    """(field, descending) when the list is ordered `(field, pk)` in one direction (or by pk alone): the orders
    a seek can continue. Any other order (a tab's own, e.g. soonest due first with undated last) pages by offset."""
    names = [item for item in order_by if isinstance(item, str)]
    if len(names) != len(order_by) or not 1 <= len(names) <= 2:
        return None
    descending = names[0].startswith("-")
    plain = [name.removeprefix("-") for name in names]
    if any(name.startswith("-") != descending for name in names) or any("__" in name for name in plain):
        return None
    pk = model._meta.pk.name
    plain = [pk if name in ("pk", pk) else name for name in plain]
    if plain[-1] != pk or (len(plain) == 2 and plain[0] == pk):
        return None
    return plain[0], descending


def parse_id(value) -> int:
    """A record id from a URL or a body: ASCII digits, 1 to 2⁶³−1; anything else is Http404 (like a missing id)."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= 2**63 - 1:
        raise Http404
    return int(text)


def _page_size(value) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _without(query: QueryDict, *keys) -> str:
    query = query.copy()
    for key in keys:
        query.pop(key, None)
    query.pop("sort", None)
    return query.urlencode()


def _filter_fields(filters, main, shown, placeholder) -> list[dict]:
    if filters is None:
        return []
    form = filters.form
    return [
        {"field": form[name], "main": name in main, "name": name, "placeholder": placeholder if name == "q" else ""}
        for name in (shown if shown is not None else form.fields)
    ]


# --- the registry ----------------------------------------------------------------------------------------
_resources: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    """Declare a resource once; its pages and API routes enter the leak test's register, with the permissions
    they need (403 without them). A tab declared `complete` is the one the leak test opens to check that every
    visible record is listed. A route the app's `leaks.py` registers itself (a richer oracle, e.g. the pool's),
    before or after, replaces the resource's entry."""
    _resources[resource.key] = resource

    enter = leakcheck.default
    base_perm = [(resource.module, resource.perm)] if resource.perm else []
    if resource.unscoped:
        api = [f"api:{resource.api}-list", f"api:{resource.api}-detail"] if resource.api else []
        leakcheck.default_unscoped(resource.unscoped, *resource.pages.values(), *api)
        return resource
    whole = next((tab.key for tab in resource.tabs if tab.complete), None)
    whole_query = f"{resource.tab_param}={whole}" if whole else ""
    whole_perm = [(resource.module, resource.tab(whole).perm)] if whole and resource.tab(whole).perm else []
    for tab, url_name in resource.pages.items():
        fixed = resource.tab(tab)
        perms = list(base_perm)
        if fixed is not None:  # a page per tab (my customers, shared with me, ...)
            complete, query = fixed.complete, ""
            perms += [(resource.module, fixed.perm)] if fixed.perm else []
        else:
            complete, query = (bool(whole) or (resource.complete and not resource.tabs)), whole_query
            perms += whole_perm
        enter(
            url_name,
            resource.model,
            "list",
            marker=resource.marker,
            complete=complete,
            list_query=query,
            perm=tuple(perms) or None,
        )
    if resource.api:
        complete = bool(whole) or (resource.complete and not resource.tabs)
        api_perm = tuple(base_perm + whole_perm) or None
        enter(
            f"api:{resource.api}-list",
            resource.model,
            "list",
            api=True,
            complete=complete,
            list_query=whole_query,
            perm=api_perm,
        )
        enter(f"api:{resource.api}-detail", resource.model, "detail", api=True)
    return resource


def get(key: str) -> Resource:
    return _resources[key]


def all_resources() -> list[Resource]:
    return sorted(_resources.values(), key=lambda r: r.key)
