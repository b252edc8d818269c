"""Keeping attackers out of the staff side: the admin site that asks for a
second factor, the second-factor pages, and the security log (docs/security.md)."""
