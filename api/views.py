"""The versioned JSON API (``/api/v1/``): thin DRF views that validate with a serializer,
call one selector or service, and answer with a serializer. The schema comes from the same
serializers (drf-spectacular)."""

from django.contrib.auth.decorators import login_not_required
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from callbacks.models import Letter
from core.errors import ServiceError
from outages.normalise import InvalidPhone

from . import ivr, keys, selectors, serializers, services
from .authentication import HasScope


class _Scoped(HasScope):
    scope = None

    def has_permission(self, request, view):
        view.required_scope = self.scope
        return super().has_permission(request, view)


def scope_required(name):
    return permission_classes([type(f"Has{name.title()}Scope", (_Scoped,), {"scope": name})])


PROBLEMS = {
    400: OpenApiResponse(serializers.ProblemSerializer, description="Invalid request."),
    401: OpenApiResponse(serializers.ProblemSerializer, description="No key, or revoked."),
    403: OpenApiResponse(serializers.ProblemSerializer, description="Key lacks the scope."),
    429: OpenApiResponse(serializers.ProblemSerializer, description="Too many requests."),
}


def _problem(message, status):
    return Response({"detail": message}, status=status)


@extend_schema(
    operation_id="ivr_status",
    summary="What the IVR says to a caller",
    parameters=[serializers.IvrStatusQuerySerializer],
    responses={200: serializers.IvrStatusSerializer, **PROBLEMS},
    tags=["IVR"],
)
@login_not_required
@api_view(["GET"])
@scope_required(keys.IVR)
def ivr_status(request):
    """Place the caller by account number, calling number (ANI) or postal code, and say
    whether an outage covers their area, what to announce, the ETR, whether to offer a
    callback and whether they already have one. Never returns the customer's name or
    address."""
    query = serializers.IvrStatusQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    now = timezone.now()
    try:
        caller = selectors.caller_identify(**query.validated_data)
    except InvalidPhone as exc:
        return _problem(str(exc), http.HTTP_400_BAD_REQUEST)
    area = selectors.area_status(caller.area, now=now)
    callback = selectors.open_callback_for_phone(caller.phone, outage_id=area.outage_id)
    return Response(
        ivr.status_answer(matched_by=caller.matched_by, area=area, callback=callback, now=now)
    )


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID): a retry with the same key files once and gets "
    "the first answer again.",
)


def _filing_response(request, *, endpoint, body, file):
    """Answer a filing: ``file()`` runs once per Idempotency-Key (a retry replays it)."""
    now = timezone.now()

    def produce():
        try:
            result = file(now)
        except InvalidPhone as exc:
            return http.HTTP_400_BAD_REQUEST, {"detail": str(exc)}
        except services.CallbacksNotOffered as exc:
            return http.HTTP_409_CONFLICT, {"detail": exc.message}
        except ServiceError as exc:
            return http.HTTP_400_BAD_REQUEST, {"detail": exc.message}
        answer = serializers.IvrCallbackSerializer(result).data
        return (http.HTTP_200_OK if result["merged"] else http.HTTP_201_CREATED), answer

    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        code, answer = produce()
        return Response(answer, status=code)
    if len(key) > 100:
        return _problem("Idempotency-Key is at most 100 characters.", http.HTTP_400_BAD_REQUEST)
    try:
        code, answer, replayed = services.idempotent_call(
            api_key=request.auth, key=key, endpoint=endpoint, body=body, now=now, produce=produce
        )
    except services.IdempotencyConflict as exc:
        return _problem(exc.message, http.HTTP_409_CONFLICT)
    if replayed and code == http.HTTP_201_CREATED:
        code = http.HTTP_200_OK
    response = Response(answer, status=code)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


FILING_RESPONSES = {
    201: serializers.IvrCallbackSerializer,
    200: OpenApiResponse(
        serializers.IvrCallbackSerializer,
        description="Merged into the caller's open request, or a replay of the first answer.",
    ),
    409: OpenApiResponse(
        serializers.ProblemSerializer,
        description="Callbacks not offered for this outage (IVR switch), or the "
        "Idempotency-Key was used for another request.",
    ),
    **PROBLEMS,
}


@extend_schema(
    operation_id="ivr_callback_request",
    summary="File the callback a caller asked the IVR for",
    parameters=[IDEMPOTENCY_KEY],
    request=serializers.IvrCallbackRequestSerializer,
    responses=FILING_RESPONSES,
    tags=["IVR"],
)
@login_not_required
@api_view(["POST"])
@scope_required(keys.IVR)
def ivr_callbacks(request):
    """The same rules as an agent's callback form: one open callback per phone per outage
    (a second request is added to the first), due within the target after restoration.
    The answer carries the confirmation to read back."""
    body = serializers.IvrCallbackRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    return _filing_response(
        request,
        endpoint="ivr_callbacks",
        body=data,
        file=lambda now: services.ivr_callback_request(api_key=request.auth, now=now, **data),
    )


def _page(rows, serializer, *, cursor):
    return {
        "results": serializer(rows, many=True).data,
        "next_cursor": rows[-1].pk if rows else cursor,
    }


@extend_schema(
    operation_id="crm_call_logs",
    summary="Call logs since a cursor",
    parameters=[serializers.CursorQuerySerializer],
    responses={200: serializers.CallLogPageSerializer, **PROBLEMS},
    tags=["CRM"],
)
@login_not_required
@api_view(["GET"])
@scope_required(keys.CRM)
def crm_call_logs(request):
    """Every outbound call attempt after ``cursor`` (an attempt id), oldest first: the rows of
    the CSV export. Keep ``next_cursor`` and pass it next time."""
    query = serializers.CursorQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    rows = selectors.call_logs_after(**query.validated_data)
    page = _page(rows, serializers.CallLogSerializer, cursor=query.validated_data["cursor"])
    return Response(page)


@extend_schema(
    operation_id="crm_letters",
    summary="No-contact letters by status",
    parameters=[serializers.LetterQuerySerializer],
    responses={200: serializers.LetterPageSerializer, **PROBLEMS},
    tags=["CRM"],
)
@login_not_required
@api_view(["GET"])
@scope_required(keys.CRM)
def crm_letters(request):
    """Letters to send (``status=to_send``, the default) or sent, after ``cursor``."""
    query = serializers.LetterQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    rows = selectors.letters_by_status(
        status=data.get("status") or Letter.Status.TO_SEND,
        cursor=data["cursor"],
        limit=data["limit"],
    )
    return Response(_page(rows, serializers.LetterSerializer, cursor=data["cursor"]))


@extend_schema(
    methods=["GET"],
    operation_id="crm_callbacks",
    summary="Callbacks by status",
    parameters=[serializers.CallbackQuerySerializer],
    responses={200: serializers.CallbackPageSerializer, **PROBLEMS},
    tags=["CRM"],
)
@extend_schema(
    methods=["POST"],
    operation_id="crm_callback_request",
    summary="File a callback from another system (channel api)",
    parameters=[IDEMPOTENCY_KEY],
    request=serializers.CrmCallbackRequestSerializer,
    responses=FILING_RESPONSES,
    tags=["CRM"],
)
@login_not_required
@api_view(["GET", "POST"])
@scope_required(keys.CRM)
def crm_callbacks(request):
    """GET: callbacks after ``cursor`` (a callback id), optionally of some statuses and one
    channel. POST: file a callback (channel ``api``) by the live-call rules, against the
    outage named or the one covering the customer's area."""
    if request.method == "POST":
        body = serializers.CrmCallbackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return _filing_response(
            request,
            endpoint="crm_callbacks",
            body=data,
            file=lambda now: services.api_callback_request(api_key=request.auth, now=now, **data),
        )
    query = serializers.CallbackQuerySerializer(
        data={
            **request.query_params.dict(),
            "status": request.query_params.getlist("status"),
        }
    )
    query.is_valid(raise_exception=True)
    data = query.validated_data
    rows = selectors.callbacks_by_status(
        statuses=sorted(data.get("status") or []),
        cursor=data["cursor"],
        limit=data["limit"],
        channel=data.get("channel", ""),
    )
    return Response(_page(rows, serializers.CallbackSerializer, cursor=data["cursor"]))
