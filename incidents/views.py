from django.shortcuts import render

from . import selectors


def home(request):
    return render(request, "incidents/home.html", selectors.election_overview(selectors.election_current()))
