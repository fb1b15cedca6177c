"""`nginxlint fix`: fixes declared by the rules (policy/fixes.py), made as
line edits (edits.py) of the findings a fix can remove (planning.py),
proved by a re-lint and nginx -t (run.py, verify_nginx.py), shown as a
unified diff (show.py) or written, all files or none."""
