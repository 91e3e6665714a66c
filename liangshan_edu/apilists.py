"""Cheap read-only API lists: rows read with ``values_list`` instead of model instances, and conditional, cached
responses from the data version (``liangshan_edu.dataversion``).

``LeanListMixin`` serialises a list page straight from the database's values. It reads the field list, sources
and conversions from the view's own DRF serializer, so the JSON is the same as the serializer's (a test pins it)
and follows any change of the serializer; a serializer with a field it cannot read that way (a method field, a
nested serializer, a many-to-many) is used as it is.

``ConditionalListMixin`` gives each list response an ETag and a Last-Modified from the versions of the data it
shows (``data_topics``), answers 304 when the client's copy is current, and keeps the rendered JSON in Django's
cache. Both the ETag and the cache key include the user's scope (``scope_of``), the language, the full URL and
the media type: one user's list is never served to a user who may see other rows.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import cache as memoize

from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.encoding import force_str
from django.utils.http import http_date
from django.utils.translation import get_language
from rest_framework import relations, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings

from liangshan_edu import dataversion
from liangshan_edu.roles import can_read_all, county_of

logger = logging.getLogger(__name__)

# ── lean serialisation ───────────────────────────────────────────────────────────────────────────────────────

Column = tuple[str, str, Callable | None]  # (JSON name, values() lookup, conversion of a non-null value or None)


def _model_field(model: type[models.Model], parts: list[str]) -> tuple[models.Field, bool] | None:
    """The concrete field at the end of a dotted source, and whether a nullable relation lies on the way."""
    nullable_path = False
    for n, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if n == len(parts) - 1:
            return (None, nullable_path) if field.is_relation else (field, nullable_path)
        if not (field.many_to_one or field.one_to_one) or field.remote_field is None:
            return None
        nullable_path = nullable_path or field.null
        model = field.related_model
    return None


def _identity_safe(field: serializers.Field, model_field: models.Field) -> bool:
    """Whether the field's ``to_representation`` leaves a value read from ``model_field`` as it is."""
    if isinstance(field, serializers.ChoiceField):
        return False
    if isinstance(field, serializers.CharField):
        return isinstance(model_field, (models.CharField, models.TextField))
    if isinstance(field, serializers.BooleanField):
        return isinstance(model_field, models.BooleanField)
    if isinstance(field, serializers.IntegerField):
        return isinstance(model_field, models.IntegerField)
    if isinstance(field, serializers.DecimalField):
        # Not a string, not localised, and the database already holds these decimal places: quantizing is a no-op.
        coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        return (not coerce and not field.localize and not field.normalize_output
                and isinstance(model_field, models.DecimalField) and field.decimal_places == model_field.decimal_places)
    return False


def _display(model_field: models.Field) -> Callable:
    """``get_<field>_display`` of Django, on a value: the choice's label in the active language."""
    def label(value):
        return force_str(dict(model_field.flatchoices).get(value, value), strings_only=True)
    return label


def _column(model: type[models.Model], name: str, field: serializers.Field) -> Column | None:
    if isinstance(field, (serializers.BaseSerializer, serializers.SerializerMethodField, relations.ManyRelatedField,
                          serializers.HiddenField)) or field.source == "*":
        return None
    parts = field.source.split(".")
    if isinstance(field, relations.RelatedField):
        if not isinstance(field, relations.SlugRelatedField):
            return None
        parts = [*parts, field.slug_field]
    display = parts[-1].startswith("get_") and parts[-1].endswith("_display")
    if display:
        parts[-1] = parts[-1][len("get_"):-len("_display")]
    found = _model_field(model, parts)
    if found is None or found[0] is None:
        return None
    model_field, nullable_path = found
    if nullable_path and not field.allow_null and not isinstance(field, relations.RelatedField):
        return None  # DRF would leave the key out for a missing related object; values() cannot tell
    lookup = "__".join(parts)
    if display:
        if not model_field.choices or not isinstance(field, serializers.CharField):
            return None
        return name, lookup, _display(model_field)
    if isinstance(field, relations.SlugRelatedField):
        return name, lookup, None if isinstance(model_field, (models.CharField, models.TextField)) else str
    return name, lookup, None if _identity_safe(field, model_field) else field.to_representation


@memoize
def columns_of(serializer_class: type[serializers.ModelSerializer]) -> tuple[Column, ...] | None:
    """How to read each output field of a model serializer with ``values_list``; None when one cannot be."""
    serializer = serializer_class()
    model = serializer.Meta.model
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        column = _column(model, name, field)
        if column is None:
            return None
        columns.append(column)
    return tuple(columns)


def lean_rows(rows, columns: tuple[Column, ...]) -> list[dict]:
    """Tuples from ``values_list`` as the serializer would give them: its field names, in its order."""
    names = [name for name, _lookup, _convert in columns]
    converters = [(i, convert) for i, (_name, _lookup, convert) in enumerate(columns) if convert is not None]
    result = []
    for row in rows:
        if converters:
            row = list(row)
            for i, convert in converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
        result.append(dict(zip(names, row)))
    return result


class LeanListMixin:
    """A list view whose page is read with ``values_list`` and shaped by its serializer's fields: one count and
    one select, no model instances, no per-field attribute lookups."""

    def list(self, request, *args, **kwargs):
        columns = columns_of(self.get_serializer_class())
        if columns is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset()).values_list(*(lookup for _n, lookup, _c in columns))
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(lean_rows(page, columns))
        return Response(lean_rows(queryset, columns))


# ── conditional, cached responses ────────────────────────────────────────────────────────────────────────────


def scope_of(user) -> str:
    """Everything the rows a user may see depend on, as a key: readers of every county see the same rows
    (``can_read_all``), a clerk those of their county (``county_of``) — the inputs of ``scoped_to`` and
    ``visible_to``."""
    if can_read_all(user):
        return "all"
    county = county_of(user)
    return f"county:{county.code}" if county is not None else "none"


VALIDATOR_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary")


class ConditionalListMixin:
    """ETag / Last-Modified from the data version, 304 for a current copy, and the rendered list cached.

    ``data_topics``: the kinds of data (``liangshan_edu.dataversion``) the list shows.
    """

    data_topics: tuple[str, ...] = ()
    cache_prefix = "apilist:"

    def _validators(self, request) -> tuple[str, str, int] | None:
        """(cache key, ETag, Last-Modified) of this request's list, or None when the cache does not answer."""
        try:
            tokens = dataversion.versions(self.data_topics)
        except Exception:  # the cache is down: answer without validators rather than fail
            logger.warning("data version unavailable; list served without ETag", exc_info=True)
            return None
        material = "\n".join([
            *(f"{topic}={tokens[topic]}" for topic in sorted(tokens)),
            f"scope={scope_of(request.user)}",
            f"language={get_language()}",
            f"media={request.accepted_media_type}",
            f"url={request.build_absolute_uri()}",
        ])
        digest = hashlib.sha256(material.encode()).hexdigest()
        last_modified = int(max(dataversion.changed_at(token) for token in tokens.values()))
        return self.cache_prefix + digest, f'"{digest[:40]}"', last_modified

    def list(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.accepted_renderer.format != "json" or not self.data_topics:
            return super().list(request, *args, **kwargs)
        validators = self._validators(request)
        if validators is None:
            return super().list(request, *args, **kwargs)
        key, etag, last_modified = validators
        headers = HttpResponse()
        headers["ETag"] = etag
        headers["Last-Modified"] = http_date(last_modified)
        # Each user's own copy only (no shared proxy), and asked for again every time (the ETag makes it cheap).
        headers["Cache-Control"] = "private, no-cache"
        patch_vary_headers(headers, ["Accept", "Accept-Language", "Authorization", "Cookie"])
        conditional = get_conditional_response(request, etag=etag, last_modified=last_modified, response=headers)
        if conditional is not headers:
            return conditional  # 304 Not Modified (or 412), with the validators copied over

        try:
            cached = cache.get(key)
        except Exception:
            logger.warning("cache unavailable; list rendered without it", exc_info=True)
            cached = None
        if cached is None:
            response = super().list(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            renderer = request.accepted_renderer
            content = renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            content_type = f"{renderer.media_type}; charset={renderer.charset}" if renderer.charset \
                else renderer.media_type
            cached = (content_type, content)
            try:
                cache.set(key, cached, timeout=dataversion.ttl())
            except Exception:
                logger.warning("cache unavailable; list not cached", exc_info=True)
        content_type, content = cached
        response = HttpResponse(content, content_type=content_type)
        for name in VALIDATOR_HEADERS:
            response[name] = headers[name]
        return response
