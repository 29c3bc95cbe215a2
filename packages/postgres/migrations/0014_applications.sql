-- Tenancy (issue 24): the application that owns an actor and a webhook subscription.
-- NULL: registered by an unrestricted (admin or operator) token, or before applications
-- existed; such rows are reached only by unrestricted tokens until an admin assigns them.
ALTER TABLE actors ADD COLUMN application text;
ALTER TABLE webhook_endpoints ADD COLUMN application text;
