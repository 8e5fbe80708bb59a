"""The project group's back office (/admin).

``blueprint`` holds the blueprint, login and roles; this package's own pages are
login (``auth``), the dashboard, staff accounts, the audit log and the exports
page. The domains' back-office pages live in the domains (``*/admin.py``).
"""
