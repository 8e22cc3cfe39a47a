from django.contrib import admin

from faktura.core.admin_readonly import ReadOnlyAdmin
from faktura.sales.models import Deal, Product, Quote

for model in (Product, Deal, Quote):
    admin.site.register(model, ReadOnlyAdmin)
