"""The shared content model's behaviour: kinds, writing, editing, states.

Every feature writes through :mod:`community.content.services`, so moderation
(pre-moderation, filters), search (the index outbox) and notifications (events)
see every kind of content the same way. Each kind describes itself once with a
:class:`~community.content.registry.ContentKind`.
"""
