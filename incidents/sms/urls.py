from django.urls import path

from . import views

urlpatterns = [
    path("card/", views.card, name="sms-card"),
    path("<slug:gateway>/", views.inbound, name="sms-inbound"),
]
