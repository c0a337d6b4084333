"""The webinar service, by concern: `access` (reading what one may see), `scheduling`,
`registration`, `meetings` (joining, the video service, its events), `attendance`, `hours`,
`materials`, `recordings` and `linked` (the sessions a webinar module stands for, as its
pages show them). Every rule is asked of `app.webinars.policy`."""
