"""The central server: ASGI app, auth, visibility, change log, mail in and out."""
