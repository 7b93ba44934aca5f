"""Large-data benchmarks: `make bench` (or `python -m bench`), `BENCH_SCALE=0.01 make bench` for a quick run.

The data set (departments, users, a million owned records) is generated once per database and scale and
cached under `var/bench/` (SQLite) or in the database `kehu_bench_<scale>` (PostgreSQL, when
`KEHU_BENCH_DATABASE_URL` is set). Each database is benchmarked in its own process with the settings in
`bench.settings`; results are printed and written to `var/bench/latest.json`.

Adding a benchmark: in any module of this package, register a function that returns a `Case`::

    from bench.registry import Case, benchmark

    @benchmark("customers.list_manager_scope", goal=1.5, baseline="the unscoped query")
    def customers_list(data):
        return Case(run=lambda user: ..., baseline=lambda user: ..., setup=data.fresh_manager)

Every module in `bench/` is imported to discover them; the tests never import this package.
"""
