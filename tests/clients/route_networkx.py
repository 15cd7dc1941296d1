"""An independent router for the cross-check of wijkatlas's routing graphs
(tests/routing_networkx.rs): reads an OSM XML extract (.osm or .osm.gz) with the
standard library, builds an UNCONTRACTED networkx DiGraph (one edge per pair of
consecutive way nodes) with the access rules, speeds and ferry durations README
"Travel along the network" states, and answers shortest travel times between OSM node
ids with networkx's Dijkstra.

Input: a JSON file {"osm": path, "mode": "foot"|"bicycle"|"car",
                    "pairs": [[from_osm_id, to_osm_id], ...]}
Output (stdout): {"times": [seconds or null, ...], "nodes": n, "edges": m}

The rules are written here from the README's description, not translated from the Rust
code, so a slip in either shows up as a difference.
"""

import gzip
import json
import math
import sys
import xml.etree.ElementTree as ET

import networkx as nx

R = 6371008.8  # mean earth radius, metres

WALK, CYCLE, FERRY = 5.0, 15.0, 5.0

NEVER = {"construction", "proposed", "planned", "abandoned", "disused", "razed", "no",
         "raceway", "bus_guideway", "escape", "emergency_bay", "rest_area", "services"}
COMMON = {"primary", "primary_link", "secondary", "secondary_link", "tertiary",
          "tertiary_link", "unclassified", "residential", "road", "living_street",
          "service"}
DEFAULT = {
    "foot": COMMON | {"track", "path", "steps", "pedestrian", "footway", "platform"},
    "bicycle": COMMON | {"track", "path", "cycleway"},
    "car": COMMON | {"motorway", "motorway_link", "trunk", "trunk_link"},
}
KEYS = {
    "foot": ["foot", "access"],
    "bicycle": ["bicycle", "vehicle", "access"],
    "car": ["motorcar", "motor_vehicle", "vehicle", "access"],
}
YES = {"yes", "designated", "permissive", "destination", "official", "discouraged"}
NO = {"no", "private", "agricultural", "forestry", "emergency", "psv", "bus", "delivery",
      "customers", "military", "use_sidepath", "permit"}
CAR_CLASS = {"motorway": 100, "motorway_link": 60, "trunk": 80, "primary": 60,
             "secondary": 60, "tertiary": 50, "unclassified": 50, "trunk_link": 50,
             "primary_link": 50, "secondary_link": 50, "tertiary_link": 50,
             "residential": 30, "road": 30, "living_street": 15, "service": 15,
             "track": 15}
NAMED_SPEED = {"NL:urban": 50, "NL:rural": 80, "NL:trunk": 100, "NL:motorway": 100,
               "NL:zone30": 30, "NL:zone60": 60, "NL:living_street": 15, "walk": 15}


def tag(tags, key):
    v = tags.get(key)
    if v is None:
        return None
    v = v.strip()
    return v or None


def access(tags, mode):
    """(allowed, by a mode's own key) or None when no key says anything readable."""
    for key in KEYS[mode]:
        v = tag(tags, key)
        if v is None:
            continue
        v = v.split(";")[0].strip()
        if v in YES:
            return (True, key != "access")
        if v in NO:
            return (False, True)
    return None


def maxspeed(raw):
    raw = raw.strip()
    if raw in NAMED_SPEED:
        return float(NAMED_SPEED[raw])
    factor = 1.0
    if raw.endswith("mph"):
        raw, factor = raw[:-3].strip(), 1.609344
    elif raw.endswith("km/h"):
        raw = raw[:-4].strip()
    try:
        v = float(raw) * factor
    except ValueError:
        return None
    return v if 1.0 <= v <= 200.0 else None


def duration(raw):
    parts = raw.strip().split(":")
    try:
        nums = [int(p.strip()) for p in parts]
    except ValueError:
        return None
    if any(n < 0 for n in nums):
        return None
    if len(nums) == 1:
        s = nums[0] * 60
    elif len(nums) == 2:
        s = nums[0] * 3600 + nums[1] * 60
    elif len(nums) == 3:
        s = nums[0] * 3600 + nums[1] * 60 + nums[2]
    else:
        return None
    return float(s) if s > 0 else None


def oneway(v):
    return {"yes": (True, False), "true": (True, False), "1": (True, False),
            "-1": (False, True), "reverse": (False, True),
            "no": (True, True), "false": (True, True), "0": (True, True)}.get(v)


def directions(tags, mode, highway):
    if mode == "foot":
        return oneway(tag(tags, "oneway:foot")) or (True, True)

    def general():
        d = oneway(tag(tags, "oneway"))
        if d:
            return d
        if tag(tags, "junction") in ("roundabout", "circular") or highway in (
                "motorway", "motorway_link"):
            return (True, False)
        return (True, True)

    if mode == "car":
        return general()
    d = oneway(tag(tags, "oneway:bicycle"))
    if d:
        return d
    for k in ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both"):
        v = tag(tags, k)
        if v and v.startswith("opposite"):
            return (True, True)
    return general()


def passage(tags, mode):
    """(forward, backward, ("speed", kmh) | ("duration", s)) or None."""
    highway = tag(tags, "highway")
    ferry = tag(tags, "route") == "ferry"
    if highway is None and not ferry:
        return None
    if highway in NEVER and not ferry:
        return None
    if tag(tags, "impassable") == "yes":
        return None
    a = access(tags, mode)
    if ferry:
        if mode == "car":
            ok = a is not None and a[0] and a[1]
        else:
            ok = a[0] if a is not None else True
        if not ok:
            return None
        d = duration(tag(tags, "duration") or "")
        cost = ("duration", d) if d else ("speed", FERRY)
        fw, bw = directions(tags, mode, "")
        return (fw, bw, cost)
    by_default = highway in DEFAULT[mode]
    if a is None:
        ok = by_default
    elif not a[0]:
        ok = False
    else:
        ok = by_default or a[1]
    if not ok:
        return None
    if mode == "car":
        ms = maxspeed(tag(tags, "maxspeed")) if tag(tags, "maxspeed") else None
        speed = ms if ms is not None else float(CAR_CLASS.get(highway, 15))
    else:
        speed = WALK if mode == "foot" else CYCLE
    fw, bw = directions(tags, mode, highway)
    if not (fw or bw):
        return None
    return (fw, bw, ("speed", speed))


def haversine(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(h)))


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    nodes, ways = {}, []
    with opener(path, "rb") as f:
        for _, el in ET.iterparse(f, events=("end",)):
            if el.tag == "node":
                nodes[int(el.get("id"))] = (float(el.get("lon")), float(el.get("lat")))
                el.clear()
            elif el.tag == "way":
                refs = [int(nd.get("ref")) for nd in el.findall("nd")]
                tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
                ways.append((refs, tags))
                el.clear()
            elif el.tag == "relation":
                el.clear()
    return nodes, ways


def build(nodes, ways, mode):
    g = nx.DiGraph()

    def add(u, v, t):
        # Parallel ways between the same two nodes: the faster counts.
        if not g.has_edge(u, v) or g[u][v]["t"] > t:
            g.add_edge(u, v, t=t)

    for refs, tags in ways:
        p = passage(tags, mode)
        if p is None:
            continue
        fw, bw, (kind, value) = p
        segs = [(a, b, haversine(nodes[a], nodes[b])) for a, b in zip(refs, refs[1:])
                if a in nodes and b in nodes]
        if kind == "speed":
            per_m = 3.6 / value
        else:
            total = sum(s[2] for s in segs)
            per_m = value / total if total > 0 else 0.0
        for a, b, m in segs:
            if fw:
                add(a, b, m * per_m)
            if bw:
                add(b, a, m * per_m)
    return g


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    nodes, ways = read(spec["osm"])
    g = build(nodes, ways, spec["mode"])
    by_source = {}
    for s, t in spec["pairs"]:
        by_source.setdefault(s, []).append(t)
    answers = {}
    for s, targets in by_source.items():
        lengths = nx.single_source_dijkstra_path_length(g, s, weight="t") if s in g else {}
        for t in targets:
            answers[(s, t)] = lengths.get(t)
    out = {"times": [answers[(s, t)] for s, t in spec["pairs"]],
           "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
