"""The statements a Norwegian public body owes on its website: the accessibility
statement (tilgjengelighetserklæring, Uutilsynet's format) and the privacy statement."""
