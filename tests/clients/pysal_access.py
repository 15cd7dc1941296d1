"""E2SFCA and 2SFCA with PySAL's `access` package, for the cross-check in
tests/access_pysal.rs.

Usage: pysal_access.py INPUT.json  (prints the scores as JSON on stdout)

The input holds demand points (id, population), facilities (id, capacity), the
demand-facility distances in metres (computed by wijkatlas, so both sides use the same
numbers), the catchment d0 and the three step weights with their zone bounds.
"""

import json
import math
import sys

import pandas as pd
from access import Access, weights

spec = json.load(open(sys.argv[1]))
demand = pd.DataFrame(spec["demand"])
supply = pd.DataFrame(spec["supply"])
cost = pd.DataFrame(spec["cost"])
d0 = spec["max_cost"]
steps = weights.step_fn({b: w for b, w in zip(spec["bounds"], spec["weights"])})

a = Access(
    demand_df=demand,
    demand_index="id",
    demand_value="population",
    supply_df=supply,
    supply_index="id",
    supply_value="capacity",
    cost_df=cost,
    cost_origin="origin",
    cost_dest="dest",
    cost_name="cost",
)
e2 = a.enhanced_two_stage_fca(name="e2", max_cost=d0, weight_fn=steps)["e2_capacity"]
e2n = a.enhanced_two_stage_fca(name="e2n", max_cost=d0, weight_fn=steps, normalize=True)["e2n_capacity"]
flat = a.two_stage_fca(name="flat", max_cost=d0)["flat_capacity"]


def value(series, i):
    v = series.get(i)
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


out = {i: {"e2": value(e2, i), "e2n": value(e2n, i), "flat": value(flat, i)} for i in demand["id"]}
json.dump(out, sys.stdout)
