"""The permission matrix: every URL name of the portal × every role → the expected outcome.

``tests/security/test_permission_matrix.py`` walks every URL pattern the resolver knows,
fills it with real objects and opens it (GET) as each role. A URL name that is in the
resolver but not in this table fails that test, and so does an entry here that no longer
resolves. Change this table in the same commit as the view whose access it describes.

How to read an entry
--------------------
``MATRIX[url_name]`` is either one expectation (a role → outcome mapping, built with the
helpers below) or, when the outcome depends on whose object is in the URL, a dict of
*cases* → expectation. The test module fills each case with matching objects; e.g.
``"own"`` is the object of the user holding the role that owns such things, ``"other"``
one of somebody outside the matrix (another entrepreneur, another officer...).

The roles are those of ``accounts.roles.Role`` plus the anonymous visitor. Every user in
the walk holds exactly one role. The entrepreneur is a member of two companies (one with
a verified supplier profile, one with a draft) and organises an event; the social
organisation's member posts requests; the procurement officer owns a shortlist and an
inquiry; the directorate contact's directorate has the entrepreneur's question routed to
it. Staff (directorate contact, account manager, coordinator) have an authenticator app,
as the admin requires.

The admin
---------
The standard admin pages of a model (changelist, add, change, delete, history and the
unnamed ``<pk>/`` redirect) follow from one rule per model in ``ADMIN_MODELS``: which
staff roles may view, add and delete. A model registered in the admin without a rule
fails the test. The admin's own and custom pages are listed in ``MATRIX`` by name, and an
entry there for a standard page (e.g. a question routed elsewhere) replaces the rule.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from accounts.roles import Role


class Outcome(enum.Enum):
    OK = "200"
    LOGIN = "login"  # 302 to the portal's login page, with ?next=
    ADMIN_LOGIN = "admin login"  # 302 to the admin's login (which sends on to the portal's)
    REDIRECT = "redirect"  # any other 301/302
    FORBIDDEN = "403"
    NOT_FOUND = "404"
    METHOD = "405"  # a POST-only endpoint opened with GET
    MFA_SETUP = "2fa setup"  # 302 to setting up an authenticator app
    # Outcomes of a POST (see "POST" below).
    REAUTHENTICATE = "reauthenticate"  # 302 to confirming one's password first
    INVALID = "form errors"  # the post reached its form, which answered with errors
    REFUSED = "refused"  # a redirect or page with a warning or error message
    LISTED = "list again"  # an admin list posted without an action it offers
    MAY = "may"  # any of OK, REDIRECT, INVALID: the post was taken up
    NOT_OFFERED = "action not offered"  # the admin's "No action selected."
    RAN = "ran"  # an admin action ran: MAY, or refused by the object's state


OK = Outcome.OK
LOGIN = Outcome.LOGIN
ADMIN_LOGIN = Outcome.ADMIN_LOGIN
REDIRECT = Outcome.REDIRECT
FORBIDDEN = Outcome.FORBIDDEN
NOT_FOUND = Outcome.NOT_FOUND
METHOD = Outcome.METHOD
MFA_SETUP = Outcome.MFA_SETUP
REAUTHENTICATE = Outcome.REAUTHENTICATE
INVALID = Outcome.INVALID
REFUSED = Outcome.REFUSED
LISTED = Outcome.LISTED
MAY = Outcome.MAY
NOT_OFFERED = Outcome.NOT_OFFERED
RAN = Outcome.RAN
# What a POST that the role may send answers: the page again, a redirect on, or its form
# with errors (the walk posts an empty form unless it declares a payload).
TAKEN_UP = frozenset({OK, REDIRECT, INVALID})


def matches(want: Outcome, got: str) -> bool:
    if want is MAY:
        return got in {outcome.value for outcome in TAKEN_UP}
    if want is RAN:  # an action may refuse the object it was given, with a message
        return got in {outcome.value for outcome in (*TAKEN_UP, REFUSED)}
    return got == want.value


ANONYMOUS = "anonymous"
ENTREPRENEUR = Role.ENTREPRENEUR
SOCIAL = Role.SOCIAL_ORGANISATION
OFFICER = Role.PROCUREMENT_OFFICER
CONTACT = Role.DIRECTORATE_CONTACT
ACCOUNT_MANAGER = Role.ACCOUNT_MANAGER
COORDINATOR = Role.COORDINATOR
VIEWER = Role.VIEWER
# A coordinator who has not set up an authenticator app, with two-factor required as in
# production. Outside setting it up (and logging out) the portal treats them as a visitor
# who is not logged in, so by default they get what ``anonymous`` gets, except that a page
# sending a visitor to log in sends them to the setup (``_without_second_factor``).
STAFF_WITHOUT_TOTP = "staff_without_totp"

HOLDERS: tuple[str, ...] = (
    ANONYMOUS,
    ENTREPRENEUR,
    SOCIAL,
    OFFICER,
    CONTACT,
    ACCOUNT_MANAGER,
    COORDINATOR,
    VIEWER,
)
ROLES: tuple[str, ...] = (*HOLDERS, STAFF_WITHOUT_TOTP)
STAFF: tuple[str, ...] = (CONTACT, ACCOUNT_MANAGER, COORDINATOR)
NOT_STAFF: tuple[str, ...] = tuple(role for role in HOLDERS if role not in STAFF)
LOGGED_IN: tuple[str, ...] = HOLDERS[1:]

Expect = Mapping[str, Outcome]


# Helpers --------------------------------------------------------------------------------


def _without_second_factor(anonymous: Outcome) -> Outcome:
    return MFA_SETUP if anonymous in (LOGIN, ADMIN_LOGIN) else anonymous


def _expect(default: Outcome, overrides: Mapping[str, Outcome]) -> Expect:
    unknown = set(overrides) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; use one of {ROLES}")
    expect = {role: overrides.get(role, default) for role in HOLDERS}
    expect[STAFF_WITHOUT_TOTP] = overrides.get(
        STAFF_WITHOUT_TOTP, _without_second_factor(expect[ANONYMOUS])
    )
    return MappingProxyType(expect)


def everyone(outcome: Outcome = OK, **overrides: Outcome) -> Expect:
    """The same for every role, anonymous visitors included (``anonymous=LOGIN`` etc.
    for exceptions, by role value)."""
    return _expect(outcome, overrides)


def public() -> Expect:
    return everyone(OK)


def logged_in(outcome: Outcome = OK, **overrides: Outcome) -> Expect:
    """Anonymous visitors go to the login page; every logged-in role gets ``outcome``."""
    return _expect(outcome, {ANONYMOUS: LOGIN, **overrides})


def only(
    *roles: str, others: Outcome = FORBIDDEN, anonymous: Outcome = LOGIN, allowed: Outcome = OK
) -> Expect:
    """Logged-in holders of ``roles`` get ``allowed`` (the page); other roles ``others``."""
    return _expect(others, {ANONYMOUS: anonymous, **dict.fromkeys(roles, allowed)})


def post_only() -> Expect:
    """A login-required form action: anonymous visitors to the login, everyone else 405."""
    return logged_in(METHOD)


def admin(*roles: str, others: Outcome = FORBIDDEN, allowed: Outcome = OK) -> Expect:
    """An admin page: people without staff status are sent to the admin's login; staff
    holding one of ``roles`` get ``allowed``, other staff ``others``."""
    return _expect(
        others, {**dict.fromkeys(NOT_STAFF, ADMIN_LOGIN), **dict.fromkeys(roles, allowed)}
    )


def with_roles(expect: Expect, **overrides: Outcome) -> Expect:
    """``expect`` with some roles changed."""
    return _expect(OK, {**expect, **overrides})


# The admin, per model -------------------------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    """Which staff roles may see a model in the admin (changelist, change and history
    pages), add to it, change it (post its change form) and delete from it, and which
    may run each of its admin actions (the admin's "delete selected" follows ``delete``).
    Superusers are not in the matrix."""

    view: tuple[str, ...] = ()
    add: tuple[str, ...] = ()
    change: tuple[str, ...] = ()
    delete: tuple[str, ...] = ()
    actions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def expect(self, page: str) -> Expect:
        if page == "object":  # the unnamed <pk>/ redirect: only the staff check applies
            return admin(*STAFF, allowed=REDIRECT)
        roles = {"changelist": self.view, "change": self.view, "history": self.view}.get(page)
        if roles is None:
            roles = {"add": self.add, "delete": self.delete}[page]
        return admin(*roles)

    def post_expect(self, page: str) -> Expect:
        """A POST to a standard page. An empty post to the
        list shows it again; to the add and change forms it answers with errors; to the
        delete page it asks for the confirmation again."""
        if page == "object":
            return admin(*STAFF, allowed=REDIRECT)
        if page == "history":  # Django's page answers a post like a GET
            return self.expect(page)
        if page == "changelist":
            return admin(*self.view, allowed=LISTED)
        roles = {"add": self.add, "change": self.change, "delete": self.delete}[page]
        return admin(*roles, allowed=MAY)

    def all_actions(self) -> dict[str, tuple[str, ...]]:
        return {**self.actions, **({"delete_selected": self.delete} if self.delete else {})}

    def action_expect(self, action: str) -> Expect:
        """Running an action on one object: staff who may, run it; staff who see the list
        but may run other actions get "No action selected"; staff without any action see
        the list again; staff who do not see the list 403."""
        actions = self.all_actions()
        with_some_action = {role for roles in actions.values() for role in roles}
        seeing = {
            role: NOT_OFFERED if role in with_some_action else LISTED
            for role in self.view
            if role not in actions[action]
        }
        return _expect(
            FORBIDDEN,
            {
                **dict.fromkeys(NOT_STAFF, ADMIN_LOGIN),
                **seeing,
                **dict.fromkeys(actions[action], RAN),
            },
        )


ADMIN_PAGES = ("changelist", "add", "change", "delete", "history")

NOBODY = AdminModel()  # superusers only
DESK = (ACCOUNT_MANAGER, COORDINATOR)

QUESTION_ACTIONS = ("assign_to_me", "bulk_assign", "mark_in_progress", "mark_answered", "close")
POSTING_ACTIONS = ("approve", "send_back", "withdraw")

ADMIN_MODELS: dict[str, AdminModel] = {
    # Third-party models: for superusers only.
    "auth.group": NOBODY,
    "account.emailaddress": AdminModel(actions={"make_verified": ()}),
    "mfa.authenticator": NOBODY,
    "axes.accessattempt": AdminModel(actions={"cleanup_expired_attempts": ()}),
    "axes.accesslog": NOBODY,
    "axes.accessfailurelog": NOBODY,
    # The shared machinery. The complete audit log names every person who did anything;
    # the history of one object is an inline on that object's own page. The desk may put
    # failed mails back in the queue, and change nothing in them.
    "audit.auditlogentry": AdminModel(view=DESK),
    "outbox.outboxmessage": AdminModel(view=DESK, actions={"retry_failed": DESK}),
    "outbox.capturedmail": AdminModel(view=(COORDINATOR,)),
    # Accounts: the desk reads them and keeps organisations; the coordinator adds
    # organisations and keeps directorates. Nobody edits an account in the admin.
    "accounts.user": AdminModel(view=DESK),
    "accounts.organisation": AdminModel(view=DESK, add=(COORDINATOR,), change=DESK),
    "accounts.directorate": AdminModel(view=DESK, add=(COORDINATOR,), change=(COORDINATOR,)),
    # Service point: questions come in through the site and are never deleted; the desk
    # handles them (directorate contacts only read their part and work in its forms).
    "servicepoint.question": AdminModel(
        view=(CONTACT, *DESK), change=DESK, actions=dict.fromkeys(QUESTION_ACTIONS, DESK)
    ),
    # The topics and the routing rules are the coordinator's; the desk keeps its canned
    # replies and the knowledge base.
    "servicepoint.topic": AdminModel(view=DESK, add=(COORDINATOR,), change=(COORDINATOR,)),
    "servicepoint.routingrule": AdminModel(
        view=DESK, add=(COORDINATOR,), change=(COORDINATOR,), delete=(COORDINATOR,)
    ),
    "servicepoint.cannedreply": AdminModel(view=DESK, add=DESK, change=DESK, delete=DESK),
    "servicepoint.knowledgearticle": AdminModel(view=DESK, add=DESK, change=DESK),
    "servicepoint.followup": AdminModel(view=DESK),
    # Omarm, the directory and events are the coordinator's. Postings and matches are
    # moderated with actions only: their pages are read-only.
    "omarm.helprequest": AdminModel(
        view=(COORDINATOR,),
        actions=dict.fromkeys(
            (*POSTING_ACTIONS, "keep_after_reports", "withdraw_after_reports"), (COORDINATOR,)
        ),
    ),
    "omarm.offer": AdminModel(
        view=(COORDINATOR,), actions=dict.fromkeys(POSTING_ACTIONS, (COORDINATOR,))
    ),
    "omarm.match": AdminModel(
        view=(COORDINATOR,),
        actions=dict.fromkeys(("publish_story", "unpublish_story"), (COORDINATOR,)),
    ),
    "omarm.challenge": AdminModel(view=(COORDINATOR,), add=(COORDINATOR,), change=(COORDINATOR,)),
    "omarm.area": AdminModel(view=(COORDINATOR,), add=(COORDINATOR,), change=(COORDINATOR,)),
    "omarm.report": AdminModel(view=(COORDINATOR,)),
    # A supplier's profile is its owners'; the coordinator verifies, sends back or
    # withdraws it, and keeps the fields of its own (the services refuse the others).
    "procurement.supplier": AdminModel(
        view=(COORDINATOR,),
        change=(COORDINATOR,),
        actions=dict.fromkeys(("verify", "send_back", "withdraw"), (COORDINATOR,)),
    ),
    "procurement.label": AdminModel(view=(COORDINATOR,)),
    "procurement.category": AdminModel(
        view=(COORDINATOR,), add=(COORDINATOR,), change=(COORDINATOR,)
    ),
    "procurement.inquiry": AdminModel(view=(COORDINATOR,)),
    "events.event": AdminModel(
        view=(COORDINATOR,),
        add=(COORDINATOR,),
        change=(COORDINATOR,),
        actions={
            "publish": (COORDINATOR,),
            "cancel": (COORDINATOR,),
            "create_series": (COORDINATOR,),
        },
    ),
    "events.registration": AdminModel(view=(COORDINATOR,)),
}


def admin_app_index(app_label: str) -> Expect:
    """An app's admin index: staff who see any of its models; 404 for other staff."""
    roles = {
        role
        for label, rule in ADMIN_MODELS.items()
        if label.split(".")[0] == app_label
        for role in rule.view
    }
    return admin(*sorted(roles), others=NOT_FOUND)


ADMIN_APPS = tuple(sorted({label.split(".")[0] for label in ADMIN_MODELS}))


# The table ------------------------------------------------------------------------------

# A company's supplier profile pages: its members and the coordinator; 404 for the rest.
OWNER_ENTREPRENEUR = only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND)
OFFICER_ONLY = only(OFFICER)

MATRIX: dict[str, Expect | dict[str, Expect]] = {
    # Portal ------------------------------------------------------------------------------
    "home": public(),
    "health": public(),
    "set_language": everyone(REDIRECT),  # a GET changes nothing; back to where one was
    "javascript-catalog": public(),
    # Accounts (the portal's own pages) --------------------------------------------------
    "accounts:profile": logged_in(),
    "accounts:data_export": logged_in(),
    "accounts:delete": logged_in(),
    # Accounts (allauth) -----------------------------------------------------------------
    "account_login": everyone(REDIRECT, anonymous=OK),  # logged in: on to the profile
    # A confirmation page; POST logs out. Staff without two-factor may always leave.
    "account_logout": everyone(OK, anonymous=REDIRECT, staff_without_totp=OK),
    "account_inactive": public(),
    "account_signup": everyone(REDIRECT, anonymous=OK),
    "account_reauthenticate": logged_in(staff_without_totp=OK),  # before setting up 2FA
    "account_email": logged_in(),
    "account_email_verification_sent": public(),
    "account_change_password": logged_in(),
    "account_set_password": logged_in(REDIRECT),  # everyone has a password: change it instead
    "account_reset_password": public(),
    # Without a login by code under way: to the login page, or on if already logged in.
    "account_confirm_login_code": everyone(REDIRECT, anonymous=LOGIN),
    "account_confirm_email": public(),  # the key is the secret; GET shows a button
    "account_reset_password_from_key_done": public(),
    # A valid key is moved into the session and the visitor sent on, so it leaves no
    # trace in the address bar and the Referer; a wrong key shows a "link expired" page.
    "account_reset_password_from_key": {"valid": everyone(REDIRECT), "wrong": public()},
    "account_reset_password_done": public(),
    # Two-factor pages are about one's own account. In the walk only staff have an
    # authenticator app; allauth asks for the password again before changing anything.
    "mfa_index": logged_in(staff_without_totp=OK),
    "mfa_authenticate": everyone(REDIRECT, anonymous=LOGIN),  # only during a login
    "mfa_reauthenticate": logged_in(
        REDIRECT, **dict.fromkeys(STAFF, OK), staff_without_totp=REDIRECT
    ),
    # Reauthenticate first, or already active.
    "mfa_activate_totp": logged_in(REDIRECT, staff_without_totp=REDIRECT),
    "mfa_deactivate_totp": logged_in(NOT_FOUND, **dict.fromkeys(STAFF, REDIRECT)),
    "mfa_view_recovery_codes": logged_in(NOT_FOUND),  # nobody has generated codes
    "mfa_generate_recovery_codes": logged_in(REDIRECT),
    "mfa_download_recovery_codes": logged_in(NOT_FOUND),
    # Service point ----------------------------------------------------------------------
    "servicepoint:index": public(),
    "servicepoint:ask": public(),
    "servicepoint:submitted": everyone(REDIRECT),  # nothing submitted in this session: the form
    "servicepoint:confirm": {"token": public(), "wrong": everyone(NOT_FOUND)},
    # The link in the e-mails to the asker: a valid one is exchanged for a grant in the
    # session and sends on to the question's clean address; an expired one shows a page
    # that offers to mail a new one; any other token is a 404.
    "servicepoint:guest_question": {
        "token": everyone(REDIRECT),
        "expired": public(),
        "wrong": everyone(NOT_FOUND),
    },
    # The clean address opens only with a grant from such a link (the walk holds none for
    # the question it opens); the asker is sent on to "Mijn vragen".
    "servicepoint:guest_question_page": everyone(NOT_FOUND, entrepreneur=REDIRECT),
    "servicepoint:my_questions": logged_in(),
    "servicepoint:my_question": {
        "own": only(ENTREPRENEUR, others=NOT_FOUND),
        # Another entrepreneur's question: not even staff open it on the public site.
        "other": logged_in(NOT_FOUND),
    },
    # The asker, staff who see the question, or a session with a grant from a link; 404
    # for anyone else, as if it did not exist.
    "servicepoint:attachment": {
        "own": everyone(NOT_FOUND, entrepreneur=OK, **dict.fromkeys(STAFF, OK)),
        "other": everyone(NOT_FOUND, account_manager=OK, coordinator=OK),
        "note": everyone(NOT_FOUND, directorate_contact=OK, account_manager=OK, coordinator=OK),
        # A link's token in the query string counts for nothing: the same as "own".
        "token": everyone(NOT_FOUND, entrepreneur=OK, **dict.fromkeys(STAFF, OK)),
    },
    "servicepoint:follow_up": public(),  # the token in the e-mail is the key
    "servicepoint:knowledge_base": public(),
    "servicepoint:suggestions": public(),
    "servicepoint:article": {"published": public(), "draft": everyone(NOT_FOUND)},
    # Omarm --------------------------------------------------------------------------------
    "omarm:index": public(),
    "omarm:mine": logged_in(),
    "omarm:request_new": only(SOCIAL),  # members of a social organisation post requests
    "omarm:request": {
        "open": public(),
        "draft": only(SOCIAL, COORDINATOR, others=NOT_FOUND, anonymous=NOT_FOUND),
    },
    "omarm:request_edit": {
        # Owners edit drafts; the coordinator moderates in the admin and sees it (403),
        # anyone else cannot tell it exists (404).
        "draft": with_roles(only(SOCIAL, others=NOT_FOUND), coordinator=FORBIDDEN),
        # An open request is public: no editing it (the owner is sent back to "mijn").
        "open": logged_in(FORBIDDEN, social_organisation=REDIRECT),
    },
    "omarm:offer_help": post_only(),
    "omarm:report": post_only(),
    "omarm:photo": {
        "open": public(),
        "draft": only(SOCIAL, COORDINATOR, others=NOT_FOUND, anonymous=NOT_FOUND),
    },
    "omarm:offer_new": only(ENTREPRENEUR),  # members of a company post offers
    "omarm:offer": {
        "open": public(),
        "draft": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND, anonymous=NOT_FOUND),
    },
    "omarm:offer_edit": {
        "draft": with_roles(only(ENTREPRENEUR, others=NOT_FOUND), coordinator=FORBIDDEN),
    },
    "omarm:show_interest": post_only(),
    "omarm:submit": post_only(),
    "omarm:withdraw": post_only(),
    "omarm:fulfil": post_only(),
    "omarm:extend": post_only(),
    # The match thread: both sides and the coordinator.
    "omarm:match": {
        "own": only(ENTREPRENEUR, SOCIAL, COORDINATOR, others=NOT_FOUND),
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "omarm:organisation": public(),
    "omarm:challenge": public(),
    # Platform Goed Inkopen ----------------------------------------------------------------
    "procurement:index": public(),
    "procurement:supplier": {
        "verified": public(),
        # A draft: a preview for its owners and the coordinator, 404 for the rest.
        "draft": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND, anonymous=NOT_FOUND),
    },
    "procurement:logo": {
        "verified": public(),
        "draft": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND, anonymous=NOT_FOUND),
    },
    "procurement:my_profiles": logged_in(),  # the user's companies; empty for others
    "procurement:create": {
        "own": only(ENTREPRENEUR, others=NOT_FOUND),
        "other": logged_in(NOT_FOUND),  # another company's: not even the coordinator
    },
    # The profile pages of the owners (the coordinator may open them too).
    "procurement:edit": {"own": OWNER_ENTREPRENEUR, "other": only(COORDINATOR, others=NOT_FOUND)},
    "procurement:profile_submit": post_only(),
    "procurement:profile_confirm": post_only(),
    "procurement:profile_withdraw": {
        "own": OWNER_ENTREPRENEUR,
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "procurement:product_create": {
        "own": OWNER_ENTREPRENEUR,
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "procurement:product_edit": {
        "own": OWNER_ENTREPRENEUR,
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "procurement:product_delete": {
        "own": OWNER_ENTREPRENEUR,
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "procurement:label_create": {
        "own": OWNER_ENTREPRENEUR,
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "procurement:label_edit": {
        "own": OWNER_ENTREPRENEUR,
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "procurement:label_delete": {
        "own": OWNER_ENTREPRENEUR,
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "procurement:label_evidence": {
        "own": OWNER_ENTREPRENEUR,
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    # Procurement officers only (anyone else 403); another officer's things are 404.
    "procurement:shortlists": OFFICER_ONLY,
    "procurement:shortlist_add": with_roles(OFFICER_ONLY, procurement_officer=METHOD),
    "procurement:shortlist": {
        "own": OFFICER_ONLY,
        "other": with_roles(OFFICER_ONLY, procurement_officer=NOT_FOUND),
    },
    "procurement:shortlist_edit": {
        "own": OFFICER_ONLY,
        "other": with_roles(OFFICER_ONLY, procurement_officer=NOT_FOUND),
    },
    "procurement:shortlist_delete": {
        "own": OFFICER_ONLY,
        "other": with_roles(OFFICER_ONLY, procurement_officer=NOT_FOUND),
    },
    "procurement:shortlist_entry_note": with_roles(OFFICER_ONLY, procurement_officer=METHOD),
    "procurement:shortlist_entry_remove": with_roles(OFFICER_ONLY, procurement_officer=METHOD),
    "procurement:shortlist_export": {
        "own": OFFICER_ONLY,
        "other": with_roles(OFFICER_ONLY, procurement_officer=NOT_FOUND),
    },
    "procurement:search_export": OFFICER_ONLY,
    "procurement:inquiries": OFFICER_ONLY,
    "procurement:inquiry_new": OFFICER_ONLY,
    "procurement:inquiry": {
        "own": OFFICER_ONLY,
        "other": with_roles(OFFICER_ONLY, procurement_officer=NOT_FOUND),
    },
    # Events ---------------------------------------------------------------------------------
    "events:index": public(),
    "events:month": public(),
    "events:mine": logged_in(),
    "events:feed": public(),
    "events:feed_type": public(),
    # The organisers' pages: the event's organisers and the coordinator; 404 for the rest.
    "events:organiser_attendees": {
        "own": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND),
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "events:organiser_check_in": {
        "own": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND),
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "events:organiser_export": {
        "own": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND),
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    "events:organiser_message": {
        "own": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND),
        "other": only(COORDINATOR, others=NOT_FOUND),
    },
    # A draft event is previewed by staff (the coordinator builds it in the admin and
    # follows "view on site"); everyone else gets 404.
    # A draft: its organisers (nobody in the walk) and the coordinator; 404 for the rest,
    # other staff included.
    "events:detail": {
        "published": public(),
        "draft": everyone(NOT_FOUND, coordinator=OK),
    },
    "events:image": {
        "published": public(),
        "draft": everyone(NOT_FOUND, coordinator=OK),
    },
    "events:register": post_only(),
    "events:cancel": post_only(),
    # Monitor: the coordinator and monitor readers only.
    "monitor:index": only(COORDINATOR, VIEWER),
    "monitor:report": only(COORDINATOR, VIEWER),
    "monitor:workbook": only(COORDINATOR, VIEWER),
    "monitor:figure_csv": only(COORDINATOR, VIEWER),
    # Admin: the site's own pages ------------------------------------------------------------
    "admin:index": admin(*STAFF),
    # The admin's login hands over to the portal's (axes and two-factor apply there);
    # someone logged in without access gets 403 instead of a login loop.
    "admin:login": everyone(FORBIDDEN, anonymous=LOGIN),
    # Logging out is a POST; without access one is sent to the admin's index first.
    "admin:logout": everyone(METHOD, **dict.fromkeys(NOT_STAFF, REDIRECT)),
    "admin:password_change": admin(*STAFF),
    "admin:password_change_done": admin(*STAFF),
    # Looking up users for a routing rule's assignee: those who may read accounts.
    "admin:autocomplete": admin(*DESK),
    "admin:jsi18n": admin(*STAFF),
    "admin:view_on_site": admin(*STAFF, allowed=REDIRECT),
    "admin:app_list": {app: admin_app_index(app) for app in ADMIN_APPS},
    # Setting a user's password in the admin needs the change permission: nobody here.
    "admin:auth_user_password_change": admin(),
    # Admin: the service point desk ------------------------------------------------------------
    # A directorate contact sees only questions routed to their directorate.
    "admin:servicepoint_question_change": {
        "routed": admin(CONTACT, *DESK),
        "elsewhere": admin(*DESK, others=NOT_FOUND),
    },
    "admin:servicepoint_question_history": {
        "routed": admin(CONTACT, *DESK),
        # Django's history page sends someone who cannot see the object to the index.
        "elsewhere": admin(*DESK, others=REDIRECT),
    },
    # The forms on the question page are POSTs; a GET goes back to the question.
    "admin:servicepoint_question_message": {
        "routed": admin(CONTACT, *DESK, allowed=REDIRECT),
        "elsewhere": admin(*DESK, allowed=REDIRECT, others=NOT_FOUND),
    },
    "admin:servicepoint_question_route": admin(*DESK, allowed=REDIRECT),
    "admin:servicepoint_question_state": admin(*DESK, allowed=REDIRECT),
    "admin:servicepoint_question_topic": admin(*DESK, allowed=REDIRECT),
    # A contact takes up or withdraws only their own directorate's part.
    "admin:servicepoint_question_assignment": {
        "routed": admin(CONTACT, *DESK, allowed=REDIRECT),
        "elsewhere": admin(*DESK, allowed=REDIRECT, others=NOT_FOUND),
    },
    "admin:servicepoint_question_report": admin(*DESK),
    # Admin: the coordinator's tools -----------------------------------------------------------
    "admin:omarm_helprequest_propose": admin(COORDINATOR),
    "admin:omarm_match_pipeline": admin(COORDINATOR),
    "admin:omarm_match_export": admin(COORDINATOR),
    "admin:procurement_supplier_import": admin(COORDINATOR),
}

# Patterns without a name, by their full route. (The admin's unnamed ``<pk>/`` redirect
# of each model follows from ADMIN_MODELS.)
UNNAMED: dict[str, Expect] = {
    # The admin's catch-all: 404 for staff, the login for anyone else.
    "beheer/(?P<url>.*)$": admin(others=NOT_FOUND),
}

# URL names the walk leaves out, with the reason. Only what cannot be opened
# meaningfully with GET belongs here (e.g. static or media serving in development).
SKIPPED: dict[str, str] = {}


# POST -----------------------------------------------------------------------------------
#
# ``tests/security/test_permission_matrix.py`` also posts to every URL as every role: an
# empty form, or the payload it declares for the URL (``post_payloads``), each in a
# savepoint that is rolled back. Every URL is either in ``GET_ONLY`` or in ``POST``.
#
# A page in ``GET_ONLY`` only shows: behind the same gates as its GET (the login, the
# admin's login, setting up two-factor, a role check answering 403) a POST gets 405.
# For a URL in ``POST``, ``MAY`` marks the roles whose post is taken up (the page again,
# a redirect on, or the form with its errors); every other role gets the exact refusal
# written down. The admin's standard pages and actions follow from ``ADMIN_MODELS``.

GET_ONLY: frozenset[str] = frozenset(
    {
        "home",
        "health",
        "javascript-catalog",
        "accounts:data_export",
        "account_inactive",
        "account_email_verification_sent",
        "account_reset_password_done",
        "account_reset_password_from_key_done",
        "mfa_index",
        "mfa_view_recovery_codes",
        "servicepoint:index",
        "servicepoint:submitted",
        "servicepoint:my_questions",
        "servicepoint:attachment",
        "servicepoint:knowledge_base",
        "servicepoint:suggestions",
        "servicepoint:article",
        "omarm:index",
        "omarm:mine",
        "omarm:request",
        "omarm:photo",
        "omarm:offer",
        "omarm:organisation",
        "omarm:challenge",
        "procurement:index",
        "procurement:supplier",
        "procurement:logo",
        "procurement:my_profiles",
        "procurement:label_evidence",
        "procurement:shortlist",
        "procurement:shortlist_export",
        "procurement:search_export",
        "procurement:inquiries",
        "procurement:inquiry",
        "events:index",
        "events:month",
        "events:mine",
        "events:feed",
        "events:feed_type",
        "events:detail",
        "events:image",
        "events:organiser_attendees",
        "events:organiser_export",
        "admin:password_change_done",
    }
)

# A company's own profile pages: its members and the coordinator; 404 for the rest.
OWNERS_MAY = only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND, allowed=MAY)
COORDINATOR_MAY = only(COORDINATOR, others=NOT_FOUND, allowed=MAY)
OFFICER_MAY = only(OFFICER, allowed=MAY)
OTHER_OFFICERS = with_roles(OFFICER_ONLY, procurement_officer=NOT_FOUND)

POST: dict[str, Expect | dict[str, Expect]] = {
    # Portal ------------------------------------------------------------------------------
    "set_language": everyone(REDIRECT),
    # Accounts ----------------------------------------------------------------------------
    "accounts:profile": logged_in(MAY),
    # Deleting one's account asks for the password first.
    "accounts:delete": logged_in(REAUTHENTICATE),
    # allauth: logging in and signing up are for visitors (and staff without two-factor,
    # who count as visitors); anyone logged in is sent on.
    "account_login": everyone(REDIRECT, anonymous=MAY, staff_without_totp=MAY),
    "account_signup": everyone(REDIRECT, anonymous=MAY, staff_without_totp=MAY),
    "account_logout": everyone(REDIRECT),
    "account_reauthenticate": logged_in(MAY, staff_without_totp=MAY),
    "account_email": logged_in(MAY),
    "account_change_password": logged_in(MAY),
    "account_set_password": logged_in(REDIRECT),  # everyone has one: change it instead
    "account_reset_password": everyone(MAY),
    "account_reset_password_from_key": {"valid": everyone(REDIRECT), "wrong": everyone(INVALID)},
    # The key confirms the address whoever sends it (it is the secret); then on to the
    # login page.
    "account_confirm_email": everyone(LOGIN),
    "account_confirm_login_code": everyone(REDIRECT, anonymous=LOGIN),
    "mfa_authenticate": everyone(REDIRECT, anonymous=LOGIN),
    # Changing two-factor settings asks for the password first (those without an
    # authenticator app are asked for it instead of a code).
    "mfa_reauthenticate": logged_in(
        REAUTHENTICATE, **dict.fromkeys(STAFF, MAY), staff_without_totp=REAUTHENTICATE
    ),
    "mfa_activate_totp": logged_in(REAUTHENTICATE, staff_without_totp=REAUTHENTICATE),
    "mfa_deactivate_totp": logged_in(NOT_FOUND, **dict.fromkeys(STAFF, REAUTHENTICATE)),
    "mfa_generate_recovery_codes": logged_in(REAUTHENTICATE),
    "mfa_download_recovery_codes": logged_in(NOT_FOUND),
    # Service point ----------------------------------------------------------------------
    "servicepoint:ask": everyone(MAY),
    "servicepoint:confirm": {"token": everyone(REDIRECT), "wrong": everyone(NOT_FOUND)},
    "servicepoint:guest_question": {
        "token": everyone(REDIRECT),
        "expired": everyone(MAY),  # asking for a new link
        "wrong": everyone(NOT_FOUND),
    },
    "servicepoint:guest_question_page": everyone(NOT_FOUND, entrepreneur=REDIRECT),
    # Replying to one's own question.
    "servicepoint:my_question": {
        "own": only(ENTREPRENEUR, others=NOT_FOUND, allowed=MAY),
        "other": logged_in(NOT_FOUND),
    },
    "servicepoint:follow_up": everyone(MAY),  # the token in the e-mail is the key
    # Omarm --------------------------------------------------------------------------------
    "omarm:request_new": only(SOCIAL, allowed=MAY),
    "omarm:offer_new": only(ENTREPRENEUR, allowed=MAY),
    "omarm:request_edit": {
        "draft": with_roles(only(SOCIAL, others=NOT_FOUND, allowed=MAY), coordinator=FORBIDDEN),
        # An open request is not edited here: its owner is sent back with a message.
        "open": logged_in(FORBIDDEN, social_organisation=REFUSED),
    },
    "omarm:offer_edit": {
        "draft": with_roles(
            only(ENTREPRENEUR, others=NOT_FOUND, allowed=MAY), coordinator=FORBIDDEN
        ),
    },
    # A company offers help on an open request; anyone logged in may report it.
    "omarm:offer_help": only(ENTREPRENEUR, allowed=MAY),
    "omarm:report": logged_in(MAY),
    "omarm:show_interest": only(SOCIAL, allowed=MAY),
    # The owners move their postings on (a draft is theirs to submit; others cannot see
    # it); the coordinator may also withdraw a posting on the board or mark it fulfilled.
    "omarm:submit": with_roles(only(SOCIAL, others=NOT_FOUND, allowed=MAY), coordinator=FORBIDDEN),
    "omarm:withdraw": logged_in(FORBIDDEN, social_organisation=MAY, coordinator=MAY),
    "omarm:fulfil": logged_in(FORBIDDEN, social_organisation=MAY, coordinator=MAY),
    "omarm:extend": logged_in(FORBIDDEN, social_organisation=MAY),
    "omarm:match": {
        "own": only(ENTREPRENEUR, SOCIAL, COORDINATOR, others=NOT_FOUND, allowed=MAY),
        "other": COORDINATOR_MAY,
    },
    # Platform Goed Inkopen ----------------------------------------------------------------
    "procurement:create": {
        "own": only(ENTREPRENEUR, others=NOT_FOUND, allowed=MAY),
        "other": logged_in(NOT_FOUND),
    },
    **{
        f"procurement:{name}": {"own": OWNERS_MAY, "other": COORDINATOR_MAY}
        for name in (
            "edit",
            "profile_withdraw",
            "product_create",
            "product_edit",
            "product_delete",
            "label_create",
            "label_edit",
            "label_delete",
        )
    },
    # Submitting for verification and confirming the yearly check are the owners' own.
    "procurement:profile_submit": with_roles(
        only(ENTREPRENEUR, others=NOT_FOUND, allowed=MAY), coordinator=FORBIDDEN
    ),
    "procurement:profile_confirm": with_roles(
        only(ENTREPRENEUR, others=NOT_FOUND, allowed=MAY), coordinator=FORBIDDEN
    ),
    "procurement:shortlists": OFFICER_MAY,  # a new shortlist
    "procurement:shortlist_add": OFFICER_MAY,
    "procurement:shortlist_edit": {
        "own": OFFICER_MAY,
        "other": with_roles(OFFICER_ONLY, procurement_officer=NOT_FOUND),
    },
    "procurement:shortlist_delete": {
        "own": OFFICER_MAY,
        "other": with_roles(OFFICER_ONLY, procurement_officer=NOT_FOUND),
    },
    "procurement:shortlist_entry_note": OFFICER_MAY,
    "procurement:shortlist_entry_remove": OFFICER_MAY,
    "procurement:inquiry_new": OFFICER_MAY,
    # Events ---------------------------------------------------------------------------------
    # Anyone logged in registers; only someone registered can cancel.
    "events:register": logged_in(MAY),
    "events:cancel": logged_in(NOT_FOUND, social_organisation=MAY),
    "events:organiser_check_in": {
        "own": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND, allowed=MAY),
        "other": COORDINATOR_MAY,
    },
    "events:organiser_message": {
        "own": only(ENTREPRENEUR, COORDINATOR, others=NOT_FOUND, allowed=MAY),
        "other": COORDINATOR_MAY,
    },
    # Admin: the site's own pages ------------------------------------------------------------
    # Django's index and app lists answer a post like a GET.
    "admin:index": admin(*STAFF),
    "admin:app_list": {app: admin_app_index(app) for app in ADMIN_APPS},
    "admin:login": everyone(FORBIDDEN, anonymous=LOGIN),
    "admin:logout": everyone(REDIRECT),
    "admin:password_change": admin(*STAFF, allowed=MAY),
    "admin:view_on_site": admin(*STAFF, allowed=REDIRECT),
    "admin:auth_user_password_change": admin(),
    # Pages of the admin that only show; the method is checked before the permission.
    "admin:jsi18n": admin(others=METHOD),
    "admin:autocomplete": admin(others=METHOD),
    "admin:servicepoint_question_report": admin(others=METHOD),
    "admin:omarm_match_pipeline": admin(others=METHOD),
    "admin:omarm_match_export": admin(others=METHOD),
    # The monitor checks the method first: 405 for everyone.
    **{
        f"monitor:{name}": everyone(METHOD)
        for name in ("index", "report", "workbook", "figure_csv")
    },
    # Admin: the service point desk ------------------------------------------------------------
    # A directorate contact writes in (and takes up) only their directorate's questions;
    # routing, the state and the topic are the desk's.
    "admin:servicepoint_question_message": {
        "routed": admin(CONTACT, *DESK, allowed=MAY),
        "elsewhere": admin(*DESK, allowed=MAY, others=NOT_FOUND),
    },
    "admin:servicepoint_question_route": admin(*DESK, allowed=MAY),
    "admin:servicepoint_question_state": admin(*DESK, allowed=MAY),
    "admin:servicepoint_question_topic": admin(*DESK, allowed=MAY),
    "admin:servicepoint_question_assignment": {
        "routed": admin(CONTACT, *DESK, allowed=MAY),
        "elsewhere": admin(*DESK, allowed=MAY, others=NOT_FOUND),
    },
    # Django's history page sends someone who cannot see the object to the index, with
    # a warning.
    "admin:servicepoint_question_history": {
        "routed": admin(CONTACT, *DESK),
        "elsewhere": admin(*DESK, others=REFUSED),
    },
    "admin:servicepoint_question_change": {
        "routed": admin(*DESK, allowed=MAY),
        "elsewhere": admin(*DESK, allowed=MAY, others=NOT_FOUND),
    },
    # Admin: the coordinator's tools -----------------------------------------------------------
    "admin:omarm_helprequest_propose": admin(COORDINATOR, allowed=MAY),
    "admin:procurement_supplier_import": admin(COORDINATOR, allowed=MAY),
}

UNNAMED_POST: dict[str, Expect] = {"beheer/(?P<url>.*)$": admin(others=NOT_FOUND)}


def expected(name: str, case: str = "") -> Expect:
    """The declared expectation for a URL name (and case), from MATRIX or ADMIN_MODELS."""
    entry = MATRIX.get(name)
    if entry is None:
        model, page = admin_page_of(name)
        if model is None:
            raise KeyError(name)
        return ADMIN_MODELS[model].expect(page)
    if isinstance(entry, MappingProxyType):
        if case:
            raise KeyError(f"{name} has no cases, asked for {case!r}")
        return entry
    return entry[case]


def cases(name: str) -> tuple[str, ...]:
    """The declared cases of a URL name; ``("",)`` for one without."""
    entry = MATRIX.get(name)
    if isinstance(entry, dict):
        return tuple(entry)
    return ("",)


def admin_page_of(name: str) -> tuple[str | None, str]:
    """("app.model", page) for a standard admin page name such as
    ``admin:servicepoint_question_change``; (None, "") for anything else."""
    if not name.startswith("admin:"):
        return None, ""
    for label in ADMIN_MODELS:
        prefix = "admin:" + label.replace(".", "_") + "_"
        page = name.removeprefix(prefix)
        if page != name and page in ADMIN_PAGES:
            return label, page
    return None, ""


def post_expected(name: str, case: str = "") -> Expect | None:
    """The declared expectation of a POST (None: the page only shows, see GET_ONLY)."""
    if name in GET_ONLY:
        return None
    entry = POST.get(name)
    if entry is None:
        model, page = admin_page_of(name)
        if model is None:
            raise KeyError(name)
        return ADMIN_MODELS[model].post_expect(page)
    if isinstance(entry, MappingProxyType):
        return entry
    return entry[case]


# The gates before a view looks at the method: a page that only shows answers a POST
# with 405 once these let it through.
GATES = frozenset({LOGIN, ADMIN_LOGIN, MFA_SETUP, FORBIDDEN})


def only_shows(expect: Expect) -> Expect:
    """What a POST to a page that only shows gets, from its GET expectation."""
    return MappingProxyType(
        {role: outcome if outcome in GATES else METHOD for role, outcome in expect.items()}
    )
