"""Forms of the product pages: they collect input; the services check it (field errors come back from them)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import StyledForm, StyledFormMixin
from kehu.products.costs import can_see_costs
from kehu.products.models import Category, Product, Warehouse

LINE_ROWS = 5


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'— ' * (obj.depth - 1)}{obj.name}"


class ProductForm(StyledFormMixin, forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=60)
    name = forms.CharField(label=_("Product name"), max_length=200)
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.order_by("path"))
    specification = forms.CharField(label=_("Specification"), required=False, max_length=200)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=10, initial="个")
    list_price = forms.CharField(label=_("List price (excl. tax)"))
    tax_rate = forms.CharField(label=_("Tax rate"), required=False, initial="0.13", help_text=_("0.13 is 13 %."))
    cost_price = forms.CharField(label=_("Cost price"), required=False)
    min_stock = forms.CharField(label=_("Minimum stock"), required=False, help_text=_("Below it the keepers are told."))
    status = forms.ChoiceField(label=_("Status"), choices=Product.Status.choices)
    tracks_batches = forms.BooleanField(label=_("Tracks batch or serial numbers"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_see_costs(user):
            del self.fields["cost_price"]


class PictureForm(StyledForm):
    picture = forms.FileField(label=_("Picture"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class CategoryForm(StyledForm):
    name = forms.CharField(label=_("Category name"), max_length=60)
    parent = CategoryChoiceField(label=_("Under"), queryset=Category.objects.order_by("path"), required=False)


class StockDocumentForm(StyledForm):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none(), empty_label=None)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # the warehouses the user may do stock work in
            self.fields["warehouse"].queryset = Warehouse.objects.visible_to(user, "stock").filter(is_active=True)


class StockInForm(StockDocumentForm):
    supplier = forms.CharField(label=_("Supplier"), required=False, max_length=100)


class CancelForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)
