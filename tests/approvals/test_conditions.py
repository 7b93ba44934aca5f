"""Branch conditions on their own: how each operator compares each kind of field (the expected results are written
out by hand, not computed by the code under test), missing values, all/any groups, the publish-time check of a
condition and the sentence it is shown as. The document type is `tests.expense` (tests/scoped_app/approvals.py):
title (text), amount and discount_rate (number), category (choice), urgent (yes/no), reviewer and owner (person)."""

import pytest
from django.utils import translation

from kehu.approvals import conditions, registry
from kehu.approvals.registry import DocumentType, Field

EXPENSE = registry.get("tests.expense")


def leaf(field, op, value):
    return {"field": field, "op": op, "value": value}


def match(condition, **form):
    return conditions.matches(condition, form, EXPENSE)


def problems(condition, doc_type=EXPENSE):
    with translation.override("en"):
        return conditions.validate(condition, doc_type)


# --- matches: numbers ---------------------------------------------------------------------------
NUMBER_TABLE = {  # op: (result for 99, for 100, for 101) against the value 100
    "eq": (False, True, False),
    "ne": (True, False, True),
    "gt": (False, False, True),
    "gte": (False, True, True),
    "lt": (True, False, False),
    "lte": (True, True, False),
}


@pytest.mark.parametrize("op", NUMBER_TABLE)
def test_each_number_operator_below_at_and_above_the_value(op):
    below, at, above = NUMBER_TABLE[op]
    assert (match(leaf("amount", op, 100), amount="99"), match(leaf("amount", op, 100), amount="100")) == (below, at)
    assert match(leaf("amount", op, 100), amount="101") is above


def test_number_equality_compares_amounts_not_spellings():
    assert match(leaf("amount", "eq", "100000"), amount="100000.00") is True
    assert match(leaf("amount", "ne", 100000), amount="100000.00") is False
    assert match(leaf("amount", "eq", 0.5), amount="0.50") is True


@pytest.mark.parametrize("missing", [None, "", "abc", True, "Infinity", "NaN"])
@pytest.mark.parametrize("op", NUMBER_TABLE)
def test_a_missing_or_unreadable_number_matches_only_is_not(op, missing):
    assert match(leaf("amount", op, 100), amount=missing) is (op == "ne")


def test_a_number_field_absent_from_the_form_matches_only_is_not():
    assert match(leaf("amount", "eq", 0)) is False
    assert match(leaf("amount", "lte", 0)) is False
    assert match(leaf("amount", "ne", 0)) is True


# --- matches: yes/no, text, choice, person -------------------------------------------------------
def test_yes_no_equals():
    assert match(leaf("urgent", "eq", True), urgent=True) is True
    assert match(leaf("urgent", "eq", True), urgent=False) is False
    assert match(leaf("urgent", "eq", False), urgent=False) is True
    assert match(leaf("urgent", "eq", False), urgent=True) is False


def test_a_missing_yes_no_counts_as_no():
    assert match(leaf("urgent", "eq", True)) is False
    assert match(leaf("urgent", "eq", True), urgent=None) is False
    assert match(leaf("urgent", "eq", False), urgent=None) is True


def test_text_equals_and_is_not_compare_the_whole_text():
    assert match(leaf("title", "eq", "会议费"), title="会议费") is True
    assert match(leaf("title", "eq", "会议费"), title="年度会议费") is False
    assert match(leaf("title", "ne", "会议费"), title="年度会议费") is True
    assert match(leaf("title", "ne", "会议费"), title="会议费") is False


def test_text_contains_ignores_case_and_refuses_what_is_not_there():
    assert match(leaf("title", "contains", "会议"), title="年度会议费用") is True
    assert match(leaf("title", "contains", "expo"), title="Shanghai EXPO booth") is True
    assert match(leaf("title", "contains", "EXPO"), title="shanghai expo") is True
    assert match(leaf("title", "contains", "会议"), title="差旅报销") is False


def test_a_missing_text_matches_only_is_not():
    assert match(leaf("title", "eq", "会议")) is False
    assert match(leaf("title", "contains", "x")) is False  # nothing contains anything, whatever its letters
    assert match(leaf("title", "contains", "会议"), title=None) is False
    assert match(leaf("title", "ne", "会议"), title=None) is True


def test_choice_operators():
    assert match(leaf("category", "eq", "gift"), category="gift") is True
    assert match(leaf("category", "eq", "gift"), category="travel") is False
    assert match(leaf("category", "ne", "gift"), category="travel") is True
    assert match(leaf("category", "ne", "gift"), category="gift") is False
    assert match(leaf("category", "in", ["gift", "event"]), category="event") is True
    assert match(leaf("category", "in", ["gift", "event"]), category="travel") is False
    assert match(leaf("category", "not_in", ["gift", "event"]), category="travel") is True
    assert match(leaf("category", "not_in", ["gift", "event"]), category="gift") is False


def test_a_missing_choice_is_in_no_list():
    assert match(leaf("category", "in", ["gift"])) is False
    assert match(leaf("category", "not_in", ["gift"])) is True
    assert match(leaf("category", "eq", "gift")) is False
    assert match(leaf("category", "ne", "gift")) is True


def test_person_fields_compare_ids_whatever_their_spelling():
    assert match(leaf("reviewer", "eq", 7), reviewer="7") is True
    assert match(leaf("reviewer", "eq", "7"), reviewer=8) is False
    assert match(leaf("reviewer", "ne", 7), reviewer=8) is True
    assert match(leaf("reviewer", "ne", 7), reviewer=7) is False
    assert match(leaf("reviewer", "in", [7, 9]), reviewer=9) is True
    assert match(leaf("reviewer", "in", [7, 9]), reviewer=8) is False
    assert match(leaf("reviewer", "not_in", ["7"]), reviewer=7) is False
    assert match(leaf("reviewer", "not_in", ["7"]), reviewer=8) is True


# --- matches: groups ----------------------------------------------------------------------------
BIG = leaf("amount", "gt", 5000)
GIFT = leaf("category", "eq", "gift")


def test_an_all_group_holds_only_when_every_condition_does():
    assert match({"all": [BIG, GIFT]}, amount="6000", category="gift") is True
    assert match({"all": [BIG, GIFT]}, amount="6000", category="travel") is False
    assert match({"all": [BIG, GIFT]}, amount="10", category="gift") is False


def test_an_any_group_holds_when_one_condition_does():
    assert match({"any": [BIG, GIFT]}, amount="10", category="gift") is True
    assert match({"any": [BIG, GIFT]}, amount="6000", category="travel") is True
    assert match({"any": [BIG, GIFT]}, amount="10", category="travel") is False


def test_groups_nest():
    condition = {"any": [{"all": [BIG, GIFT]}, leaf("urgent", "eq", True)]}
    assert match(condition, amount="6000", category="gift", urgent=False) is True
    assert match(condition, amount="6000", category="travel", urgent=True) is True
    assert match(condition, amount="6000", category="travel", urgent=False) is False


def test_a_condition_that_no_longer_fits_its_field_never_matches():
    """A stored flow whose operator does not fit the field's kind (or whose field is gone) takes the default path
    instead of failing the submission with a KeyError."""
    assert match(leaf("amount", "contains", "1"), amount="1") is False
    assert match(leaf("title", "gt", "a"), title="b") is False
    assert match(leaf("urgent", "ne", True), urgent=False) is False
    assert match(leaf("gone", "eq", "x"), gone="x") is False


# --- validate -----------------------------------------------------------------------------------
@pytest.mark.parametrize("condition", [None, {}, [], "amount > 5", 5])
def test_an_empty_or_non_object_condition_is_refused(condition):
    assert problems(condition) == ["The condition is empty."]


@pytest.mark.parametrize("group", ["all", "any"])
@pytest.mark.parametrize("items", [[], None, {"field": "amount"}, "x"])
def test_an_empty_group_is_refused(group, items):
    assert problems({group: items}) == ["A condition group needs at least one condition."]


def test_every_problem_of_a_group_is_reported():
    condition = {"all": [leaf("amount", "gt", "lots"), GIFT, leaf("nope", "eq", 1)]}
    assert problems(condition) == [
        "Amount is compared with “lots”, which is not a number.",
        "Unknown field “nope”.",
    ]


def nested(depth):
    condition = GIFT
    for _level in range(depth):
        condition = {"all": [condition]}
    return condition


def test_conditions_nest_five_groups_deep_and_no_deeper():
    assert problems(nested(5)) == []
    assert problems(nested(6)) == ["Conditions nest too deeply."]


@pytest.mark.parametrize("field", ["nope", None, 3, ["amount"]])
def test_an_unknown_field_is_refused(field):
    assert problems(leaf(field, "eq", 1)) == [f"Unknown field “{field}”."]


def test_a_field_not_offered_for_conditions_is_refused():
    doc_type = DocumentType("t.x", "X", object, (Field("note", "Note", "text", condition=False),))
    assert problems(leaf("note", "eq", "a"), doc_type) == ["Unknown field “note”."]


@pytest.mark.parametrize(
    ("field", "op", "shown", "kind"),
    [
        ("amount", "contains", "contains", "number"),
        ("amount", "in", "is one of", "number"),
        ("title", "gt", ">", "text"),
        ("title", "lte", "≤", "text"),
        ("title", "lt", "<", "text"),
        ("title", "in", "is one of", "text"),
        ("category", "contains", "contains", "choice"),
        ("category", "lt", "<", "choice"),
        ("reviewer", "gte", "≥", "person"),
        ("urgent", "ne", "is not", "yes / no"),
        ("urgent", "in", "is one of", "yes / no"),
        ("amount", "bogus", "bogus", "number"),
        ("amount", None, "None", "number"),
        ("amount", ["eq"], "['eq']", "number"),
    ],
)
def test_an_operator_that_does_not_fit_the_kind_is_refused_by_name(field, op, shown, kind):
    label = EXPENSE.field(field).label
    assert problems(leaf(field, op, 1)) == [f"“{shown}” cannot be used on {label} (a {kind})."]


@pytest.mark.parametrize("op", ["in", "not_in"])
@pytest.mark.parametrize("value", [[], None, "gift", {"gift": 1}])
def test_one_of_needs_a_list_of_at_least_one_value(op, value):
    assert problems(leaf("category", op, value)) == ["Category: choose at least one value."]


def test_one_of_checks_every_value_in_the_list():
    assert problems(leaf("category", "in", ["gift", "event"])) == []
    assert problems(leaf("category", "not_in", ["gift", "cruise"])) == ["Category has no value “cruise”."]


@pytest.mark.parametrize("value", ["abc", None, "", True, "Infinity", [1]])
def test_a_number_is_compared_with_a_number(value):
    assert problems(leaf("amount", "gt", value)) == [f"Amount is compared with “{value}”, which is not a number."]


@pytest.mark.parametrize("value", [100, "100.5", 0, -3, 0.9])
def test_numbers_in_any_spelling_are_accepted(value):
    assert problems(leaf("amount", "lte", value)) == []


@pytest.mark.parametrize("value", ["yes", 1, 0, None, "true"])
def test_a_yes_no_field_is_compared_with_yes_or_no(value):
    assert problems(leaf("urgent", "eq", value)) == [f"Urgent is compared with “{value}”; choose yes or no."]


@pytest.mark.parametrize("value", [True, False])
def test_yes_and_no_are_accepted(value):
    assert problems(leaf("urgent", "eq", value)) == []


def test_a_choice_is_compared_with_one_of_its_values():
    assert problems(leaf("category", "eq", "gift")) == []
    assert problems(leaf("category", "ne", "cruise")) == ["Category has no value “cruise”."]


def test_a_choice_field_without_a_list_takes_any_value():
    doc_type = DocumentType("t.x", "X", object, (Field("kind", "Kind", "choice"),))
    assert problems(leaf("kind", "eq", "anything"), doc_type) == []


@pytest.mark.django_db
def test_a_person_field_is_compared_with_someone_who_exists(org):
    assert problems(leaf("reviewer", "eq", org.manager.pk)) == []
    assert problems(leaf("reviewer", "eq", str(org.manager.pk))) == []
    assert problems(leaf("reviewer", "in", [org.manager.pk, org.director.pk])) == []
    assert problems(leaf("reviewer", "not_in", [org.manager.pk])) == []
    unknown = ["Reviewer is compared with an unknown person."]
    assert problems(leaf("reviewer", "eq", 999999)) == unknown
    assert problems(leaf("reviewer", "eq", "manager")) == unknown
    assert problems(leaf("reviewer", "ne", None)) == unknown
    assert problems(leaf("reviewer", "in", [org.manager.pk, 999999])) == unknown


@pytest.mark.parametrize("value", ["会议", 12, 1.5, ""])
def test_text_is_compared_with_text_or_a_number(value):
    assert problems(leaf("title", "eq", value)) == []


@pytest.mark.parametrize("value", [None, ["会议"], {"a": 1}])
def test_text_compared_with_nothing_is_refused(value):
    assert problems(leaf("title", "contains", value)) == ["Title is compared with an empty value."]


def test_the_refusal_is_in_the_users_language():
    with translation.override("zh-hans"):
        assert conditions.validate(leaf("amount", "contains", "1"), EXPENSE) == ["“包含”不能用于Amount（数字类型）。"]


# --- describe -------------------------------------------------------------------------------------
def describe(condition):
    with translation.override("en"):
        return conditions.describe(condition, EXPENSE)


def test_describe_a_leaf_with_the_fields_label_and_the_values_label():
    assert describe(leaf("category", "eq", "gift")) == "Category equals 礼品"
    assert describe(leaf("amount", "gt", 100000)) == "Amount > 100000"
    assert describe(leaf("urgent", "eq", True)) == "Urgent equals Yes"
    assert describe(leaf("title", "contains", "会议")) == "Title contains 会议"
    assert describe(leaf("title", "eq", "")) == "Title equals —"


def test_describe_lists_the_values_of_one_of():
    assert describe(leaf("category", "not_in", ["gift", "event"])) == "Category is none of 礼品, 会务"


@pytest.mark.django_db
def test_describe_names_the_person(org):
    assert describe(leaf("reviewer", "ne", org.manager.pk)) == f"Reviewer is not {org.manager.display_name}"


def test_describe_groups_with_and_or_and_brackets_around_inner_groups():
    condition = {"any": [{"all": [BIG, GIFT]}, leaf("urgent", "eq", True)]}
    assert describe(condition) == "(Amount > 5000 and Category equals 礼品) or Urgent equals Yes"
    assert describe({"all": [BIG, {"any": [GIFT]}]}) == "Amount > 5000 and (Category equals 礼品)"


def test_describe_in_chinese():
    with translation.override("zh-hans"):
        assert conditions.describe({"all": [BIG, GIFT]}, EXPENSE) == "Amount > 5000 和 Category 等于 礼品"


def test_describe_a_field_that_is_gone_shows_its_name_and_an_unknown_operator_as_is():
    assert describe(leaf("gone", "eq", 1)) == "gone"
    assert describe(leaf("amount", "approx", 3)) == "Amount approx 3"
