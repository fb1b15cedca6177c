"""`nginxlint diff ACTIVE BACKUP`: what restoring a backup would change and
break. audit.py compares findings and effective settings and gives the
verdict; routing.py which requests would be served elsewhere (with sample
paths from regex_samples.py); traffic.py upstream, map and socket changes."""
