"""Real-homeserver test rig for mxreg: local Synapse servers on loopback.

Runs throw-away Synapse homeservers (SQLite, 127.0.0.1 only, no federation,
no outbound traffic) in several registration configurations, so that the
integration tests can register accounts against a real server.

Everything lives under ``.homeserver/`` next to the repository root (resolved
from this package's location, never from the current directory):

    .homeserver/venv/                 virtualenv with the pinned Synapse
    .homeserver/<variant>/            config, SQLite db, homeserver.log,
                                      synapse.pid, url, admin_token
    .homeserver/email/mail/           *.eml files caught by the SMTP sink
    .homeserver/oauth/                also oauth.log, oauth.pid, mas_secret
    scripts/oauth/node_modules/       the OAuth server's npm packages

Variants (default port):

    open      18101  open registration (m.login.dummy), guests, password policy,
                     login tokens from POST /login/get_token
    token     18102  registration_requires_token (m.login.registration_token)
    email     18103  registrations_require_3pid [email]; SMTP sink on 18125
    terms     18104  user_consent at registration (m.login.terms)
    ratelimit 18105  as open, rc_registration per_second 0.1 burst_count 2
    closed    18106  enable_registration false (403)
    stress    18107  as open with every rate limit lifted very high
    oauth     18108  auth delegated (matrix_authentication_service) to a local
                     OAuth 2.0 server (scripts/oauth, Node.js) on 18109;
                     an application service (@mxregbot_*)
    limited   18111  hs_disabled with an admin_contact: every registration
                     fails with M_RESOURCE_LIMIT_EXCEEDED (no admin account)
    captcha   18112  enable_registration_captcha (m.login.recaptcha); Google's
                     siteverify stood in for on 18126 (stand_in_servers/recaptcha_verify.py:
                     the response "captcha-ok" passes)
    msisdn    18113  registrations_require_3pid [msisdn] with
                     account_threepid_delegates.msisdn on a stand-in identity
                     service on 18127 (stand_in_servers/msisdn_identity.py: the code
                     "texted" to a number is in <variant>/sms/<digits>.code)
    sso       18114  SSO only (m.login.sso, idp "oidc-rig"): Synapse's OIDC
                     login with the rig's OAuth server on 18115 as upstream
                     identity provider; a user's first sign-in creates the
                     account (localpart = the provider's preferred_username)

Typical use:

    scripts/homeserver.py install
    scripts/homeserver.py start open          # prints http://127.0.0.1:18101
    eval "$(scripts/homeserver.py env)"       # MXREG_HS_OPEN=... etc.
    scripts/homeserver.py token-create token --uses 1
    scripts/homeserver.py mail-link email --to a@example.org
    scripts/homeserver.py login-token open --user @alice:localhost
    scripts/homeserver.py stop all

MXREG_RIG_PORT_OFFSET=N adds N to every port (default 0).

Exit codes: 0 ok, 1 failure, 2 port already in use by something else,
3 variant already running.

Standard library only (Python 3.11); Synapse and aiosmtpd run from the venv.
scripts/homeserver.py is the command line; this package is the rig:

    cli        the subcommands and their arguments
    lifecycle  start, stop and health of one variant and its processes
    config     each variant's homeserver.yaml
    install    the pinned Synapse in .homeserver/venv
    oauth      the OAuth server (scripts/oauth) for oauth and sso
    stand_ins  the SMTP sink and stand_in_servers/ next to their variants
    admin      Synapse's admin API: admin account, registration and login tokens
    mail       validation links from the sink's mails
    processes  spawning, finding and stopping child processes; locks, ports
    layout     ports (MXREG_RIG_PORT_OFFSET) and where each variant's files are
    errors     exit codes, RigError, log lines
"""

