"""Background jobs: plain functions (jobs.py) and the APScheduler that runs them (runner.py)."""
