"""Excel import of opportunities, declared into the core import engine (`kehu.core.importing`).

A row: the customer (its number, or its exact name, among the customers the importer may see), the opportunity
name, the amount (Decimal, the service's messages), the expected close date, the stage (by name; its gate applies:
a stage requiring a decision maker cannot be entered from a file), the source (dictionary), next step, description.
Rows are written through `services.create_opportunity`, so an imported opportunity is exactly one created by hand
(numbering, stage history, timeline). While new opportunities need approval, files are refused (create them one by
one so that each goes through its approval)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from kehu.core import importing
from kehu.core.importing import Column, RowError
from kehu.customers.models import Customer
from kehu.sales import services, stages
from kehu.sales.models import Opportunity, Stage

COLUMNS = (
    Column("customer", "客户", N_("Customer"), ("customer number", "客户编号"), required=True, max_length=100),
    Column("name", "商机名称", N_("Opportunity name"), ("opportunity",), required=True, max_length=100),
    Column("amount", "金额", N_("Amount"), ("amount (¥)", "金额（元）")),
    Column("expected_close_date", "预计成交日期", N_("Expected close date"), ("close date",), required=True),
    Column("stage", "阶段", N_("Stage"), max_length=40),
    Column("source", "商机来源", N_("Source"), ("source",), dictionary="opportunity_source"),
    Column("next_step", "下一步", N_("Next step"), max_length=200),
    Column("description", "说明", N_("Description")),
)


@importing.register("opportunities")
class OpportunityImport(importing.Importer):
    columns = COLUMNS
    sheet_title = gettext_lazy("Opportunities")

    def check(self) -> None:
        from kehu.approvals.services import requires_approval

        services.require(self.actor, "add")
        if requires_approval(services.DOC):
            raise PermissionDenied(_("New opportunities need approval: create them one by one."))
        self.stages = {s.name: s for s in Stage.objects.filter(is_active=True)}
        self.first_stage = services.stages_in_use().first()

    def _customer(self, text: str):
        visible = Customer.objects.visible_to(self.actor).filter(status=Customer.Status.ACTIVE, owner__isnull=False)
        return visible.filter(number=text.upper()).first() or visible.filter(name=text).order_by("pk").first()

    def clean_row(self, number: int, values: dict[str, str]) -> tuple[dict, list[RowError]]:
        errors: list[RowError] = []

        def error(name, message):
            errors.append(self.error(number, name, message))

        self.clean_lengths(number, values, errors)
        customer = self._customer(values["customer"]) if values["customer"] else None
        if customer is None:
            error("customer", _("No customer of yours has this number or name."))
        if not values["name"]:
            error("name", _("Give the opportunity a name."))
        try:
            amount = services.clean_amount(values["amount"])
        except ValidationError as exc:
            error("amount", exc.message_dict["amount"][0])
            amount = None
        close = None
        try:
            close = date.fromisoformat(values["expected_close_date"][:10])
        except ValueError:
            error("expected_close_date", _("Enter a date as YYYY-MM-DD."))
        if close is not None and close < timezone.localdate():
            error(
                "expected_close_date",
                _("The expected close date is in the past: enter when you now expect to close it."),
            )
        stage = self.stages.get(values["stage"]) if values["stage"] else self.first_stage
        if stage is None:
            error("stage", _("No stage in use has this name."))
        else:
            missing = stages.missing_fields(Opportunity(amount=amount), stage, {"amount": amount})
            if missing:
                error("stage", str(stages.gate_error(stage, missing).message_dict["stage"][0]))
        source = None
        for column in self.columns:
            if column.dictionary:
                source = self.clean_dictionary(number, column, values[column.field], errors)
        row = {
            "customer": customer,
            "name": values["name"],
            "amount": amount,
            "expected_close_date": close,
            "stage": stage,
            "source": source,
            "next_step": values["next_step"],
            "description": values["description"],
        }
        return row, errors

    def write_rows(self, rows: list[dict], progress: importing.Progress) -> int:
        for done, row in enumerate(rows, start=1):
            services.create_opportunity(self.actor, row, submit=False)
            if done % 200 == 0:
                progress("writing", done, len(rows))
        return len(rows)


def run_import(actor, source, *, mode: str = "validate"):
    return OpportunityImport(actor).run(source, mode=mode)
