"""Agora as an LTI 1.3 platform: tools registered and placed in courses as modules, launched
by OIDC third-party-initiated login, Deep Linking, and the services tools call (OAuth 2 client
credentials, Assignment and Grade Services, Names and Role Provisioning)."""
