from django.urls import path

from kehu.products import import_views, views

app_name = "products"
urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.product_create, name="create"),
    path("<int:pk>/", views.product_detail, name="detail"),
    path("<int:pk>/edit/", views.product_edit, name="edit"),
    path("<int:pk>/pictures/", views.picture_add, name="picture_add"),
    path("pictures/<int:pk>/<str:size>/", views.picture_file, name="picture"),
    path("categories/", views.categories, name="categories"),
    path("price-lists/", views.price_lists, name="price_lists"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list"),
    path("warehouses/", views.warehouse_list, name="warehouses"),
    path("stock/", views.stock_list, name="stock"),
    path("stock/low/", views.low_stock, name="low_stock"),
    path("ledger/", views.ledger, name="ledger"),
    path("stock-ins/", views.stock_in_list, name="stock_ins"),
    path("stock-ins/new/", views.stock_in_add, name="stock_in_add"),
    path("stock-ins/<int:pk>/", views.stock_in_detail, name="stock_in_detail"),
    path("stock-ins/<int:pk>/submit/", views.stock_in_submit, name="stock_in_submit"),
    path("stock-ins/<int:pk>/cancel/", views.stock_in_cancel, name="stock_in_cancel"),
    path("stocktakes/", views.stocktake_list, name="stocktakes"),
    path("stocktakes/new/", views.stocktake_add, name="stocktake_add"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake_detail"),
    path("stocktakes/<int:pk>/submit/", views.stocktake_submit, name="stocktake_submit"),
    # Excel import and export (import_views.py)
    path("import/", import_views.import_upload, name="import"),
    path("import/template/", import_views.import_template, name="import_template"),
    path("export/", import_views.export_list, name="export"),
]
