"""OAuth 2 as Intuit does it: clients, authorization codes, rotating refresh tokens, revocation."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass
from typing import Any

from qbo_sandbox.store import Store

DEMO_CLIENT_ID = "ABsandboxDemoClientId0000000000000000000000000000"
DEMO_CLIENT_SECRET = "sandboxDemoClientSecret000000000000000000"
ACCESS_SECONDS = 3600
REFRESH_SECONDS = 8726400  # Intuit's rolling refresh-token lifetime: 101 days
CODE_SECONDS = 300
ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"


@dataclass
class OAuthError(Exception):
    """An OAuth answer other than 200: status and the error body Intuit sends."""

    status: int
    error: str
    description: str = ""

    def body(self) -> dict[str, str]:
        answer = {"error": self.error}
        if self.description:
            answer["error_description"] = self.description
        return answer


@dataclass(frozen=True)
class Access:
    """What a valid access token grants."""

    grant_id: int
    client_id: str
    realm_id: str


def discovery(base: str) -> dict[str, Any]:
    """The discovery document, shaped like Intuit's openid_sandbox_configuration."""
    return {
        "issuer": f"{base}/op/v1",
        "authorization_endpoint": f"{base}/connect/oauth2",
        "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
        "jwks_uri": f"{base}/op/v1/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": [
            "openid",
            "email",
            "profile",
            "address",
            "phone",
            ACCOUNTING_SCOPE,
            "com.intuit.quickbooks.payment",
        ],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


class OAuth:
    def __init__(self, store: Store, grace_seconds: float = 120.0) -> None:
        self.store = store
        # How long a refresh token keeps working after it was exchanged for a new one.
        self.grace_seconds = grace_seconds
        self.register(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, [])

    def register(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        """A client; no redirect URIs means any redirect URI is accepted (the demo client)."""
        self.store.run(
            "INSERT OR REPLACE INTO clients VALUES (?, ?, ?)",
            client_id,
            client_secret,
            json.dumps(redirect_uris),
        )

    def client(self, client_id: str) -> tuple[str, list[str]] | None:
        row = self.store.one(
            "SELECT client_secret, redirect_uris FROM clients WHERE client_id = ?", client_id
        )
        return None if row is None else (row[0], list(json.loads(row[1])))

    def check_authorize(self, client_id: str, redirect_uri: str, response_type: str) -> None:
        """Refuse an authorize request whose client or redirect URI is not registered."""
        found = self.client(client_id)
        if found is None:
            raise OAuthError(400, "invalid_client", "Unknown client_id.")
        if found[1] and redirect_uri not in found[1]:
            raise OAuthError(
                400, "invalid_request", "The redirect_uri is not registered for this client."
            )
        if not redirect_uri.startswith(("http://", "https://")):
            raise OAuthError(400, "invalid_request", "The redirect_uri must be an http(s) URL.")
        if response_type != "code":
            raise OAuthError(400, "unsupported_response_type", "response_type must be code.")

    def issue_code(self, client_id: str, redirect_uri: str, realm_id: str, scope: str) -> str:
        code = "AB" + secrets.token_urlsafe(32)
        self.store.run(
            "INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?, 0)",
            code,
            client_id,
            redirect_uri,
            realm_id,
            scope,
            self.store.clock.now() + CODE_SECONDS,
        )
        return code

    def authenticate(self, authorization: str | None) -> str:
        """The client id of HTTP Basic client credentials; invalid_client otherwise."""
        if not authorization or not authorization.lower().startswith("basic "):
            raise OAuthError(401, "invalid_client")
        try:
            pair = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as error:
            raise OAuthError(401, "invalid_client") from error
        client_id, _, secret = pair.partition(":")
        found = self.client(client_id)
        if found is None or not secrets.compare_digest(found[0], secret):
            raise OAuthError(401, "invalid_client")
        return client_id

    def token(self, authorization: str | None, form: dict[str, str]) -> dict[str, Any]:
        client_id = self.authenticate(authorization)
        grant_type = form.get("grant_type", "")
        with self.store.transaction() as db:
            now = self.store.clock.now()
            if grant_type == "authorization_code":
                row = db.execute(
                    "SELECT * FROM codes WHERE code = ?", (form.get("code", ""),)
                ).fetchone()
                if (
                    row is None
                    or row["used"]
                    or row["expires_at"] < now
                    or row["client_id"] != client_id
                    or row["redirect_uri"] != form.get("redirect_uri")
                ):
                    raise OAuthError(400, "invalid_grant")
                db.execute("UPDATE codes SET used = 1 WHERE code = ?", (row["code"],))
                cursor = db.execute(
                    "INSERT INTO grants (client_id, realm_id, scope) VALUES (?, ?, ?)",
                    (client_id, row["realm_id"], row["scope"]),
                )
                grant_id = int(cursor.lastrowid or 0)
            elif grant_type == "refresh_token":
                row = db.execute(
                    "SELECT t.*, g.client_id, g.revoked FROM tokens t JOIN grants g USING "
                    "(grant_id) WHERE t.token = ? AND t.kind = 'refresh'",
                    (form.get("refresh_token", ""),),
                ).fetchone()
                if (
                    row is None
                    or row["revoked"]
                    or row["client_id"] != client_id
                    or row["expires_at"] < now
                    or (
                        row["superseded_at"] is not None
                        and row["superseded_at"] + self.grace_seconds < now
                    )
                ):
                    raise OAuthError(400, "invalid_grant", "Incorrect or invalid refresh token")
                grant_id = int(row["grant_id"])
                if row["superseded_at"] is None:
                    db.execute(
                        "UPDATE tokens SET superseded_at = ? WHERE token = ?", (now, row["token"])
                    )
            else:
                raise OAuthError(400, "unsupported_grant_type")
            access = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0." + secrets.token_urlsafe(48)
            refresh = "AB" + secrets.token_urlsafe(36)
            db.execute(
                "INSERT INTO tokens VALUES (?, ?, 'access', ?, NULL)",
                (access, grant_id, now + ACCESS_SECONDS),
            )
            db.execute(
                "INSERT INTO tokens VALUES (?, ?, 'refresh', ?, NULL)",
                (refresh, grant_id, now + REFRESH_SECONDS),
            )
        return {
            "token_type": "bearer",
            "expires_in": ACCESS_SECONDS,
            "refresh_token": refresh,
            "x_refresh_token_expires_in": REFRESH_SECONDS,
            "access_token": access,
        }

    def revoke(self, authorization: str | None, token: str) -> None:
        """Revoking any token of a grant (access or refresh) ends the whole grant."""
        client_id = self.authenticate(authorization)
        row = self.store.one(
            "SELECT g.grant_id, g.client_id FROM tokens t JOIN grants g "
            "USING (grant_id) WHERE t.token = ?",
            token,
        )
        if row is None or row["client_id"] != client_id:
            raise OAuthError(400, "invalid_request", "Token is invalid or already revoked.")
        self.store.run("UPDATE grants SET revoked = 1 WHERE grant_id = ?", row["grant_id"])

    def access(self, authorization: str | None) -> tuple[Access | None, str]:
        """The grant of a bearer access token, or None and why it is refused."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None, "Authorization header missing or not a bearer token"
        token = authorization[7:].strip()
        row = self.store.one(
            "SELECT t.expires_at, g.* FROM tokens t JOIN grants g USING (grant_id) "
            "WHERE t.token = ? AND t.kind = 'access'",
            token,
        )
        if row is None:
            return None, "Token invalid"
        if row["revoked"]:
            return None, f"Token revoked: {token[-20:]}"
        if row["expires_at"] < self.store.clock.now():
            return None, f"Token expired: {token[-20:]}"
        return Access(int(row["grant_id"]), row["client_id"], row["realm_id"]), ""

    # Control: token expiry and revocation for fault tests.

    def expire_access_tokens(self, realm_id: str) -> int:
        with self.store.transaction() as db:
            cursor = db.execute(
                "UPDATE tokens SET expires_at = ? WHERE kind = 'access' AND grant_id IN "
                "(SELECT grant_id FROM grants WHERE realm_id = ?)",
                (self.store.clock.now() - 1, realm_id),
            )
            return cursor.rowcount

    def token_pairs(self) -> dict[str, int]:
        """The token pairs issued per company (a code exchange or a refresh makes one)."""
        rows = self.store.all(
            "SELECT g.realm_id, COUNT(*) AS pairs FROM tokens t JOIN grants g USING (grant_id) "
            "WHERE t.kind = 'refresh' GROUP BY g.realm_id"
        )
        return {row["realm_id"]: int(row["pairs"]) for row in rows}

    def revoke_realm(self, realm_id: str) -> int:
        with self.store.transaction() as db:
            return db.execute(
                "UPDATE grants SET revoked = 1 WHERE realm_id = ? AND revoked = 0", (realm_id,)
            ).rowcount
