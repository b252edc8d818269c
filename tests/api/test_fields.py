"""Serializers whose fields are built once per class (``FieldsBuiltOnce``): each instance has its own."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from incidents.api import report_serializers as shapes
from incidents.api.fields import FieldsBuiltOnce


class Point(FieldsBuiltOnce, serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField([("a", "A"), ("b", "B")])
    tags = serializers.ListField(child=serializers.CharField())


@pytest.mark.parametrize(
    "serializer_class",
    [Point, shapes.ReportCreateSerializer, shapes.DetentionDetailsSerializer, shapes.OwnReportSerializer],
)
def test_each_instance_has_fields_of_its_own_bound_to_it(serializer_class):
    first, second = serializer_class(), serializer_class()
    assert list(first.fields) == list(second.fields)
    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other
        assert field.parent is first and other.parent is second
        assert field.field_name == other.field_name == name
        child = getattr(field, "child", None)
        if child is not None:  # a list's child (a nested serializer's too) belongs to its own list
            assert child is not other.child and child.parent is field and child.root is first


def test_the_fields_are_those_drf_builds():
    """The same fields, of the same classes and settings, as DRF's own build of them."""
    built = shapes.DetentionDetailsSerializer().fields
    fresh = serializers.ModelSerializer.get_fields(shapes.DetentionDetailsSerializer())
    assert list(built) == list(fresh)
    for name, field in built.items():
        assert type(field) is type(fresh[name])
        assert (field.required, field.read_only, field.allow_null) == (
            fresh[name].required,
            fresh[name].read_only,
            fresh[name].allow_null,
        )


def test_validation_and_answers_do_not_leak_between_instances():
    good = Point(data={"name": "x", "kind": "a", "tags": ["t"]})
    bad = Point(data={"name": "", "kind": "c", "tags": "t"})
    assert good.is_valid() and not bad.is_valid()
    assert set(bad.errors) == {"name", "kind", "tags"}
    assert good.validated_data == {"name": "x", "kind": "a", "tags": ["t"]}


def test_a_nested_field_reads_the_context_of_its_own_serializer(settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    one = APIRequestFactory().get("/", HTTP_HOST="one.example")
    two = APIRequestFactory().get("/", HTTP_HOST="two.example")
    attachment = type("Attachment", (), {"pk": 7, "id": 7, "kind": "photo", "content_type": "image/jpeg"})()
    attachment.size, attachment.created_at = 10, None
    first = shapes.OwnAttachmentSerializer([attachment], many=True, context={"request": one}).data
    second = shapes.OwnAttachmentSerializer([attachment], many=True, context={"request": two}).data
    assert first[0]["url"].startswith("http://one.example/") and second[0]["url"].startswith("http://two.example/")
