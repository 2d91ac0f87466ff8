"""People, units, memberships and leaderships: the organisation and who sees what."""
