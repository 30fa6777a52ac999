"""Notifications domain: who hears what (inbox, e-mail, digest), by each person's preferences."""

from commonpot.notifications.models import Notification, NotificationPreference
from commonpot.notifications.service import unread_count

__all__ = ["Notification", "NotificationPreference", "unread_count"]
