"""Who manages webhook subscriptions: a partner client its own (with `webhooks:manage`), a
manager those of the clients of institutions they reach. Nobody else knows they exist."""

from app.accounts.models import ApiClient
from app.core.actors import Actor, Scope
from app.membership.policy import reaches_person
from app.webhooks.models import WebhookSubscription


def can_manage_webhooks(actor: Actor) -> bool:
    return actor.has_scope(Scope.WEBHOOKS) and (actor.is_partner_client or actor.is_manager)


def can_subscribe_for(actor: Actor, client: ApiClient) -> bool:
    """A client for itself; a manager for a live client of an institution they reach."""
    if not can_manage_webhooks(actor) or client.revoked_at is not None:
        return False
    if actor.is_partner_client:
        return client.id == actor.api_client_id
    return reaches_person(actor, client.institution_id)


def can_see_subscription(actor: Actor, subscription: WebhookSubscription) -> bool:
    if not can_manage_webhooks(actor):
        return False
    if actor.is_partner_client:
        return subscription.api_client_id == actor.api_client_id
    return reaches_person(actor, subscription.institution_id)
