"""The REST API under /api/v1/ (docs/api.md).

Views here are thin: they read through ``selectors``, write through
``services``, ask ``permissions`` who may do what, and shape answers with
the serializers of this package. Public answers are built only from
``incidents.public.shape`` shapes, never from model instances.
"""
