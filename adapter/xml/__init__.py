"""Pure XML code: safe parsing, schema loading per profile, and message validation.

Nothing here imports a transport: these modules read bytes and files, never sockets.
"""
