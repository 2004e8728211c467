from django.contrib import admin

from .models import AgentDaySummary, LookupHourSummary, OutageSummary

for model in (OutageSummary, AgentDaySummary, LookupHourSummary):
    admin.site.register(model)
