"""URL routes: pages, the JSON API under /api/, the Django admin under /admin/."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from m3.api import api_build
from m3.diagnose import views as diagnose_views
from m3.initiatives import views as initiative_views
from m3.measure import views as measure_views
from m3.message import views as message_views
from m3.org import views as org_views
from m3.pulse import views as pulse_views
from m3.reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/<int:pk>/", org_views.unit_detail, name="unit_detail"),
    path("people/<int:pk>/", org_views.person_detail, name="person_detail"),
    path("initiatives/", initiative_views.initiative_list, name="initiative_list"),
    path("initiatives/new/", initiative_views.initiative_edit, name="initiative_new"),
    path("initiatives/<int:pk>/", report_views.initiative_detail, name="initiative_detail"),
    path("initiatives/<int:pk>/edit/", initiative_views.initiative_edit, name="initiative_edit"),
    path("initiatives/<int:pk>/message/", message_views.message_health, name="message_health"),
    path("initiatives/<int:pk>/message/units/<int:unit_id>/", message_views.message_unit,
         name="message_unit"),
    path("initiatives/<int:pk>/diagnosis/", diagnose_views.diagnosis, name="diagnosis"),
    path("initiatives/<int:pk>/diagnosis/units/<int:unit_id>/", diagnose_views.diagnosis_unit,
         name="diagnosis_unit"),
    path("initiatives/<int:pk>/restate/", message_views.restate, name="restate"),
    path("touchpoints/new/", message_views.touchpoint_new, name="touchpoint_new"),
    path("message/due/", message_views.message_due, name="message_due"),
    path("initiatives/<int:pk>/pulse/", pulse_views.pulse, name="pulse"),
    path("metrics/explain/", measure_views.metric_explain_page, name="metric_explain"),
    path("admin/", admin.site.urls),
    path("api/", api_build().urls),
]
