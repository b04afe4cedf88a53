"""Moderation for every kind of content: flags, queue, trust levels, filters, scoped
moderators, sanctions, audit log and the public transparency report."""
