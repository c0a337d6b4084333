"""The webinar service, by concern: `access` (reading what one may see), `scheduling`,
`registration`, `meetings` (joining, the video service, its events), `attendance`, `hours`,
`materials` and `recordings`. Every rule is asked of `app.webinars.policy`."""
