"""Fan-out: the message rows of one event, written by one ``INSERT ... SELECT`` whatever the
count. The same SQL runs on PostgreSQL and SQLite.

Each audience is a SELECT of ``(customer_id, subscription_id, channel, address)``; the insert
around it adds, in the same statement:

- opt-outs: the row is written as ``opted_out`` (so the supervisor sees the count), never sent;
- quiet hours: SMS rows get ``not_before`` = the end of quiet hours when the event happens
  inside them;
- the daily cap: an address that already had ``cap`` messages about this outage today gets no
  row (events in ``rules.CAP_EXEMPT`` are not capped);
- duplicates: ``ON CONFLICT DO NOTHING`` on (notice, channel, address): a customer who is also a
  subscriber, or an event fanned out twice, still gets one message.
"""

from django.db import connection

from outages.models import Customer, Outage

from . import rules
from .models import EtrPromise, Message, Notice, OptOut, Subscription


def _dt(value):
    """A datetime as the database backend stores it (raw SQL parameters)."""
    return connection.ops.adapt_datetimefield_value(value)


def _tables():
    return {
        "message": Message._meta.db_table,
        "notice": Notice._meta.db_table,
        "optout": OptOut._meta.db_table,
        "subscription": Subscription._meta.db_table,
        "customer": Customer._meta.db_table,
        "outage_areas": Outage.areas.through._meta.db_table,
    }


def outage_audience(*, outage, channels, exclude_notice_ids=()):
    """Customers with service in the outage's areas, on the channels they have, and the
    confirmed subscribers of those areas. ``(sql, params)``."""
    t = _tables()
    if outage.all_areas:
        customer_area, subscription_area, area_params = "1 = 1", "1 = 1", []
    else:
        areas = f"(SELECT servicearea_id FROM {t['outage_areas']} WHERE outage_id = %s)"
        customer_area = f"c.area_id IN {areas}"
        subscription_area = f"s.area_id IN {areas}"
        area_params = [outage.pk]
    parts, params = [], []
    if rules.SMS in channels:
        parts.append(
            f"SELECT c.id AS customer_id, CAST(NULL AS BIGINT) AS subscription_id,"
            f" 'sms' AS channel,"
            f" c.phone AS address FROM {t['customer']} c"
            f" WHERE {customer_area} AND c.status = 'active' AND c.phone <> ''"
        )
        params += area_params
    if rules.EMAIL in channels:
        parts.append(
            f"SELECT c.id, CAST(NULL AS BIGINT), 'email', c.email FROM {t['customer']} c"
            f" WHERE {customer_area} AND c.status = 'active' AND c.email <> ''"
        )
        params += area_params
    parts.append(
        f"SELECT CAST(NULL AS BIGINT), s.id, s.channel, s.address FROM {t['subscription']} s"
        f" WHERE {subscription_area} AND s.status = 'confirmed' AND s.channel IN"
        f" ({', '.join(['%s'] * len(channels))})"
    )
    params += area_params + list(channels)
    sql = " UNION ALL ".join(parts)
    if exclude_notice_ids:
        marks = ", ".join(["%s"] * len(exclude_notice_ids))
        sql = (
            f"SELECT * FROM ({sql}) aud WHERE NOT EXISTS (SELECT 1 FROM {t['message']} x"
            f" WHERE x.notice_id IN ({marks}) AND x.channel = aud.channel"
            f" AND x.address = aud.address)"
        )
        params += list(exclude_notice_ids)
    return sql, params


def promise_audience(*, outage_id, promised_etr, channels):
    """The customers who were told ``promised_etr`` for this outage and not yet apologised to."""
    t = _tables()
    promise = EtrPromise._meta.db_table
    parts, params = [], []
    for channel, column in ((rules.SMS, "phone"), (rules.EMAIL, "email")):
        if channel in channels:
            parts.append(
                f"SELECT c.id AS customer_id, CAST(NULL AS BIGINT) AS subscription_id,"
                f" '{channel}' AS channel,"
                f" c.{column} AS address FROM {promise} p JOIN {t['customer']} c"
                f" ON c.id = p.customer_id WHERE p.outage_id = %s AND p.etr = %s"
                f" AND p.apologised_at IS NULL AND c.{column} <> ''"
            )
            params += [outage_id, _dt(promised_etr)]
    return " UNION ALL ".join(parts), params


def callback_audience(*, callback, channels):
    """The callback's phone, and its customer's email when the directory has one."""
    rows = []
    if rules.SMS in channels and callback.phone:
        rows.append((callback.customer_id, rules.SMS, callback.phone))
    email = getattr(callback.customer, "email", "") if callback.customer_id else ""
    if rules.EMAIL in channels and email:
        rows.append((callback.customer_id, rules.EMAIL, email))
    if not rows:
        return "", []
    selects, params = [], []
    for customer_id, channel, address in rows:
        selects.append(
            "SELECT CAST(%s AS BIGINT) AS customer_id, CAST(NULL AS BIGINT) AS subscription_id,"
            " CAST(%s AS VARCHAR(8)) AS channel, CAST(%s AS VARCHAR(254)) AS address"
        )
        params += [customer_id, channel, address]
    return " UNION ALL ".join(selects), params


def insert_messages(*, notice, audience, now, sms_not_before, cap=None, day_start=None):
    """Write the notice's message rows from ``audience`` in one statement; how many."""
    sql, params = audience
    if not sql:
        return 0
    t = _tables()
    cap_join, cap_where, cap_params = "", "", []
    if cap is not None and notice.outage_id and notice.event not in rules.CAP_EXEMPT:
        cap_join = (
            f" LEFT JOIN (SELECT channel, address, COUNT(*) AS n FROM {t['message']}"
            f" WHERE outage_id = %s AND created_at >= %s AND status NOT IN"
            f" ('cancelled', 'opted_out') GROUP BY channel, address) k"
            f" ON k.channel = a.channel AND k.address = a.address"
        )
        cap_params = [notice.outage_id, _dt(day_start)]
        cap_where = " AND COALESCE(k.n, 0) < %s"
    statement = (
        f"INSERT INTO {t['message']} (notice_id, outage_id, customer_id, subscription_id,"
        f" channel, address, status, priority, not_before, created_at, attempts, provider_id,"
        f" error, subject, body, segments)"
        f" SELECT %s, %s, a.customer_id, a.subscription_id, a.channel, a.address,"
        f" CASE WHEN o.id IS NULL THEN 'queued' ELSE 'opted_out' END, %s,"
        f" CASE WHEN a.channel = 'sms' THEN %s ELSE %s END, %s, 0, '', '', '', '', 0"
        f" FROM ({sql}) a"
        f" LEFT JOIN {t['optout']} o ON o.channel = a.channel AND o.address = a.address"
        f"{cap_join}"
        f" WHERE a.address IS NOT NULL{cap_where}"
        f" ON CONFLICT DO NOTHING"
    )
    values = [
        notice.pk,
        notice.outage_id,
        rules.PRIORITY[notice.event],
        _dt(sms_not_before),
        _dt(now),
        _dt(now),
        *params,
        *cap_params,
    ]
    if cap_where:
        values.append(cap)
    with connection.cursor() as cursor:
        cursor.execute(statement, values)
        return max(cursor.rowcount, 0)


def reach(*, outage=None, area_ids=(), all_areas=False):
    """``{"sms": n, "email": m}``: how many addresses an outage event would reach now (opted
    out addresses left out). One query."""
    t = _tables()
    if outage is not None:
        all_areas = outage.all_areas
        area_ids = list(outage.areas.values_list("pk", flat=True))
    if not all_areas and not area_ids:
        return {rules.SMS: 0, rules.EMAIL: 0}
    if all_areas:
        condition, params = "1 = 1", []
    else:
        marks = ", ".join(["%s"] * len(area_ids))
        condition, params = f"area_id IN ({marks})", list(area_ids)
    sql = (
        f"SELECT channel, COUNT(DISTINCT address) FROM ("
        f" SELECT 'sms' AS channel, phone AS address FROM {t['customer']}"
        f"  WHERE {condition} AND status = 'active' AND phone <> ''"
        f" UNION ALL SELECT 'email', email FROM {t['customer']}"
        f"  WHERE {condition} AND status = 'active' AND email <> ''"
        f" UNION ALL SELECT channel, address FROM {t['subscription']}"
        f"  WHERE {condition} AND status = 'confirmed') a"
        f" WHERE NOT EXISTS (SELECT 1 FROM {t['optout']} o"
        f"  WHERE o.channel = a.channel AND o.address = a.address)"
        f" GROUP BY channel"
    )
    counts = {rules.SMS: 0, rules.EMAIL: 0}
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 3)
        for channel, count in cursor.fetchall():
            counts[channel] = count
    return counts
