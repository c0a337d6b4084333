"""The forums service: every rule about forums, threads and posts, for the API and the pages."""
