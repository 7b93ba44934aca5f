"""Changes to what sales operations configure (menu labels and visibility, dictionary values) and to a user's
interface language."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _

from kehu.core.locking import save_versioned
from kehu.core.models import DictionaryItem, MenuSetting


def _require_config(actor):
    if not actor.has_perm("config.manage"):
        raise PermissionDenied(_("You do not have permission to do this."))


def save_menu_setting(
    actor, key: str, *, label_zh: str, label_en: str, sort_order, hidden_for_roles, expected_version=None
) -> MenuSetting:
    """Rename, reorder or hide a menu entry per role. Needs config.manage; refuses a stale edit."""
    _require_config(actor)
    with transaction.atomic():
        setting = MenuSetting.objects.filter(key=key).first()
        if setting is None:
            setting = MenuSetting(key=key, updated_by=actor, updated_at=timezone.now())
            setting.label_zh, setting.label_en, setting.sort_order = (
                label_zh.strip(),
                label_en.strip(),
                sort_order,
            )
            setting._history_user = actor
            setting.save()
        else:
            setting.label_zh, setting.label_en, setting.sort_order = (
                label_zh.strip(),
                label_en.strip(),
                sort_order,
            )
            save_versioned(setting, actor, expected_version)
        setting._history_user = actor
        setting.hidden_for_roles.set(hidden_for_roles)
    return setting


def add_dictionary_item(
    actor, dictionary, *, code: str, label_zh: str, label_en: str, sort_order: int = 0, is_active: bool = True
) -> DictionaryItem:
    _require_config(actor)
    if dictionary.items.filter(code=code).exists():
        raise ValidationError({"code": _("This dictionary already has a value with this code.")})
    if dictionary.items.filter(label_zh=label_zh.strip()).exists():
        raise ValidationError({"label_zh": _("This dictionary already has a value with this label.")})
    item = DictionaryItem(
        dictionary=dictionary,
        code=code,
        label_zh=label_zh.strip(),
        label_en=label_en.strip(),
        sort_order=sort_order,
        is_active=is_active,
        updated_by=actor,
        updated_at=timezone.now(),
    )
    item._history_user = actor
    item.save()
    return item


def update_dictionary_item(
    actor,
    item: DictionaryItem,
    *,
    expected_version,
    label_zh: str,
    label_en: str,
    sort_order: int,
    is_active: bool,
) -> DictionaryItem:
    """Relabel, reorder or retire a value. Its code never changes, so records that use it stay valid."""
    _require_config(actor)
    if item.dictionary.items.filter(label_zh=label_zh.strip()).exclude(pk=item.pk).exists():
        raise ValidationError({"label_zh": _("This dictionary already has a value with this label.")})
    item.label_zh, item.label_en, item.sort_order, item.is_active = (
        label_zh.strip(),
        label_en.strip(),
        sort_order,
        is_active,
    )
    return save_versioned(item, actor, expected_version)


def is_offered_language(language: str) -> bool:
    return language in dict(settings.LANGUAGES) and check_for_language(language)


def set_user_language(user, language: str) -> None:
    """Remember `language` as the interface language of `user`: it is restored at their next login and used
    for the messages and background work written for them. Anyone may set their own; a language the site does
    not offer is refused. A personal preference, not business data: no audit trail, no version bump."""
    if not is_offered_language(language):
        raise ValidationError({"language": _("This language is not available.")})
    get_user_model().objects.filter(pk=user.pk).update(language=language)
    user.language = language
