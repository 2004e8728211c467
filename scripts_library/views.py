"""The scripts library for supervisors."""

from django.shortcuts import render

from console.roles import supervisor_required

from .models import Script


@supervisor_required
def library(request):
    scripts = Script.objects.select_related("live_version").order_by("moment", "scope_key")
    return render(request, "scripts_library/library.html", {"scripts": scripts})
