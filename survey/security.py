"""Security headers on every survey response, error pages included."""

from __future__ import annotations

from flask import Flask, Response, request

# The pages load one stylesheet from /static and no script at all; there is nothing inline
# to hash. Forms post only to the survey itself and no other site may frame it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "Referrer-Policy": "same-origin",  # links may carry an invitation code: keep it on this site
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Staff pages and downloads carry response data and audit entries: no shared cache, no disk
# cache and no back/forward cache may keep them after the evaluator has logged out.
STAFF_PREFIX = "/staff/"
STAFF_CACHE_CONTROL = "no-store"
# Two years in seconds, as the HSTS preload list asks; only behind HTTPS in production.
HSTS = "max-age=63072000; includeSubDomains"


def register_security_headers(app: Flask) -> None:
    """Add the security headers to every response; HSTS only when YITI_ENV is production;
    `Cache-Control: no-store` on every staff response, whatever the view set."""
    headers = dict(HEADERS)
    if app.config["YITI_ENV"] == "production":
        headers["Strict-Transport-Security"] = HSTS
    by_name = [(name.lower(), name, value) for name, value in headers.items()]

    def add_headers(response: Response) -> Response:
        # What setdefault does for each, with one pass over the response's own headers rather
        # than two per added header (issue 17: a tenth of a millisecond per submission).
        present = set(response.headers.keys(lower=True))
        response.headers.extend(
            [(name, value) for low, name, value in by_name if low not in present]
        )
        if request.path.startswith(STAFF_PREFIX):
            response.headers["Cache-Control"] = STAFF_CACHE_CONTROL
        return close_unsent_body(response)

    app.after_request(add_headers)


def close_unsent_body(response: Response) -> Response:
    """Close a file body that will never be sent (HEAD, 304 Not Modified).

    werkzeug sends no body for these and never closes the file `send_file` opened, so every
    revalidated stylesheet or favicon would leak a file descriptor until garbage collection.
    """
    if response.status_code == 304 or request.method == "HEAD":
        response.close()
    return response
