"""The mutation generator of tests/mutation/ without nginx: one seed, one set
of mutants; every row applies; staging keeps every line where it was."""
from __future__ import annotations

from tests.mutation import bases, mutate

SAMPLES_ONLY = [bases.stage(*c) for c in bases.candidates() if c[0].startswith("sample_configs/")]


def test_a_seed_names_one_set_of_mutants_covering_every_row():
    first = mutate.generate(SAMPLES_ONLY, 3 * len(mutate.ROWS), 7)
    again = mutate.generate(SAMPLES_ONLY, 3 * len(mutate.ROWS), 7)
    assert [(m.row, m.base.origin, m.text, m.line) for m in first] == [(m.row, m.base.origin, m.text, m.line) for m in again]
    assert {m.row for m in first} == set(mutate.ROWS)
    assert all(m.text != m.base.target for m in first)
    assert [m.text for m in mutate.generate(SAMPLES_ONLY, 20, 8)] != [m.text for m in first[:20]]


def test_staging_rewrites_the_host_away_on_the_same_lines():
    text = ("user nginx;\nhttp {\n    include /etc/nginx/mime.types;\n    access_log /var/log/nginx/a.log main;\n"
            "    upstream app { server app.internal:8080; }\n    server {\n        listen 10.1.2.3:443 ssl;\n"
            "        ssl_certificate /etc/ssl/x.pem;\n        ssl_dhparam /etc/ssl/dh.pem;\n"
            "        location / { proxy_pass http://backend.example.com/; }\n        location /app { proxy_pass http://app; }\n"
            "    }\n}\n")
    staged = dict(bases.stage("x", "main", text).files)[bases.MAIN]
    assert staged.count("\n") == text.count("\n")
    for gone in ("user nginx", "mime.types", "/var/log", "app.internal", "10.1.2.3", ":443", "/etc/ssl", "dh.pem", "backend.example.com"):
        assert gone not in staged, gone
    assert "access_log logs/f1.log;" in staged and "proxy_pass http://app;" in staged and "127.0.0.2:18443 ssl" in staged
