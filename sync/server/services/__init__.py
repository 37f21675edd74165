"""The server's one write path: every source (REST, push, mail, portal) calls these, so
numbering, priority, assignment, notifications and the change log happen the same way."""
