"""Observers: their accounts, the Observer group, organization and assigned stations.

Natural key: the username. A new observer gets an account with no usable
password and an invitation by mail to set one (``services.observer_invite``);
no password is ever read from or written to a file. Staff accounts are never
touched by an import.
"""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import services
from ..models import Observer, ObserverKind, Organization, PollingStation
from ..roles import ROLE_PERMISSIONS
from ..sms.phones import normalize_phone
from .base import BATCH_SIZE, Column, Importer, Item, Refusal, update_rows

OBSERVER_GROUP = "Observer"
USER_FIELDS = ["email", "first_name", "last_name"]
OBSERVER_FIELDS = ["organization_id", "kind", "accreditation_number", "phone"]
STATION_SEPARATORS = re.compile(r"[;,\s]+")
USERNAME_PATTERN = r"[\w.@+-]+"

assert OBSERVER_GROUP in ROLE_PERMISSIONS


class ObserverImporter(Importer):
    kind = "observers"
    model = Observer
    key_column = "username"
    columns = [
        Column("username", True, gettext_lazy("Login name: letters, digits and @ . + - _"), "a.nurlanova"),
        Column("kind", True, gettext_lazy("independent, party, international or journalist."), "independent"),
        Column("email", False, gettext_lazy("Where the invitation to set a password is sent."), "a.n@example.org"),
        Column("first_name", False, gettext_lazy("First name."), "Aigerim"),
        Column("last_name", False, gettext_lazy("Last name."), "Nurlanova"),
        Column("organization", False, gettext_lazy("Name of the observer's organization (already imported)."), ""),
        Column("accreditation_number", False, gettext_lazy("Accreditation number."), "ACC-000123"),
        Column("phone", False, gettext_lazy("Phone number."), "+7 701 555 0123"),
        Column(
            "stations",
            False,
            gettext_lazy("Numbers of the assigned polling stations of the chosen election, separated by ';'."),
            "75-001; 75-002",
        ),
    ]

    def __init__(self, *, invite=True, base_url=None, **options):
        super().__init__(**options)
        self.invite = invite
        self.base_url = base_url

    @classmethod
    def required_permissions(cls):
        return [*super().required_permissions(), "auth.add_user", "auth.change_user"]

    def prepare(self, header):
        self.sync_stations = "stations" in header and self.election is not None
        self.organization_ids = dict(Organization.objects.values_list("name", "pk"))
        self.group = Group.objects.get(name=OBSERVER_GROUP)
        self.emails = {}  # lower-cased email -> username, within the file
        self.invited = 0
        self.without_email = 0

    def parse(self, cells):
        username = cells.matching(
            "username",
            USERNAME_PATTERN,
            _("Use letters, digits and @ . + - _ only."),
            required=True,
            max_length=150,
        )
        email = cells.text("email", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                cells.refuse("email", _("Not an e-mail address."))
            else:
                other = self.emails.setdefault(email.lower(), username)
                if other != username:
                    cells.refuse("email", _("The same e-mail address is given to %(username)s.") % {"username": other})
        organization = cells.text("organization")
        organization_id = self.organization_ids.get(organization)
        if organization and organization_id is None:
            cells.refuse("organization", _("Unknown organization %(name)s.") % {"name": organization})
        stations = [number for number in STATION_SEPARATORS.split(cells.raw("stations")) if number]
        if stations and self.election is None:
            cells.refuse("stations", _("Choose the election whose polling stations these are."))
        user_values = {
            "username": username,
            "email": email,
            "first_name": cells.text("first_name", max_length=150),
            "last_name": cells.text("last_name", max_length=150),
        }
        observer_values = {
            "organization_id": organization_id,
            "kind": cells.choice("kind", ObserverKind, required=True),
            "accreditation_number": cells.text("accreditation_number", max_length=64),
            "phone": self.phone(cells),
        }
        return Item(
            line=cells.line,
            key=username,
            values=observer_values,
            extra={"user": user_values, "stations": stations},
        )

    def phone(self, cells):
        """The number in E.164 form (the form an SMS comes from), refused if it is none."""
        raw = cells.text("phone", max_length=32)
        if not raw:
            return ""
        normalized = normalize_phone(raw)
        if normalized is None:
            cells.refuse("phone", _("%(value)s is not a phone number.") % {"value": raw})
        return normalized

    def flush(self, items, report, *, write):
        User = get_user_model()
        usernames = [item.key for item in items]
        users = {user.username: user for user in User.objects.filter(username__in=usernames)}
        observers = {observer.user_id: observer for observer in Observer.objects.filter(user__in=users.values())}
        in_group = set(
            User.groups.through.objects.filter(user__in=users.values(), group=self.group).values_list(
                "user_id", flat=True
            )
        )
        emails = [item.extra["user"]["email"].lower() for item in items if item.extra["user"]["email"]]
        email_owners = dict(
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .values_list("email_lower", "username")
        )
        station_ids, assigned = {}, {}
        if self.sync_stations:
            numbers = {number for item in items for number in item.extra["stations"]}
            station_ids = dict(
                PollingStation.objects.filter(election=self.election, number__in=numbers).values_list("number", "pk")
            )
            for observer_id, station_id in Observer.assigned_stations.through.objects.filter(
                observer__in=observers.values(), pollingstation__election=self.election
            ).values_list("observer_id", "pollingstation_id"):
                assigned.setdefault(observer_id, set()).add(station_id)

        new, changed_users, changed_observers, links_add, links_remove, joins = [], [], [], [], [], []
        to_invite = []
        for item in items:
            user = users.get(item.key)
            problems = self.problems(item, user, observers, email_owners, station_ids)
            if problems:
                report.refuse(problems)
                continue
            wanted_stations = {station_ids[number] for number in item.extra["stations"]}
            if user is None:
                new.append(item)
                continue
            observer = observers[user.pk]
            changed = False
            user_diff = {name for name in USER_FIELDS if getattr(user, name) != item.extra["user"][name]}
            if user_diff:
                if "email" in user_diff and user.last_login is None and item.extra["user"]["email"]:
                    to_invite.append(user)  # never logged in: the invitation goes to the new address
                for name in user_diff:
                    setattr(user, name, item.extra["user"][name])
                changed_users.append(user)
                changed = True
            observer_diff = {name for name in OBSERVER_FIELDS if getattr(observer, name) != item.values[name]}
            if observer_diff:
                for name in observer_diff:
                    setattr(observer, name, item.values[name])
                changed_observers.append(observer)
                changed = True
            if user.pk not in in_group:
                joins.append(User.groups.through(user_id=user.pk, group_id=self.group.pk))
                changed = True
            if self.sync_stations:
                current = assigned.get(observer.pk, set())
                links_add.extend((observer.pk, station_id) for station_id in wanted_stations - current)
                links_remove.extend((observer.pk, station_id) for station_id in current - wanted_stations)
                changed = changed or current != wanted_stations
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
        report.created += len(new)
        if self.invite:
            self.invited += sum(1 for item in new if item.extra["user"]["email"]) + len(to_invite)
            self.without_email += sum(1 for item in new if not item.extra["user"]["email"])
        if not write:
            return

        created_users = []
        for item in new:
            user = User(**item.extra["user"])
            user.set_unusable_password()
            created_users.append(user)
        User.objects.bulk_create(created_users, batch_size=BATCH_SIZE)
        created_observers = [
            Observer(user_id=user.pk, **item.values) for user, item in zip(created_users, new, strict=True)
        ]
        Observer.objects.bulk_create(created_observers, batch_size=BATCH_SIZE)
        joins.extend(User.groups.through(user_id=user.pk, group_id=self.group.pk) for user in created_users)
        User.groups.through.objects.bulk_create(joins, batch_size=BATCH_SIZE)
        if self.sync_stations:
            links_add.extend(
                (observer.pk, station_ids[number])
                for observer, item in zip(created_observers, new, strict=True)
                for number in item.extra["stations"]
            )
        update_rows(User, changed_users, USER_FIELDS)
        update_rows(Observer, changed_observers, OBSERVER_FIELDS)
        Link = Observer.assigned_stations.through
        Link.objects.bulk_create(
            [Link(observer_id=observer_id, pollingstation_id=station_id) for observer_id, station_id in set(links_add)],
            batch_size=BATCH_SIZE,
        )
        for observer_id, station_id in links_remove:
            Link.objects.filter(observer_id=observer_id, pollingstation_id=station_id).delete()
        if self.invite:
            for user in [*created_users, *to_invite]:
                if user.email:
                    services.observer_invite(user=user, base_url=self.base_url)

    def problems(self, item, user, observers, email_owners, station_ids):
        line, problems = item.line, []
        if user is not None and (user.is_staff or user.is_superuser):
            problems.append(Refusal(line, "username", _("This is a staff account; imports change observers only.")))
        elif user is not None and user.pk not in observers:
            problems.append(
                Refusal(line, "username", _("An account with this username exists and is not an observer."))
            )
        email = item.extra["user"]["email"].lower()
        owner = email_owners.get(email)
        if email and owner and owner != item.key:
            problems.append(Refusal(line, "email", _("This e-mail address belongs to another account.")))
        unknown = [number for number in item.extra["stations"] if self.sync_stations and number not in station_ids]
        if unknown:
            problems.append(
                Refusal(
                    line,
                    "stations",
                    _("Unknown polling station numbers in this election: %(numbers)s.")
                    % {"numbers": ", ".join(unknown)},
                )
            )
        return problems

    def finish(self, report, *, write):
        if self.invited:
            report.notes.append(_("Invitations to set a password by mail: %(count)d.") % {"count": self.invited})
        if self.without_email:
            report.notes.append(
                _("New observers without an e-mail address, who get no invitation: %(count)d.")
                % {"count": self.without_email}
            )

    def export_rows(self):
        observers = Observer.objects.select_related("user", "organization").order_by("user__username")
        if self.election is not None:
            stations = PollingStation.objects.filter(election=self.election).order_by("number")
            observers = observers.prefetch_related(Prefetch("assigned_stations", queryset=stations))
        for observer in observers.iterator(chunk_size=BATCH_SIZE):
            numbers = [station.number for station in observer.assigned_stations.all()] if self.election else []
            yield [
                observer.user.username,
                observer.kind,
                observer.user.email,
                observer.user.first_name,
                observer.user.last_name,
                observer.organization.name if observer.organization else "",
                observer.accreditation_number,
                observer.phone,
                "; ".join(numbers),
            ]
