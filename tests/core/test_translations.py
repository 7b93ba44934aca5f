"""The Simplified Chinese catalogue is complete, compiled and active; English stays English."""

import ast
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

import kehu

PO_PATH = Path(kehu.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}")


def parse_po(path):
    """Entries of a .po file as dicts: flags, msgctxt, msgid, msgid_plural, msgstr (list). Obsolete entries skipped."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry = None
                break
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
                continue
            if line.startswith("#"):
                continue
            match = KEYWORD.match(line)
            if match:
                key, value = match.group(1), ast.literal_eval(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)
                else:
                    entry[key] = value
            elif key.startswith("msgstr"):
                entry["msgstr"][-1] += ast.literal_eval(line)
            else:
                entry[key] += ast.literal_eval(line)
        if entry is not None and "msgid" in entry:
            entries.append(entry)
    return entries


ENTRIES = parse_po(PO_PATH)
MESSAGES = [entry for entry in ENTRIES if entry["msgid"]]


def label(entry):
    return entry["msgid"][:60]


def test_catalogue_files_exist_and_are_not_trivial():
    assert PO_PATH.is_file()
    assert MO_PATH.is_file()
    assert len(MESSAGES) > 250
    header = next(entry for entry in ENTRIES if entry["msgid"] == "")
    assert "Language: zh_Hans\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]


def test_no_fuzzy_entries():
    assert [label(entry) for entry in ENTRIES if "fuzzy" in entry["flags"]] == []


def test_no_untranslated_entries():
    untranslated = [label(entry) for entry in MESSAGES if not entry["msgstr"] or not all(entry["msgstr"])]
    assert untranslated == []


def test_plural_entries_have_exactly_one_chinese_form():
    plurals = [entry for entry in MESSAGES if entry["msgid_plural"]]
    assert plurals
    assert [label(entry) for entry in plurals if len(entry["msgstr"]) != 1] == []


def test_placeholders_are_kept():
    wrong = []
    for entry in MESSAGES:
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for msgstr in entry["msgstr"]:
            if sorted(PLACEHOLDER.findall(msgstr)) != expected:
                wrong.append((entry["msgid"], msgstr))
    assert wrong == []


def test_no_english_left_in_chinese():
    """Every translation contains Chinese; English words survive only as product names (API, B2B...)."""
    han = re.compile(r"[\u4e00-\u9fff]")
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{[^}]*\}\}")
    wordless = [e for e in MESSAGES if not re.search(r"[A-Za-z]", placeholder.sub("", e["msgid"]))]
    assert sorted(label(e) for e in wordless) == [  # only punctuation to translate
        "%(name)s: %(reason)s",
        "%(reason)s: %(detail)s",
        "%(state)s · %(reason)s",
        ", ",
    ]
    assert [
        label(entry)
        for entry in MESSAGES
        if entry not in wordless and not all(han.search(msgstr) for msgstr in entry["msgstr"])
    ] == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Workbench", "工作台"),
        ("Messages", "消息"),
        ("Message centre", "消息中心"),
        ("Departments", "部门"),
        ("Batch authorisation", "批量授权"),
        ("Data scope", "数据权限"),
        ("Own department and below", "本部门及下级"),
        ("Chosen departments (and below)", "指定部门（含下级）"),
        ("Left the company", "已离职"),
        ("Active", "在职"),
        ("My to-dos", "我的待办"),
        ("Log out", "退出登录"),
        ("Kehu CRM", "客户协同管理"),
        ("Open", "打开"),
    ],
)
def test_chinese_is_active(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_formatted_and_plural_messages():
    with translation.override("zh-hans"):
        marked = translation.ngettext("%(count)d message marked as read.", "%(count)d messages marked as read.", 3)
        assert marked % {"count": 3} == "已将 3 条消息标为已读。"
        assert translation.pgettext("department status", "Open") == "正常"
        assert translation.ngettext("%(total)s record", "%(total)s records", 1) == "共 %(total)s 条"
        assert translation.ngettext("%(total)s record", "%(total)s records", 7) == "共 %(total)s 条"
    with translation.override("en"):
        assert translation.ngettext("%(total)s record", "%(total)s records", 7) == "%(total)s records"


def test_templates_render_in_chinese():
    template = Template(
        "{% load i18n %}{% blocktranslate with name=who %}Hello, {{ name }}{% endblocktranslate %}|"
        "{% blocktranslate count total=n %}{{ total }} record{% plural %}{{ total }} records{% endblocktranslate %}"
    )
    with translation.override("zh-hans"):
        assert template.render(Context({"who": "王芳", "n": 12})) == "你好，王芳|共 12 条"
    with translation.override("en"):
        assert template.render(Context({"who": "Wang Fang", "n": 12})) == "Hello, Wang Fang|12 records"


def test_compiled_catalogue_matches_the_po_file():
    """Every pair of the .po comes back unchanged through gettext: the .mo was compiled from this .po."""
    mismatches = []
    with translation.override("zh-hans"):
        for entry in MESSAGES:
            msgid, plural, context = entry["msgid"], entry["msgid_plural"], entry["msgctxt"]
            for n in (1, 2) if plural else (None,):
                if plural and context is not None:
                    got = translation.npgettext(context, msgid, plural, n)
                elif plural:
                    got = translation.ngettext(msgid, plural, n)
                elif context is not None:
                    got = translation.pgettext(context, msgid)
                else:
                    got = translation.gettext(msgid)
                if got != entry["msgstr"][0]:
                    mismatches.append((msgid, entry["msgstr"][0], got))
    assert mismatches == []
