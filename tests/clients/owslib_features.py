"""OWSLib's OGC API - Features client against a running wijkatlas.

Usage: owslib_features.py BASE_URL

Every check compares what OWSLib reads with what the script fetched itself from the
server's own JSON, never with hard-coded counts. Prints one line per check and a final
'owslib: N passed, M failed'; exits non-zero on any failure.
"""

import json
import sys
import urllib.parse
import urllib.request

from owslib.ogcapi.features import Features

BASE = sys.argv[1].rstrip("/")
passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def fetch(path):
    with urllib.request.urlopen(BASE + path) as r:
        return json.load(r), dict(r.headers)


def ids(fc):
    return sorted(f["id"] for f in fc["features"])


w = Features(BASE + "/")

conformance = w.conformance()["conformsTo"]
check("conformance lists Part 1 core and Part 3 filter",
      any(c.endswith("ogcapi-features-1/1.0/conf/core") for c in conformance)
      and any(c.endswith("ogcapi-features-3/1.0/conf/filter") for c in conformance),
      conformance)

api = w.api()
check("api() follows the service-desc link to an OpenAPI 3 document",
      api.get("openapi", "").startswith("3."), list(api)[:5])

own, _ = fetch("/collections")
expected = {c["id"]: c["numberOfFeatures"] for c in own["collections"]}
listed = {c["id"]: c["numberOfFeatures"] for c in w.collections()["collections"]}
check("collections() lists every layer with its count", listed == expected, (listed, expected))
check("the bundled layers are there",
      {"gemeenten", "wijken", "voorzieningen"} <= set(listed), sorted(listed))

# Page through all wijken with offsets, as an OWSLib script would.
seen = []
offset = 0
while True:
    page = w.collection_items("wijken", limit=1000, offset=offset)
    seen.extend(f["id"] for f in page["features"])
    offset += page["numberReturned"]
    if page["numberReturned"] == 0 or offset >= page["numberMatched"]:
        break
check("paging collection_items() returns every wijk once",
      len(seen) == expected["wijken"] and len(set(seen)) == len(seen),
      (len(seen), len(set(seen)), expected["wijken"]))

queryables = w.collection_queryables("wijken")
props = queryables.get("properties", {})
check("collection_queryables() describes the properties with types",
      "inwoners" in props and props["inwoners"].get("type") == "number"
      and "gemeentecode" in props, sorted(props)[:8])

everything, _ = fetch("/collections/wijken/items?limit=10000")
utrecht = sorted(f["id"] for f in everything["features"]
                 if f["properties"].get("gemeentecode") == "GM0344")
by_property = w.collection_items("wijken", gemeentecode="GM0344", limit=1000)
check("a property filter selects the gemeente's wijken", ids(by_property) == utrecht,
      (ids(by_property), utrecht))

box = [5.10, 52.05, 5.15, 52.10]
by_bbox = w.collection_items("wijken", bbox=box, limit=1000)
own_bbox, _ = fetch("/collections/wijken/items?limit=1000&bbox=" + ",".join(map(str, box)))
check("bbox gives the server's own bbox answer", ids(by_bbox) == ids(own_bbox) and ids(own_bbox),
      (len(ids(by_bbox)), len(ids(own_bbox))))

rd = "http://www.opengis.net/def/crs/EPSG/0/28992"
in_rd = w.collection_items("wijken", gemeentecode="GM0344", limit=1, crs=rd)
x, y = in_rd["features"][0]["geometry"]["coordinates"][0][0][0]
check("crs=EPSG:28992 answers in RD metres", 100_000 < x < 170_000 and 430_000 < y < 480_000, (x, y))
_, headers = fetch("/collections/wijken/items?limit=1&crs=" + urllib.parse.quote(rd, safe=""))
check("Content-Crs names the CRS", headers.get("content-crs") == f"<{rd}>", headers.get("content-crs"))

flt = "gemeentecode='GM0344' AND inwoners > 1000"
filtered = w.collection_items("wijken", filter=flt, limit=1000)
mine = sorted(f["id"] for f in everything["features"]
              if f["properties"].get("gemeentecode") == "GM0344"
              and (f["properties"].get("inwoners") or 0) > 1000)
check("a CQL2 filter selects what the condition says", ids(filtered) == mine and mine,
      (ids(filtered), mine))

print(f"owslib: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
