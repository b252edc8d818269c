from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment-file"),
]
