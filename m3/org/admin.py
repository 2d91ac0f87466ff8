"""Django admin for the organisation."""

from django.contrib import admin

from m3.org.models import CrmIdentity, Leadership, Membership, Person, Unit


class CrmIdentityInline(admin.TabularInline):
    model = CrmIdentity
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class LeadershipInline(admin.TabularInline):
    model = Leadership
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "parent")
    search_fields = ("name",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "role", "active")
    list_filter = ("role", "active")
    search_fields = ("name", "email", "crm_ids__crm_id")
    inlines = [CrmIdentityInline, MembershipInline, LeadershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "unit", "start", "end")
    list_filter = ("unit",)


@admin.register(Leadership)
class LeadershipAdmin(admin.ModelAdmin):
    list_display = ("person", "unit", "kind", "start", "end")
    list_filter = ("kind", "unit")
