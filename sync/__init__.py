"""The sync protocol and both of its ends (client in sync.client, server in sync.server)."""
