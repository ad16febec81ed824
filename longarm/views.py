"""The landing page after login: what the user's role lets them do, with links."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from longarm.geo import subdivision_name


@login_required
def home(request):
    """One card per thing the user's role may use (the same table as the nav: `longarm.access`)."""
    user = request.user
    return render(request, "home.html",
                  {"jurisdiction_name": subdivision_name(user.jurisdiction) if user.jurisdiction else ""})
