"""People and their sessions in the alerts service: who is asking, and may they do this.

``identity`` is the small seam the web console reads (the signed-in user and the CSRF token of
the request); the accounts, password hashing, sessions and the middleware that fills the seam
live in the other modules of this package.
"""
