"""Notifications: in the portal and by e-mail, per kind immediately, in a daily digest or off."""
