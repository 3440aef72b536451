# JupyterHub 6.1.1 configuration for Keyport's tests and `npm run servers`, written so that a
# real hub starts in about two seconds with nothing but itself: no proxy, no database file, no
# cookie-secret file, no pid file. jupyterhubServer.ts starts `jupyterhub -f` on this file and
# passes the settings that change per hub in KEYPORT_HUB_* environment variables.
import json
import os

from jupyterhub.auth import Authenticator
from jupyterhub.proxy import Proxy

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads the file)

settings = json.loads(os.environ["KEYPORT_HUB_SETTINGS"])
USERS = settings["users"]  # {name: password}


class DictionaryAuthenticator(Authenticator):
    """The seeded users and their passwords, nothing else."""

    async def authenticate(self, handler, data):
        if not isinstance(data, dict):
            return None
        name = data.get("username")
        if isinstance(name, str) and USERS.get(name) == data.get("password"):
            return name
        return None


class NoProxy(Proxy):
    """The REST API is all the tests use: the hub is reached directly on bind_url, and without
    a proxy class the hub waits for configurable-http-proxy and exits."""

    should_start = False

    async def add_route(self, routespec, target, data):
        return None

    async def delete_route(self, routespec):
        return None

    async def get_all_routes(self):
        return {}


# A port picked beforehand: ":0" would make the hub print and use a wrong URL.
c.JupyterHub.bind_url = settings["bindUrl"]
c.JupyterHub.hub_bind_url = settings["bindUrl"]
c.JupyterHub.db_url = "sqlite:///:memory:"
# Otherwise the hub writes jupyterhub_cookie_secret into the working directory.
c.JupyterHub.cookie_secret = os.urandom(32)
c.JupyterHub.pid_file = ""
c.JupyterHub.proxy_class = NoProxy
c.JupyterHub.authenticator_class = DictionaryAuthenticator
c.Authenticator.allowed_users = set(USERS)
c.Authenticator.admin_users = set(settings["admins"])
if settings.get("tokenExpiresInMaxSeconds"):
    c.JupyterHub.token_expires_in_max_seconds = int(settings["tokenExpiresInMaxSeconds"])
c.JupyterHub.log_level = "WARN"
