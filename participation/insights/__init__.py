"""The analysis in the web app: runs, results and the review queue (/admin/analyse).

``runs`` queues a run, carries it out in the background (calling ``analysis.service``)
and stores what it produced; ``results`` reads the stored results (themes, suggested
focus areas, the review queue, quality); ``admin`` shows them to the project group;
``cli`` gives ``flask --app participation analysis run|retrain|status``.
"""
