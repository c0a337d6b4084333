"""Agora as an LTI 1.3 tool: partner platforms registered (`platforms`), their OIDC logins
(`login`) and launches verified, the person matched or provisioned and signed in (`launch`,
`people`, `targets`), and grades sent back through the platform's AGS endpoint (`passback`)."""
