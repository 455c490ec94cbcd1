#!/usr/bin/env python3
"""The DuckDB side of chitieu-bench: the same yearly roll-up as chitieu's, as one SQL query.

chitieu-bench exports the current figures of the year it rolls up (figures.csv), the units
(units.csv) and the indicators (indicators.csv) from its SQLite database as CSV into a folder,
writes this script beside it and runs it. The script:

1. loads the CSV files into an in-memory DuckDB database (timed, `load_s`);
2. runs the roll-up query `--runs` times on the data already in memory (`query_s`: the "warm"
   side, compared with chitieu's roll-up from its snapshot in memory);
3. with `--db-file`, copies the tables into DuckDB's own database file (not timed), then
   `--runs` times opens that file with a new connection and runs the query (`file_s`: the
   "cold" side, each engine reading its own storage on disk, compared with chitieu opening its
   database and reading its snapshot saved on disk); the results must agree with step 2;

and prints one JSON object on standard output:

    {"duckdb": "<version>", "load_s": 1.2, "query_s": [0.31, 0.29, 0.30],
     "file_s": [0.2, 0.19, 0.2], "file_bytes": 31000000, "rows": 2100,
     "national_sums": {"budget_revenue": "123456.789", ...}}

The roll-up follows chitieu_core::rollup on a tree nation -> provinces -> communes:
- a commune's year figure: the sum of its months (cumulative indicators) or its last month
  (level indicators);
- a parent's value from its children's effective values (children with a value only): sum,
  mean, weighted mean (sum(v*w)/sum(w)), ratio (sum(num)/sum(den)*scale over children with
  both components), none (no value: only communes report here).
Sums stay exact (DECIMAL); DuckDB divides in DOUBLE, so means and ratios are approximate.
`national_sums` holds the nation's value of every summed indicator, as exact decimal text, for
chitieu-bench to compare with its own.

Usage: python3 duckdb_rollup.py --dir DIR --year 2025 --scale 3 --runs 3 [--db-file FILE]
"""

import argparse
import json
import os
import sys
import time

try:
    import duckdb
except ImportError:
    print("duckdb is not installed: pip install duckdb", file=sys.stderr)
    sys.exit(3)


def level(suffix, child):
    """CTEs rolling the children in `child` up to their parents, named roll_<suffix>.

    `child` has columns indicator, unit_id, parent_id, exact (DECIMAL or NULL), approx (DOUBLE).
    """
    return f"""
agg_{suffix} AS (
    SELECT indicator, parent_id AS unit_id, sum(exact) AS s, avg(approx) AS mean, count(*) AS k
    FROM {child} GROUP BY indicator, parent_id
),
ratio_{suffix} AS (
    SELECT i.code AS indicator, n.parent_id AS unit_id,
           sum(n.approx) AS sn, sum(d.approx) AS sd, count(*) AS k, any_value(i.scale) AS scale
    FROM ind i
    JOIN {child} n ON n.indicator = i.numerator
    JOIN {child} d ON d.indicator = i.denominator AND d.unit_id = n.unit_id
    WHERE i.aggregation = 'ratio'
    GROUP BY i.code, n.parent_id
),
wmean_{suffix} AS (
    SELECT i.code AS indicator, v.parent_id AS unit_id,
           sum(v.approx * w.approx) AS swv, sum(w.approx) AS sw, count(*) AS k
    FROM ind i
    JOIN {child} v ON v.indicator = i.code
    JOIN {child} w ON w.indicator = i.weight AND w.unit_id = v.unit_id
    WHERE i.aggregation = 'weighted_mean'
    GROUP BY i.code, v.parent_id
),
roll_{suffix} AS (
    SELECT a.indicator, a.unit_id, a.s AS exact, NULL::DOUBLE AS approx, a.k AS reporting
    FROM agg_{suffix} a JOIN ind i ON i.code = a.indicator AND i.aggregation = 'sum'
    UNION ALL
    SELECT a.indicator, a.unit_id, NULL, a.mean, a.k
    FROM agg_{suffix} a JOIN ind i ON i.code = a.indicator AND i.aggregation = 'mean'
    UNION ALL
    SELECT a.indicator, a.unit_id, NULL, NULL, a.k
    FROM agg_{suffix} a JOIN ind i ON i.code = a.indicator AND i.aggregation = 'none'
    UNION ALL
    SELECT indicator, unit_id, NULL, CASE WHEN sd <> 0 THEN sn / sd * scale END, k
    FROM ratio_{suffix}
    UNION ALL
    SELECT indicator, unit_id, NULL, CASE WHEN sw <> 0 THEN swv / sw END, k
    FROM wmean_{suffix}
)"""


def rollup_sql(year):
    first, last = f"{year}-M01", f"{year}-M12"
    return f"""
WITH
ind AS (SELECT * FROM indicator),
yr AS (
    SELECT f.indicator, f.unit_id,
           CASE WHEN any_value(i.temporal) = 'cumulative' THEN sum(f.value)
                ELSE arg_max(f.value, f.period) END AS value
    FROM figure f JOIN ind i ON i.code = f.indicator
    WHERE f.period BETWEEN '{first}' AND '{last}'
    GROUP BY f.indicator, f.unit_id
),
child_p AS (
    SELECT y.indicator, y.unit_id, u.parent_id, y.value AS exact, y.value::DOUBLE AS approx
    FROM yr y JOIN unit u ON u.unit_id = y.unit_id AND u.level = 'commune'
),
{level("p", "child_p")},
child_n AS (
    SELECT r.indicator, r.unit_id, u.parent_id, r.exact,
           coalesce(r.approx, r.exact::DOUBLE) AS approx
    FROM roll_p r JOIN unit u ON u.unit_id = r.unit_id AND u.level = 'province'
    WHERE r.exact IS NOT NULL OR r.approx IS NOT NULL
),
{level("n", "child_n")}
SELECT 'province' AS level, * FROM roll_p
UNION ALL
SELECT 'nation', * FROM roll_n
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db-file", default=None)
    a = ap.parse_args()
    if not 0 <= a.scale <= 18:
        sys.exit("--scale must be 0 to 18")

    con = duckdb.connect()
    start = time.perf_counter()
    path = lambda name: os.path.join(a.dir, name).replace("'", "''")
    con.execute(
        f"""CREATE TABLE figure AS SELECT * FROM read_csv('{path("figures.csv")}', header = true,
            columns = {{'indicator': 'VARCHAR', 'unit_id': 'BIGINT', 'period': 'VARCHAR',
                        'value': 'DECIMAL(18,{a.scale})'}})"""
    )
    con.execute(
        f"""CREATE TABLE unit AS SELECT * FROM read_csv('{path("units.csv")}', header = true,
            columns = {{'unit_id': 'BIGINT', 'parent_id': 'BIGINT', 'level': 'VARCHAR'}})"""
    )
    con.execute(
        f"""CREATE TABLE indicator AS SELECT * FROM read_csv('{path("indicators.csv")}',
            header = true, all_varchar = true)"""
    )
    con.execute(
        "CREATE OR REPLACE TABLE indicator AS SELECT code, aggregation, temporal, numerator,"
        " denominator, TRY_CAST(scale AS DOUBLE) AS scale, weight FROM indicator"
    )
    load_s = time.perf_counter() - start

    sql = rollup_sql(a.year)
    times = []
    rows = []
    for _ in range(max(1, a.runs)):
        start = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append(time.perf_counter() - start)

    sums = con.execute("SELECT code FROM indicator WHERE aggregation = 'sum'").fetchall()
    summed = {c for (c,) in sums}

    def national_sums(result):
        out = {}
        for level_name, indicator, _unit, exact, _approx, _k in result:
            if level_name == "nation" and indicator in summed and exact is not None:
                out[indicator] = str(exact)
        return out

    national = national_sums(rows)

    file_s = []
    file_bytes = 0
    if a.db_file:
        if os.path.exists(a.db_file):
            os.remove(a.db_file)
        con.execute(f"ATTACH '{a.db_file.replace(chr(39), chr(39) * 2)}' AS disk")
        for table in ("figure", "unit", "indicator"):
            con.execute(f"CREATE TABLE disk.{table} AS SELECT * FROM {table}")
        con.execute("DETACH disk")
        file_bytes = os.path.getsize(a.db_file)
        for _ in range(max(1, a.runs)):
            start = time.perf_counter()
            disk = duckdb.connect(a.db_file, read_only=True)
            from_file = disk.execute(sql).fetchall()
            disk.close()
            file_s.append(time.perf_counter() - start)
            if national_sums(from_file) != national or len(from_file) != len(rows):
                sys.exit("the roll-up from the database file differs from the one in memory")
    print(
        json.dumps(
            {
                "duckdb": duckdb.__version__,
                "load_s": load_s,
                "query_s": times,
                "file_s": file_s,
                "file_bytes": file_bytes,
                "rows": len(rows),
                "national_sums": national,
            }
        )
    )


if __name__ == "__main__":
    main()
