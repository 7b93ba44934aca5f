from django.conf import settings
from django.db import models
from django.db.models import Q

from kehu.core.locking import VersionedModel
from kehu.org.scope import OwnedModel


class Memo(OwnedModel, VersionedModel):
    scope_module = "memos"

    title = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["owner_department", "-id"], name="bench_memo_dept_idx")]

    def __str__(self):
        return self.title

    @classmethod
    def shared_with_q(cls, user, action):
        shares = MemoShare.objects.filter(Q(user=user) | Q(department_id=user.department_id))
        if action != "view":
            shares = shares.filter(can_edit=True)
        return Q(pk__in=shares.values("memo_id"))


class MemoShare(models.Model):
    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE)
    can_edit = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.memo_id} → {self.user_id or self.department_id}"
