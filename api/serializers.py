"""What the API takes and answers: DRF serializers, which are also the OpenAPI schema."""

from datetime import UTC

from rest_framework import serializers

from callbacks import categories, policy
from callbacks.models import Letter


def UtcDateTime(**kwargs):  # noqa: N802 - reads as a field class
    """Times in answers are UTC ("...Z"), whatever the zone the console shows."""
    return serializers.DateTimeField(default_timezone=UTC, **kwargs)


class ProblemSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Invalid requests only: the messages for each field.",
    )


class IvrStatusQuerySerializer(serializers.Serializer):
    ani = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="The calling number."
    )
    account_number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=12)

    def validate(self, data):
        if not any(data.get(k) for k in ("ani", "account_number", "postal_code")):
            raise serializers.ValidationError("Give ani, account_number or postal_code.")
        return data


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()


class IvrOutageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=["investigating", "identified", "monitoring"])
    kind = serializers.CharField()
    etr = UtcDateTime(allow_null=True, help_text="Estimated restoration, UTC.")
    etr_in_words = serializers.CharField(help_text="'today at 6:30 PM'; empty when unknown.")


class OpenCallbackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=list(policy.STATUS_LABELS))
    expected_by = UtcDateTime(allow_null=True)
    expected_in_words = serializers.CharField()


class IvrStatusSerializer(serializers.Serializer):
    matched_by = serializers.ChoiceField(choices=["account", "ani", "postal_code", "none"])
    area = AreaSerializer(allow_null=True)
    outage_covers_area = serializers.BooleanField()
    outage = IvrOutageSerializer(allow_null=True)
    announce = serializers.BooleanField(help_text="Whether to play the announcement.")
    announcement = serializers.CharField(help_text="What to say; empty when nothing to announce.")
    offers_callback = serializers.BooleanField()
    open_callback = OpenCallbackSerializer(allow_null=True)


class IvrCallbackRequestSerializer(serializers.Serializer):
    ani = serializers.CharField(max_length=32, help_text="The calling number.")
    callback_number = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="If not the calling number."
    )
    account_number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=12)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)


class CrmCallbackRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=200)
    account_number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=12)
    outage_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**62,
        help_text="Leave out: the outage covering the customer's area, if any.",
    )


class IvrCallbackSerializer(serializers.Serializer):
    callback_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=list(policy.STATUS_LABELS))
    merged = serializers.BooleanField(help_text="True: added to the caller's open request.")
    outage_id = serializers.IntegerField(allow_null=True)
    expected_by = UtcDateTime(allow_null=True)
    expected_in_words = serializers.CharField()
    confirmation = serializers.CharField(help_text="Read this back to the caller.")


class CursorQuerySerializer(serializers.Serializer):
    cursor = serializers.IntegerField(required=False, min_value=0, max_value=2**62, default=0)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=200)


class CallLogSerializer(serializers.Serializer):
    """One outbound call: the same row as the CSV export."""

    attempt_id = serializers.IntegerField(source="pk")
    attempted_at = UtcDateTime(source="at")
    agent = serializers.CharField(source="agent.username")
    agent_name = serializers.SerializerMethodField()
    callback_id = serializers.IntegerField(source="callback.pk")
    account_number = serializers.CharField(source="callback.account_number")
    customer_name = serializers.CharField(source="callback.name")
    phone = serializers.CharField(source="callback.phone")
    outage = serializers.SerializerMethodField()
    attempt_number = serializers.IntegerField(source="number")
    outcome = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    subcategory = serializers.SerializerMethodField()
    subject = serializers.CharField()
    notes = serializers.CharField()
    channel = serializers.CharField(source="callback.channel")

    def get_agent_name(self, attempt) -> str:
        return attempt.agent.get_full_name()

    def get_outage(self, attempt) -> str:
        return attempt.callback.outage.title if attempt.callback.outage else ""

    def get_outcome(self, attempt) -> str:
        return policy.OUTCOME_LABELS.get(attempt.outcome, attempt.outcome)

    def get_category(self, attempt) -> str:
        return categories.category_label(attempt.category)

    def get_subcategory(self, attempt) -> str:
        return categories.subcategory_label(attempt.subcategory)


class CallLogPageSerializer(serializers.Serializer):
    results = CallLogSerializer(many=True)
    next_cursor = serializers.IntegerField(help_text="Pass it as cursor for the next page.")


class LetterQuerySerializer(CursorQuerySerializer):
    status = serializers.ChoiceField(
        choices=list(Letter.Status.values), required=False, default=Letter.Status.TO_SEND
    )


class LetterSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    callback_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=list(Letter.Status.values))
    name = serializers.CharField()
    address = serializers.CharField()
    postal_code = serializers.CharField()
    account_number = serializers.CharField(source="callback.account_number")
    produced_at = UtcDateTime()
    sent_at = UtcDateTime(allow_null=True)


class LetterPageSerializer(serializers.Serializer):
    results = LetterSerializer(many=True)
    next_cursor = serializers.IntegerField()


class CallbackQuerySerializer(CursorQuerySerializer):
    status = serializers.MultipleChoiceField(
        choices=list(policy.STATUS_LABELS), required=False, help_text="Repeat for several."
    )
    channel = serializers.ChoiceField(
        choices=list(policy.CHANNEL_LABELS), required=False, allow_blank=True
    )


class CallbackSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    outage_id = serializers.IntegerField(allow_null=True)
    account_number = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    call_reason = serializers.CharField()
    channel = serializers.ChoiceField(choices=list(policy.CHANNEL_LABELS))
    status = serializers.ChoiceField(choices=list(policy.STATUS_LABELS))
    due_at = UtcDateTime(allow_null=True)
    attempts = serializers.IntegerField()
    created_at = UtcDateTime()
    closed_at = UtcDateTime(allow_null=True)


class CallbackPageSerializer(serializers.Serializer):
    results = CallbackSerializer(many=True)
    next_cursor = serializers.IntegerField()
