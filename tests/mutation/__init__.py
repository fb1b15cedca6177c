"""The mutation test of issue 14: single mutations of valid configs, judged by
real `nginx -t` and by nginxlint, compared line for line.

- bases.py: the valid configs mutated (the shared corpus and sample_configs),
  staged so nginx -t needs nothing of the host, and why the others are skipped;
- mutate.py: the mutation table (one row per kind of mistake, and rows nginx
  accepts), seeded, so a seed names one set of mutants;
- judge.py: each mutant through `nginx -t` and nginxlint, the verdict, the table.

tests/test_mutation_nginx.py runs it in the suite (marked live and slow);
tools/mutation_check.py prints the table for any size and seed.
"""
