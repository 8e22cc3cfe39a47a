from django.contrib import admin

from faktura.core.admin_readonly import ReadOnlyAdmin
from faktura.crm.models import Company, Contact

admin.site.register(Contact, ReadOnlyAdmin)
admin.site.register(Company, ReadOnlyAdmin)
