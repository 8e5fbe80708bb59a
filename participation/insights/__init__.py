"""The analysis in the web app: runs, results and the review queue (/admin/analyse).

``service`` reads the database, calls ``analysis.service`` and stores what a run
produced; ``tasks`` runs it in the background; ``routes`` shows it to the project
group; ``cli`` gives ``flask --app participation analysis run|retrain|status``.
"""
