"""Personal data (GDPR): the retention purge, and finding, exporting and deleting what is
held about one e-mail address."""
