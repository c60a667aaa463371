"""Authorization (permissions + policy), login, passwords, CSRF, rate limits and headers."""
