"""allauth's "forgot your password" form with the honeypot (it sends e-mail).

Apart from accounts.forms because allauth's forms module imports that one (the extra
sign-up fields, ACCOUNT_SIGNUP_FORM_CLASS) while this one imports allauth's.
"""

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm

from impactportal.honeypot import HoneypotFormMixin


class ResetPasswordForm(HoneypotFormMixin, AllauthResetPasswordForm):
    pass
