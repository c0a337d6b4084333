"""LTI 1.3 (1EdTech) in both directions: Agora as a platform launching registered external
tools from course modules (with Deep Linking, Assignment and Grade Services and Names and Role
Provisioning), and Agora as a tool that partners' LMSs launch into."""
