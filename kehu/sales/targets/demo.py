"""Demo targets: every sales rep and every sales department, every month of the demo year, for won amount, new
opportunities, new customers, follow-ups and visits. Runs after the opportunities demo (INSTALLED_APPS order)."""

import random
from decimal import Decimal

from django.utils import timezone

from kehu.sales.targets.models import Target

# metric: (monthly target range of a rep, step)
REP_TARGETS = {
    "sales.won_amount": (300_000, 900_000, 10_000),
    "sales.new_opportunities": (4, 10, 1),
    "customers.new_customers": (3, 8, 1),
    "customers.follow_ups": (30, 60, 5),
    "customers.visits": (8, 20, 2),
}
SEASON = [0.7, 0.6, 1.0, 0.9, 1.0, 1.1, 0.9, 0.9, 1.0, 1.1, 1.2, 1.4]  # a slow spring festival, a strong year end


def load(context: dict) -> None:
    rng = random.Random(context["seed"] + 12)
    year = timezone.localdate().year
    reps = [u for u in context["users"] if u.is_active and any(r.code == "sales_rep" for r in u.roles.all())]
    departments = context["departments"]
    author = next((u for u in context["users"] if any(r.code == "sales_ops" for r in u.roles.all())), None)
    rows = []
    per_department: dict[tuple[int, str, int], Decimal] = {}
    for rep in reps:
        level = rng.uniform(0.8, 1.2)  # some reps carry more than others
        for metric, (low, high, step) in REP_TARGETS.items():
            base = rng.randrange(low, high + 1, step)
            for month in range(1, 13):
                amount = Decimal(round(base * level * SEASON[month - 1] / step) * step)
                rows.append(
                    Target(
                        metric=metric,
                        year=year,
                        month=month,
                        user=rep,
                        department_id=rep.department_id,
                        amount=amount,
                        updated_by=author,
                    )
                )
                key = (rep.department_id, metric, month)
                per_department[key] = per_department.get(key, Decimal(0)) + amount
    # Each sales department gets its own target: a little above the sum of its reps (managers stretch the team);
    # the sales centre's is the sum of its departments' rounded up.
    sales_departments = [departments["north"], departments["east"]]
    centre: dict[tuple[str, int], Decimal] = {}
    for department in sales_departments:
        for metric in REP_TARGETS:
            for month in range(1, 13):
                people = per_department.get((department.pk, metric, month), Decimal(0))
                amount = (people * Decimal("1.05")).quantize(Decimal(1))
                rows.append(
                    Target(
                        metric=metric, year=year, month=month, department=department, amount=amount, updated_by=author
                    )
                )
                centre[(metric, month)] = centre.get((metric, month), Decimal(0)) + amount
    for (metric, month), amount in centre.items():
        rows.append(
            Target(
                metric=metric, year=year, month=month, department=departments["sales"], amount=amount, updated_by=author
            )
        )
    for row in rows:
        row._history_user = author
        row.save()
    context["targets"] = len(rows)
    context["stdout"].write(
        f"  Sales targets: {len(rows)} monthly targets for {len(reps)} reps and "
        f"{len(sales_departments) + 1} departments ({year})."
    )
