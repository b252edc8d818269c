"""User accounts in the admin: invitations instead of passwords, and no way up.

Every new account gets a one-time link to choose its password; nobody types
or mails one. Coordinators may add and change users, but only within their
own powers: they never see superusers or anyone holding a permission they
lack, never make anyone a superuser, never give a group or permission beyond
their own, and never set someone else's password.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import permissions, services
from ..models import Observer

User = get_user_model()


def permissions_beyond(user):
    """The permissions ``user`` does not hold (none for a superuser)."""
    if user.is_superuser:
        return Permission.objects.none()
    held = user.get_all_permissions()
    beyond = [
        permission.pk
        for permission in Permission.objects.select_related("content_type")
        if f"{permission.content_type.app_label}.{permission.codename}" not in held
    ]
    return Permission.objects.filter(pk__in=beyond)


def groups_within(user):
    """The groups ``user`` may give: every one for a superuser, else those that add no permission."""
    if user.is_superuser:
        return Group.objects.all()
    return Group.objects.exclude(permissions__in=permissions_beyond(user))


def users_within(user):
    """The accounts ``user`` may see and change in the admin."""
    if user.is_superuser:
        return User.objects.all()
    beyond = permissions_beyond(user)
    return User.objects.exclude(is_superuser=True).exclude(
        Q(groups__permissions__in=beyond) | Q(user_permissions__in=beyond)
    )


class InvitationUserCreationForm(forms.ModelForm):
    """A new account without a password: its owner chooses one through the invitation link."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]
        help_texts = {
            "email": _("The invitation, a one-time link to choose a password, is mailed here."),
        }

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class ObserverInline(admin.StackedInline):
    """The observer profile: fill it in to make the account an observer's."""

    model = Observer
    can_delete = False
    max_num = 1
    extra = 1
    fields = ["organization", "kind", "accreditation_number", "phone", "assigned_stations"]
    autocomplete_fields = ["organization", "assigned_stations"]
    verbose_name_plural = _("observer profile (fill in for an observer)")


@admin.action(description=_("Send a new invitation (one-time link to choose a password)"))
def send_invitation(modeladmin, request, queryset):
    sent, links = 0, []
    for user in queryset:
        if user.has_usable_password():
            continue
        link = services.observer_invite(user=user)
        if user.email:
            sent += 1
        else:
            links.append((user, link))
    if sent:
        modeladmin.message_user(
            request,
            ngettext("%(count)d invitation mailed.", "%(count)d invitations mailed.", sent) % {"count": sent},
            messages.SUCCESS,
        )
    for user, link in links:
        modeladmin.message_user(request, invitation_message(user, link), messages.WARNING)
    skipped = queryset.count() - sent - len(links)
    if skipped:
        modeladmin.message_user(
            request,
            _("Accounts that already have a password were left alone; their owners can reset it themselves."),
            messages.INFO,
        )


@admin.action(description=_("Reset the second factor (lost phone: a new app is set up at the next login)"))
def reset_second_factor(modeladmin, request, queryset):
    reset, refused = 0, []
    for user in queryset:
        if not permissions.can_reset_second_factor(request.user, user):
            refused.append(user.get_username())
            continue
        removed = services.second_factor_reset(user=user, actor=request.user, request=request)
        modeladmin.log_change(request, user, [{"changed": {"fields": ["second factor"]}}] if removed else [])
        reset += 1
    if reset:
        modeladmin.message_user(
            request,
            ngettext(
                "The second factor of %(count)d account was reset; its owner sets up a new app at the next login.",
                "The second factors of %(count)d accounts were reset; their owners set up a new app at the next login.",
                reset,
            )
            % {"count": reset},
            messages.SUCCESS,
        )
    if refused:
        modeladmin.message_user(
            request,
            _("You may not reset the second factor of: %(users)s.") % {"users": ", ".join(refused)},
            messages.ERROR,
        )


def invitation_message(user, link):
    return _(
        "%(user)s has no e-mail address. Pass this one-time link to them by a safe means; it lets them choose "
        "a password: %(link)s"
    ) % {"user": user.get_username(), "link": link}


class ObserverUserAdmin(UserAdmin):
    add_form = InvitationUserCreationForm
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "first_name", "last_name", "email"]})]
    inlines = [ObserverInline]
    actions = [send_invitation, reset_second_factor]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]

    limited_fieldsets = [
        (None, {"fields": ["username"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Role"), {"fields": ["is_active", "is_staff", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=users_within(request.user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.limited_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = groups_within(request.user)
        elif db_field.name == "user_permissions" and not request.user.is_superuser:
            kwargs["queryset"] = Permission.objects.exclude(pk__in=permissions_beyond(request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and not request.user.is_superuser:
            return users_within(request.user).filter(pk=obj.pk).exists()
        return allowed

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if allowed and obj is not None and not request.user.is_superuser:
            return users_within(request.user).filter(pk=obj.pk).exists()
        return allowed

    def user_change_password(self, request, id, form_url=""):
        # Passwords are chosen by their owners through an invitation or a reset link.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if any(formset.model is Observer and formset.new_objects for formset in formsets):
            # A new observer profile, on a new account or an existing one.
            link = services.observer_enrol(user=user)
        elif not change:
            link = services.observer_invite(user=user)
        else:
            return
        if link and not user.email:
            self.message_user(request, invitation_message(user, link), messages.WARNING)
        elif link:
            self.message_user(
                request,
                _("An invitation to choose a password was mailed to %(email)s.") % {"email": user.email},
                messages.SUCCESS,
            )


admin.site.unregister(User)
admin.site.register(User, ObserverUserAdmin)
