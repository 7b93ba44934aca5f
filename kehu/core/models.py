from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kehu.core.locking import VersionedModel
from kehu.core.text import Translatable, localized, stored_text, text_for_storage


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


def DictionaryField(dictionary: str, verbose_name, *, one_to_one: bool = False, on_delete=models.PROTECT, **kwargs):  # noqa: N802 - used like a field class
    """An optional foreign key to a value of the dictionary `dictionary` (its code): forms and the admin offer
    that dictionary's values only; a value in use cannot be deleted (PROTECT). A plain ForeignKey (or
    OneToOneField), so migrations see the same field as before."""
    field_class = models.OneToOneField if one_to_one else models.ForeignKey
    options = {"null": True, "blank": True, "related_name": "+", **kwargs}
    return field_class(
        "core.DictionaryItem",
        verbose_name=verbose_name,
        on_delete=on_delete,
        limit_choices_to={"dictionary__code": dictionary},
        **options,
    )


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


class FileJob(models.Model):
    """An Excel import or export of one resource (`resource`, e.g. "customers"), run inline or as a background
    task: its file, progress and outcome (`kehu.core.filejobs`).

    Only its creator sees it (pages answer 404 to anyone else). Imports go validated → written in two steps,
    the user choosing between them how to write (all-or-nothing or only the valid rows)."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        VALIDATING = "validating", _("Checking rows")
        VALIDATED = "validated", _("Checked")
        WRITING = "writing", _("Writing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.IMPORT)
    resource = models.CharField(_("resource"), max_length=40, default="customers")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    mode = models.CharField(_("import mode"), max_length=12, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )  # who will own the imported records
    file = models.FileField(_("file"), upload_to="imports/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)  # an export's list scope and filters
    background = models.BooleanField(default=False)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(_("valid rows"), default=0)
    invalid = models.PositiveIntegerField(_("rows with errors"), default=0)
    created = models.PositiveIntegerField(_("records created"), default=0)
    errors = models.JSONField(default=list, blank=True)  # the first MAX_STORED_ERRORS row errors
    error_report = models.FileField(upload_to="imports/", blank=True)
    result = models.FileField(upload_to="exports/", blank=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import or export job")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="file_job_creator_idx")]

    def __str__(self):
        return f"{self.resource} {self.kind} {self.pk} {self.status}"

    @property
    def running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.VALIDATING, self.Status.WRITING}


class TranslatableCharField(models.CharField):
    """A CharField that may hold product text (`kehu.core.text.Translatable`): stored as its msgid and
    parameters, read back as a Translatable, so it is shown in the reader's language. Typed text stays text."""

    def from_db_value(self, value, expression, connection):
        return stored_text(value)

    def get_prep_value(self, value):
        if isinstance(value, Translatable):
            return text_for_storage(value, self.max_length)
        return super().get_prep_value(value)


class TranslatableTextField(models.TextField):
    """The TextField of `TranslatableCharField`."""

    def from_db_value(self, value, expression, connection):
        return stored_text(value)

    def get_prep_value(self, value):
        if isinstance(value, Translatable):
            return text_for_storage(value)
        return super().get_prep_value(value)


class Submission(models.Model):
    """A write that must happen once (kehu.core.once): a page form's one-time token or an API Idempotency-Key,
    with the answer it got, so a double click or a retried request gets that answer instead of a second write."""

    owner = models.CharField(_("sent by"), max_length=64)  # the user, or a digest of the API token
    key = models.CharField(_("key"), max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # None while the first request is running
    location = models.CharField(max_length=500, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submission")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="uniq_submission_owner_key")]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"
