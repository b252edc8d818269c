"""Input checking shared by the API's write serializers.

``StrictInput`` refuses what DRF would quietly accept: fields the endpoint
does not know (a typo must not be ignored), and in a JSON body values of the
wrong JSON type (``"3"`` for a number, ``1`` for true). Multipart bodies
carry only text, so there values are parsed by the fields as usual.
"""

import copy
import json
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import relations, serializers
from rest_framework.settings import api_settings
from rest_framework.utils import html

JSON_TYPES = [
    (serializers.BooleanField, (bool,), _("Expected true or false.")),
    (serializers.IntegerField, (int,), _("Expected a whole number.")),
    (serializers.FloatField, (int, float), _("Expected a number.")),
    (serializers.DecimalField, (int, float, str), _("Expected a number.")),
    (serializers.MultipleChoiceField, (list,), _("Expected a list.")),
    (serializers.ListField, (list,), _("Expected a list.")),
    (serializers.DictField, (dict,), _("Expected an object.")),
    (serializers.BaseSerializer, (dict,), _("Expected an object.")),
    (serializers.ChoiceField, (str,), _("Expected a text value.")),
    (serializers.CharField, (str,), _("Expected a text value.")),
    (serializers.DateTimeField, (str,), _("Expected a date and time (ISO 8601).")),
    (serializers.DateField, (str,), _("Expected a date (YYYY-MM-DD).")),
    (relations.RelatedField, (str,), _("Expected a text value.")),
]


def wrong_json_type(field, value):
    """The message for ``value`` if it is not of the JSON type ``field`` takes, else None."""
    if value is None:
        return None  # null is the field's own business (allow_null)
    accepted = getattr(field, "json_types", None)
    if accepted is not None:
        return None if isinstance(value, accepted) else field.json_type_message
    for field_class, types, message in JSON_TYPES:
        if isinstance(field, field_class):
            if isinstance(value, bool) and bool not in types:
                return message
            return None if isinstance(value, types) else message
    return None


class FieldsBuiltOnce:
    """A serializer whose fields are built once for its class, then copied for each instance.

    DRF builds a serializer's fields again for every instance: each declared field is
    deep-copied, which runs its ``__init__`` again on deep copies of its arguments (choices
    and their translated labels), and a ModelSerializer reads its model's fields to build
    its own. For one report filed through the API that was a fifth of the time
    (``bench/profile_submit.py``). Here the class builds them once; an instance gets a
    shallow copy of each, which ``bind`` then gives its own name and parent, and a deep copy
    of those holding other fields (a list's child, a nested serializer), whose children
    point back to their own parent. Only for serializers whose fields do not depend on the
    instance, the data or the context.
    """

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built  # each class its own (a subclass has other fields)
        return {name: _copy_field(field) for name, field in built.items()}


def _copy_field(field):
    holds_fields = (
        isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation")
    )
    return copy.deepcopy(field) if holds_fields else copy.copy(field)


class StrictInput(FieldsBuiltOnce, serializers.Serializer):
    """Refuses unknown fields, and values of the wrong type in JSON; see the module docstring."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("Expected an object of fields.")]}, code="invalid"
            )
        writable = {name for name, field in self.fields.items() if not field.read_only}
        errors = {key: [_("Unknown field.")] for key in data if key not in writable}
        if not html.is_html_input(data):
            for name, field in self.fields.items():
                if name in data and name in writable:
                    message = wrong_json_type(field, data[name])
                    if message:
                        errors[name] = [message]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class CoordinateField(serializers.DecimalField):
    """Degrees of WGS 84, rounded to six places (about 10 cm), as the database keeps them."""

    def __init__(self, limit, **kwargs):
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(max_digits=9, decimal_places=6, min_value=-limit, max_value=limit, **kwargs)

    def validate_precision(self, value):
        if value.is_finite() and value.adjusted() < 4:  # huge values are refused by super(), not rounded
            value = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        return super().validate_precision(value)


class JsonObjectField(serializers.Field):
    """An object: in JSON as is, in a multipart body as one part holding JSON text."""

    json_types = (dict,)
    json_type_message = _("Expected an object.")
    default_error_messages = {"invalid": _("Expected an object (in a multipart body: one part of JSON text).")}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value
