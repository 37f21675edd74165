"""The client end of sync: outbox push, cursor pull, local apply; and the terminal front end."""
