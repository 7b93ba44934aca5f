from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kehu.core.locking import VersionedModel
from kehu.core.text import localized


class DocumentSequence(models.Model):
    """The last number handed out for one document type in one year (see `kehu.core.numbering`)."""

    doc_type = models.CharField(_("document type"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    last_value = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document sequence")
        constraints = [models.UniqueConstraint(fields=["doc_type", "year"], name="uniq_sequence_type_year")]

    def __str__(self):
        return f"{self.doc_type}-{self.year}: {self.last_value}"


class Dictionary(VersionedModel):
    """A list of values that business records pick from: industries, customer sources, levels, regions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_system = models.BooleanField(_("built in"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dictionary")
        verbose_name_plural = _("dictionaries")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self.name_zh, self.name_en)


class DictionaryItem(VersionedModel):
    dictionary = models.ForeignKey(Dictionary, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=40)
    label_zh = models.CharField(_("label (Chinese)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=60)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dictionary value")
        ordering = ["dictionary_id", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["dictionary", "code"], name="uniq_dictionary_item_code")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return localized(self.label_zh, self.label_en)


class MenuSetting(VersionedModel):
    """What sales operations changed about one menu entry: its labels, its position, who doesn't see it."""

    key = models.CharField(_("menu key"), max_length=60, unique=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=30, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=40, blank=True)
    sort_order = models.IntegerField(_("sort order"), null=True, blank=True)
    hidden_for_roles = models.ManyToManyField("org.Role", blank=True, verbose_name=_("hidden for roles"))
    history = HistoricalRecords(m2m_fields=[hidden_for_roles])

    class Meta:
        verbose_name = _("menu setting")

    def __str__(self):
        return self.key
