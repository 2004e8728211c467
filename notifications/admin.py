from django.contrib import admin

from .models import EtrPromise, Message, Notice, OptOut, Subscription


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("event", "key", "status", "recipients", "created_at")
    list_filter = ("event", "status")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("channel", "address", "status", "created_at", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("address", "provider_id")
    raw_id_fields = ("notice", "outage", "customer", "subscription")


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("channel", "address", "source", "at")
    search_fields = ("address",)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("channel", "address", "postal_code", "status", "created_at")
    search_fields = ("address", "postal_code")


@admin.register(EtrPromise)
class EtrPromiseAdmin(admin.ModelAdmin):
    list_display = ("customer", "outage", "etr", "told_at", "apologised_at")
    raw_id_fields = ("customer", "outage")
