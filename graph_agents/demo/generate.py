"""A seeded generator for the bundled demo graph: the "Northwind Market" e-commerce marketplace.

The graph follows ArangoDB conventions (``_key``, ``_id``, ``_from``, ``_to``) and is written as
one JSON-lines file per collection plus ``graph.json`` (the named graph's edge definitions), a
business requirements document and the ground truth of the structures planted in the data:

1. influential products (PageRank on customers/products + purchased),
2. co-purchase communities (label propagation on customers/products + purchased),
3. a ring of customer accounts sharing devices (WCC on customers/devices + uses_device),
4. a cycle of money transfers between sellers (SCC on sellers + transfers),
5. a broker between communities in the referral network (betweenness on customers + referred).

Everything is derived from ``random.Random(seed)``: the same seed gives byte-identical files.
"""

from __future__ import annotations

import json
import os
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Bump whenever the output changes, so ensure_demo regenerates stale copies.
GENERATOR_VERSION = "1"
DEFAULT_SEED = 7
GRAPH_NAME = "ecommerce"
VERSION_FILE = "VERSION"

DEMO_REQUIREMENTS = """\
# Northwind Market: Marketplace Graph Analytics Requirements

Northwind Market is an online marketplace where independent sellers offer products to about two
thousand registered customers. The marketplace graph records which customers purchased which
products, the devices customers sign in from, the referral programme (which customers referred
whom) and the money transfers between sellers. This document states the business questions the
analytics team is asked to answer from that graph for the next quarterly review.

## Objectives

- Grow revenue by promoting the products that matter most to what customers buy.
- Personalise marketing for the customer segments that buy the same kinds of products.
- Reduce fraud losses from fake accounts and from money moving in circles between sellers.
- Strengthen the referral programme by knowing which customers bridge its separate circles.

## Requirements

1. (High priority) Merchandising must know which products are the most influential and important in what customers purchased, so that the home page and the newsletter feature them.
2. (High priority) Marketing must find the co-purchase communities: segments of customers that buy together, based on the products they purchased, so that each segment gets its own campaign.
3. (High priority) Trust and Safety must detect rings of linked accounts: customers sharing devices (the same phone or computer signing in to many customer accounts) are likely one fraudster.
4. (Medium priority) Finance should detect circular cycles of money transfers between sellers, where a payment travels from seller to seller and returns to the seller who sent it.
5. (Medium priority) The growth team should find the customers who act as a broker or bridge between communities in the referral network (who referred whom), because the programme depends on them.

## Stakeholders

- Head of Merchandising: owns the home page and the weekly newsletter.
- Marketing Director: owns campaigns and the marketing budget.
- Trust and Safety Lead: owns account fraud investigations.
- Chief Financial Officer: owns payments compliance and seller payouts.
- Growth Manager: owns the referral programme.

## Constraints

- The analysis must run on the marketplace graph as it is stored today, without a copy of the data.
- Results must be ready within one working day and must be explained in plain business language.
- Personal data of customers (names, emails) must stay inside the platform.
- Reports refer to customers by document id, never by name.
- Fraud findings are leads for an investigator, never an automatic account suspension.
"""

# --------------------------------------------------------------------------------------------
# Vocabulary for realistic-looking names

_FIRST = (
    "Amelia Oliver Isla Noah Ava Liam Mia Lucas Sofia Elijah Chloe Mateo Emma Leo Grace Hugo "
    "Nora Felix Zoe Theo Ella Jonas Lena Oscar Maya Adrian Clara Samuel Freya Daniel Ines Victor "
    "Hannah Tomas Julia Marco Alice Ivan Rosa Erik Lucia Anton Vera Diego Elena Pavel Sara Omar "
    "Leila Kenji Aiko Ravi Priya Kofi Amara Mateus Yara Niels Ingrid Paolo"
).split()
_LAST = (
    "Novak Smith Garcia Muller Rossi Kowalski Jensen Dubois Silva Tanaka Patel Okafor Larsen "
    "Moreau Fischer Costa Nowak Berg Janssen Romano Schmidt Lopez Horvat Lindqvist Petrov Murphy "
    "Kim Nguyen Fernandes Weber Bianchi Haddad Sato Mensah Eriksen Kaya Varga Martins Dvorak "
    "Keller Russo Andersen Ortiz Popescu Brennan Wagner Santos Yilmaz Koch Hansen Marino Vogel"
).split()
_CITIES = (
    "Lisbon", "Porto", "Madrid", "Barcelona", "Lyon", "Paris", "Brussels", "Amsterdam",
    "Rotterdam", "Hamburg", "Berlin", "Munich", "Vienna", "Prague", "Warsaw", "Krakow",
    "Copenhagen", "Stockholm", "Oslo", "Helsinki", "Dublin", "Manchester", "Milan", "Turin",
    "Zurich",
)
_SEGMENTS = ("new", "regular", "loyal", "vip")
_SEGMENT_WEIGHTS = (0.25, 0.45, 0.22, 0.08)
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

# Five shopping themes, one per co-purchase community, four categories each.
_THEMES: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    ("kitchen", (
        ("Coffee & Tea", ("Espresso Grinder", "Pour-Over Kettle", "French Press", "Milk Frother",
                          "Tea Infuser", "Cold Brew Maker", "Coffee Scale")),
        ("Cookware", ("Cast Iron Skillet", "Saucepan Set", "Dutch Oven", "Wok", "Stock Pot",
                      "Nonstick Frying Pan")),
        ("Kitchen Appliances", ("Stand Mixer", "Hand Blender", "Air Fryer", "Rice Cooker",
                                "Toaster", "Food Processor")),
        ("Tableware", ("Stoneware Plate Set", "Wine Glasses", "Serving Bowl", "Cutlery Set",
                       "Linen Napkins", "Ceramic Mugs")),
    )),
    ("outdoors", (
        ("Camping", ("Trekking Tent", "Sleeping Bag", "Camp Stove", "Headlamp", "Trail Backpack",
                     "Folding Chair")),
        ("Cycling", ("Bike Helmet", "Cycling Gloves", "Bike Light Set", "Saddle Bag", "Floor Pump",
                     "Bike Lock")),
        ("Running", ("Running Vest", "Trail Shoes", "Sports Watch Strap", "Compression Socks",
                     "Running Jacket", "Hydration Belt")),
        ("Garden", ("Pruning Shears", "Garden Hose", "Raised Planter", "Seed Starter Kit",
                    "Watering Can", "Garden Gloves")),
    )),
    ("electronics", (
        ("Audio", ("Wireless Earbuds", "Bookshelf Speakers", "Studio Headphones",
                   "Bluetooth Speaker", "Soundbar", "Turntable")),
        ("Computer Accessories", ("Mechanical Keyboard", "Wireless Mouse", "USB-C Hub",
                                  "Laptop Stand", "Monitor Arm", "Webcam")),
        ("Smart Home", ("Smart Plug", "Video Doorbell", "Smart Thermostat", "Motion Sensor",
                        "Smart Bulb Kit", "Robot Vacuum")),
        ("Photography", ("Camera Tripod", "Prime Lens", "Camera Bag", "Ring Light",
                         "Memory Card", "Lens Filter Kit")),
    )),
    ("fashion", (
        ("Shoes", ("Leather Sneakers", "Chelsea Boots", "Canvas Loafers", "Suede Derbies",
                   "Rain Boots", "Sandals")),
        ("Bags", ("Leather Tote", "Weekender Bag", "Crossbody Bag", "Laptop Sleeve",
                  "Canvas Backpack", "Card Wallet")),
        ("Watches", ("Field Watch", "Dive Watch", "Chronograph", "Dress Watch", "Watch Strap",
                     "Pocket Watch")),
        ("Outerwear", ("Wool Coat", "Down Jacket", "Trench Coat", "Rain Shell", "Fleece Vest",
                       "Quilted Jacket")),
    )),
    ("family", (
        ("Toys", ("Wooden Train Set", "Building Blocks", "Plush Bear", "Puzzle Cube",
                  "Marble Run", "Kite")),
        ("Baby Care", ("Baby Carrier", "Changing Bag", "Bottle Warmer", "Baby Monitor",
                       "Swaddle Set", "Play Mat")),
        ("Books", ("Picture Book", "Atlas for Kids", "Story Collection", "Activity Book",
                   "Science Encyclopedia", "Bedtime Stories")),
        ("Board Games", ("Strategy Board Game", "Card Game", "Family Quiz Game", "Chess Set",
                         "Cooperative Game", "Dice Game")),
    )),
)
_BRANDS = (
    "Aurora", "Nordic", "Summit", "Lumen", "Harbor", "Cedar", "Velvet", "Atlas", "Ember",
    "Fjord", "Meridian", "Willow", "Cobalt", "Juniper", "Orbit", "Granite", "Solstice", "Kestrel",
    "Maple", "Tundra", "Halcyon", "Sierra", "Pioneer", "Beacon",
)
_PRICE_RANGE = {"kitchen": (12, 320), "outdoors": (9, 380), "electronics": (15, 450),
                "fashion": (25, 520), "family": (8, 160)}
# Everyday products that every kind of customer buys: the planted influential products.
_INFLUENTIAL = (
    ("Northwind Gift Card", "Books", 50.0),
    ("Fjord USB-C Charger", "Computer Accessories", 24.9),
    ("Summit Insulated Water Bottle", "Camping", 29.0),
    ("Aurora Organic Coffee Beans", "Coffee & Tea", 16.5),
    ("Harbor Reusable Tote Bag", "Bags", 12.0),
)

_SELLER_PREFIX = (
    "Bluefjord", "Kestrel", "Oakline", "Brightwater", "Northstar", "Redwood", "Silverleaf",
    "Harborview", "Ironbridge", "Greenfield", "Stonegate", "Westwind", "Copperhill", "Lakeside",
    "Maplecrest", "Sunpeak", "Driftwood", "Highland", "Riverbend", "Foxglove",
)
_SELLER_SUFFIX = ("Trading", "Goods", "Supply", "Outfitters", "Emporium", "Collective",
                  "Market", "Store", "Wholesale", "& Co")
_COUNTRIES = ("Portugal", "Spain", "France", "Germany", "Netherlands", "Poland", "Italy",
              "Sweden", "Denmark", "Ireland", "Czechia", "Austria")
_DEVICE_TYPES = (
    ("android_phone", "Android phone", 0.38),
    ("iphone", "iPhone", 0.30),
    ("windows_laptop", "Windows laptop", 0.14),
    ("macbook", "MacBook", 0.08),
    ("tablet", "Tablet", 0.10),
)

# --------------------------------------------------------------------------------------------
# Sizes of the generated graph

N_CUSTOMERS = 2000
COMMUNITY_SIZES = (440, 420, 400, 380, 360)  # sums to N_CUSTOMERS, one per theme
N_SELLERS = 60
N_TRANSFERS = 150
CYCLE_LENGTH = 5
RING_SIZE = 10
RING_DEVICES = 4
N_HOUSEHOLDS = 30
REFERRAL_SHARE = 0.5  # customers of each community who take part in the referral programme
# Purchases. Label propagation recovers the co-purchase communities when each community has
# its own best sellers (Zipf popularity: the product of rank r has weight 1/(r+1)) and when the
# few edges across communities go to niche products; PageRank puts the influential products on
# top when each has more buyers than any community best seller. Tuned against label propagation
# (igraph's, and networkx's asynchronous and semi-synchronous ones): customers with fewer than
# three products of their community make runs merge or shatter communities.
MIN_PURCHASES = 3  # products a customer buys from its own community: 3 + extra
EXTRA_PURCHASE_WEIGHTS = (0.5, 0.3, 0.2)  # probabilities of 0, 1, 2 extra products
CROSS_COMMUNITY_PURCHASE = 0.02  # share of customers who also buy a product of another community
CROSS_NICHE_FROM = 10  # purchases outside the home community skip its 10 best sellers
# buyers of each influential product, as a multiple of the best community product's buyers
INFLUENTIAL_REACH = (1.3, 1.27, 1.24, 1.21, 1.18)

_EPOCH = date(2021, 1, 1)
_LAST_DAY = date(2024, 12, 31)


def _day(d: date) -> str:
    return d.isoformat()


class _Collections:
    """The documents of every collection; edges get their keys in :meth:`finalize`."""

    def __init__(self) -> None:
        self.docs: dict[str, list[dict[str, Any]]] = {}
        self._prefix: dict[str, str] = {}

    def add(self, collection: str, key: str, **attrs: Any) -> str:
        doc = {"_key": key, "_id": f"{collection}/{key}", **attrs}
        self.docs.setdefault(collection, []).append(doc)
        return doc["_id"]

    def edge(self, collection: str, prefix: str, src: str, dst: str, **attrs: Any) -> None:
        self._prefix[collection] = prefix
        self.docs.setdefault(collection, []).append({"_from": src, "_to": dst, **attrs})

    def finalize(self, rng: random.Random, reshuffle: tuple[str, ...]) -> dict[str, str]:
        """Shuffle the keys of the ``reshuffle`` collections (so no planted vertex hides in the
        first keys), key the edges in date order; return the old id -> new id mapping."""
        moved: dict[str, str] = {}
        for name in reshuffle:
            docs = self.docs[name]
            keys = [d["_key"] for d in docs]
            rng.shuffle(keys)
            for doc, key in zip(docs, keys):
                new_id = f"{name}/{key}"
                moved[doc["_id"]] = new_id
                doc["_key"], doc["_id"] = key, new_id
            docs.sort(key=lambda d: d["_key"])
        for name, prefix in self._prefix.items():
            docs = self.docs[name]
            for doc in docs:
                doc["_from"] = moved.get(doc["_from"], doc["_from"])
                doc["_to"] = moved.get(doc["_to"], doc["_to"])
            docs.sort(key=lambda d: (d.get("date") or d.get("first_seen") or "",
                                     d["_from"], d["_to"]))
            width = max(5, len(str(len(docs))))
            for i, doc in enumerate(docs, 1):
                doc["_key"] = f"{prefix}{i:0{width}d}"
                doc["_id"] = f"{name}/{doc['_key']}"
        return moved


def _weighted_index(rng: random.Random, cum: list[float]) -> int:
    """Index drawn from cumulative weights ``cum`` (last element = total)."""
    x = rng.random() * cum[-1]
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] > x:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _build(seed: int) -> tuple[_Collections, dict[str, Any]]:
    rng = random.Random(seed)
    db = _Collections()

    # ---- categories -------------------------------------------------------------------------
    category_ids: dict[str, str] = {}
    n = 0
    for _theme, cats in _THEMES:
        for cat_name, _nouns in cats:
            n += 1
            category_ids[cat_name] = db.add("categories", f"cat{n:02d}", name=cat_name)

    # ---- sellers ----------------------------------------------------------------------------
    seller_names: set[str] = set()
    seller_ids: list[str] = []
    for i in range(N_SELLERS):
        while True:
            name = f"{rng.choice(_SELLER_PREFIX)} {rng.choice(_SELLER_SUFFIX)}"
            if name not in seller_names:
                break
        seller_names.add(name)
        seller_ids.append(db.add("sellers", f"s{i:03d}", name=name, country=rng.choice(_COUNTRIES)))

    # ---- products ---------------------------------------------------------------------------
    product_names: set[str] = set()
    product_ids: list[str] = []
    product_price: dict[str, float] = {}
    product_category: dict[str, str] = {}

    def add_product(name: str, cat_name: str, price: float) -> str:
        key = f"p{len(product_ids):04d}"
        pid = db.add("products", key, name=name, category=cat_name, price=price)
        product_ids.append(pid)
        product_names.add(name)
        product_price[pid] = price
        product_category[pid] = cat_name
        return pid

    influential = [add_product(name, cat, price) for name, cat, price in _INFLUENTIAL]
    per_community = (400 - len(influential)) // len(_THEMES)  # 79
    community_products: list[list[str]] = []
    for theme, cats in _THEMES:
        lo, hi = _PRICE_RANGE[theme]
        products: list[str] = []
        for j in range(per_community):
            cat_name, nouns = cats[j % len(cats)]
            while True:
                name = f"{rng.choice(_BRANDS)} {rng.choice(nouns)}"
                if name not in product_names:
                    break
                name = f"{name} {rng.choice(('II', 'Pro', 'Mini', 'Plus', 'XL', 'Lite'))}"
                if name not in product_names:
                    break
            # prices look like retail prices: log-uniform, ending in .99 / .90 / .00
            price = round(lo * (hi / lo) ** rng.random()) + rng.choice((-0.01, -0.10, 0.0))
            products.append(add_product(name, cat_name, round(max(price, 4.99), 2)))
        rng.shuffle(products)  # popularity rank within the community, independent of the key
        community_products.append(products)
    # heavy-tailed (Zipf) popularity inside each community: its best sellers hold it together
    community_cum = [
        _cumulative([1.0 / (r + 1) for r in range(len(p))]) for p in community_products
    ]

    for pid in product_ids:
        db.edge("belongs_to", "bt", pid, category_ids[product_category[pid]])
    # catalogue sizes vary from seller to seller
    seller_cum = _cumulative([1.0 / (i + 3) for i in range(N_SELLERS)])
    seller_order = seller_ids[:]
    rng.shuffle(seller_order)
    for pid in product_ids:
        db.edge("sold_by", "sb", pid, seller_order[_weighted_index(rng, seller_cum)])

    # ---- customers --------------------------------------------------------------------------
    customer_ids: list[str] = []
    signup: dict[str, date] = {}
    span = (date(2024, 6, 30) - _EPOCH).days
    for i in range(N_CUSTOMERS):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        signed = _EPOCH + timedelta(days=rng.randrange(span))
        cid = db.add(
            "customers", f"c{i:05d}",
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}{i}@{rng.choice(_EMAIL_DOMAINS)}",
            city=rng.choice(_CITIES),
            segment=rng.choices(_SEGMENTS, _SEGMENT_WEIGHTS)[0],
            signup_date=_day(signed),
        )
        customer_ids.append(cid)
        signup[cid] = signed

    shuffled = customer_ids[:]
    rng.shuffle(shuffled)
    communities: list[list[str]] = []
    start = 0
    for size in COMMUNITY_SIZES:
        communities.append(sorted(shuffled[start:start + size]))
        start += size
    community_of = {c: k for k, members in enumerate(communities) for c in members}

    # ---- purchased --------------------------------------------------------------------------
    def purchase_date(cid: str) -> date:
        first = signup[cid]
        return first + timedelta(days=rng.randrange((_LAST_DAY - first).days + 1))

    def buy(cid: str, pid: str) -> None:
        qty = rng.choices((1, 2, 3), (0.8, 0.15, 0.05))[0]
        db.edge("purchased", "pu", cid, pid, quantity=qty,
                amount=round(product_price[pid] * qty, 2), date=_day(purchase_date(cid)))

    n_themes = len(_THEMES)
    baskets: dict[str, list[str]] = {}
    for cid in customer_ids:
        home = community_of[cid]
        extra = rng.choices(range(len(EXTRA_PURCHASE_WEIGHTS)), EXTRA_PURCHASE_WEIGHTS)[0]
        k = MIN_PURCHASES + extra
        chosen: list[str] = []
        while len(chosen) < k:
            pid = community_products[home][_weighted_index(rng, community_cum[home])]
            if pid not in chosen:
                chosen.append(pid)
        baskets[cid] = chosen
    # rare purchases outside the home community, of niche products (never the other community's
    # best sellers), by customers who already hold several products of their own community
    for cid in customer_ids:
        if rng.random() < CROSS_COMMUNITY_PURCHASE:
            other = (community_of[cid] + 1 + rng.randrange(n_themes - 1)) % n_themes
            baskets[cid].append(rng.choice(community_products[other][CROSS_NICHE_FROM:]))
    # the influential products: each bought by more customers than any community best seller
    indegree: dict[str, int] = {}
    for basket in baskets.values():
        for pid in basket:
            indegree[pid] = indegree.get(pid, 0) + 1
    best_seller = max(indegree.values())
    # every customer buys at most one of them, so no customer leans towards them
    reach = [round(best_seller * f) for f in INFLUENTIAL_REACH]
    buyers = rng.sample(customer_ids, sum(reach))
    start = 0
    for pid, n_buyers in zip(influential, reach):
        for cid in buyers[start:start + n_buyers]:
            basket = baskets[cid]
            basket.insert(rng.randrange(len(basket) + 1), pid)
        start += n_buyers
    for cid in customer_ids:
        for pid in baskets[cid]:
            buy(cid, pid)

    # ---- devices and uses_device ------------------------------------------------------------
    device_cum = _cumulative([w for _t, _l, w in _DEVICE_TYPES])
    n_devices = 0

    def new_device(kind: int | None = None) -> str:
        nonlocal n_devices
        if kind is None:
            kind = _weighted_index(rng, device_cum)
        type_name, label, _w = _DEVICE_TYPES[kind]
        fingerprint = f"{rng.getrandbits(64):016x}"
        did = db.add("devices", f"d{n_devices:05d}", name=f"{label} {fingerprint[:4]}",
                     fingerprint=fingerprint, type=type_name)
        n_devices += 1
        return did

    def use(cid: str, did: str) -> None:
        db.edge("uses_device", "ud", cid, did,
                first_seen=_day(signup[cid] + timedelta(days=rng.randrange(60))))

    pool = customer_ids[:]
    rng.shuffle(pool)
    ring = sorted(pool[:RING_SIZE])
    households = pool[RING_SIZE:RING_SIZE + 2 * N_HOUSEHOLDS]
    broker_candidates = set(pool[RING_SIZE:])  # the broker is never a ring member
    special = set(pool[:RING_SIZE + 2 * N_HOUSEHOLDS])

    shared_devices = [new_device(0 if i % 2 == 0 else 2) for i in range(RING_DEVICES)]
    ring_order = ring[:]
    rng.shuffle(ring_order)
    for i, cid in enumerate(ring_order):
        # member i uses devices i and i+1 (mod RING_DEVICES): the ring is connected
        use(cid, shared_devices[i % RING_DEVICES])
        use(cid, shared_devices[(i + 1) % RING_DEVICES])

    for h in range(N_HOUSEHOLDS):
        a, b = households[2 * h], households[2 * h + 1]
        family = new_device(rng.choice((2, 3, 4)))
        use(a, family)
        use(b, family)
        use(a, new_device(rng.choice((0, 1))))  # one member also has a personal phone: 4 vertices

    for cid in customer_ids:
        if cid in special:
            continue
        use(cid, new_device())
        if rng.random() < 0.10:
            use(cid, new_device())

    # ---- transfers (sellers -> sellers) -----------------------------------------------------
    cycle_idx = rng.sample(range(N_SELLERS), CYCLE_LENGTH)
    cycle = [seller_ids[i] for i in cycle_idx]  # in cycle order: cycle[i] -> cycle[i+1]
    in_cycle = set(cycle)
    others = [s for s in seller_ids if s not in in_cycle]
    rng.shuffle(others)
    # a topological rank: every transfer outside the cycle goes from a lower to a higher rank,
    # and the cycle's sellers share one rank, so the cycle is the only strongly connected part
    rank = {s: i for i, s in enumerate(others[: len(others) // 2])}
    rank.update({s: len(others) // 2 for s in cycle})
    rank.update({s: len(others) // 2 + 1 + i for i, s in enumerate(others[len(others) // 2:])})
    amount = 9800 + rng.randrange(400)
    day = date(2024, 3, 4) + timedelta(days=rng.randrange(200))
    for i, src in enumerate(cycle):
        dst = cycle[(i + 1) % len(cycle)]
        db.edge("transfers", "t", src, dst, amount=float(amount), date=_day(day))
        amount -= rng.randrange(40, 90)  # a small "fee" kept at each hop
        day += timedelta(days=rng.randrange(1, 3))
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < N_TRANSFERS - CYCLE_LENGTH:
        u, v = rng.sample(seller_ids, 2)
        if rank[u] == rank[v]:
            continue
        if rank[u] > rank[v]:
            u, v = v, u
        if (u, v) in pairs:
            continue
        pairs.add((u, v))
        db.edge("transfers", "t", u, v,
                amount=round(50 * (2000 / 50) ** rng.random(), 2),
                date=_day(_EPOCH + timedelta(days=rng.randrange((_LAST_DAY - _EPOCH).days))))

    # ---- referred (customers -> customers) --------------------------------------------------
    participants: list[list[str]] = []
    for members in communities:
        part = rng.sample(members, round(len(members) * REFERRAL_SHARE))
        participants.append(part)
    broker_home = rng.randrange(len(communities))
    broker = next(c for c in participants[broker_home] if c in broker_candidates)

    def refer(a: str, b: str) -> None:
        later = max(signup[a], signup[b])
        db.edge("referred", "r", a, b,
                date=_day(later + timedelta(days=rng.randrange(30))))

    for part in participants:
        # a random cycle through every participant plus random chords: connected, average
        # degree ~3 and no vertex that stands out (no hub, no cut vertex)
        order = part[:]
        rng.shuffle(order)
        edges: set[frozenset[str]] = set()
        for i, a in enumerate(order):
            b = order[(i + 1) % len(order)]
            edges.add(frozenset((a, b)))
            refer(*((a, b) if rng.random() < 0.5 else (b, a)))
        chords = len(order) // 2
        while chords:
            a, b = rng.sample(order, 2)
            if frozenset((a, b)) in edges:
                continue
            edges.add(frozenset((a, b)))
            refer(*((a, b) if rng.random() < 0.5 else (b, a)))
            chords -= 1
    for k, part in enumerate(participants):
        if k == broker_home:
            continue
        refer(broker, rng.choice(part))  # the broker referred someone in every other community

    moved = db.finalize(rng, ("products", "devices"))
    influential = [moved[p] for p in influential]
    shared_devices = [moved[d] for d in shared_devices]
    truth = {
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "graph_name": GRAPH_NAME,
        "influential_products": influential,
        "copurchase_communities": communities,
        "device_ring": ring,
        "shared_devices": shared_devices,
        "seller_cycle": cycle,
        "broker": broker,
        "collections": {name: len(docs) for name, docs in sorted(db.docs.items())},
        "description": {
            "influential_products": (
                "Five everyday products bought by customers of every community; they are the "
                "top 5 by PageRank on customers/products with purchased edges."
            ),
            "copurchase_communities": (
                f"{len(communities)} customer communities (kitchen, outdoors, electronics, "
                "fashion, family); each buys almost only from its own product set, so label "
                "propagation on customers/products with purchased edges recovers them."
            ),
            "device_ring": (
                f"{RING_SIZE} customer accounts signing in from {RING_DEVICES} shared devices; "
                "with the shared devices they are the largest weakly connected component of "
                "customers/devices with uses_device edges (all others have at most 4 vertices)."
            ),
            "shared_devices": "The devices shared by the device ring's accounts.",
            "seller_cycle": (
                f"{CYCLE_LENGTH} sellers passing a similar amount around a directed cycle of "
                "transfers; the only strongly connected component with more than one seller."
            ),
            "broker": (
                "The one customer whose referrals reach into every other community; the only "
                "path between the referral communities and the top vertex by betweenness on "
                "customers with referred edges (undirected)."
            ),
        },
    }
    return db, truth


_EDGE_DEFINITIONS = (
    ("purchased", ["customers"], ["products"]),
    ("belongs_to", ["products"], ["categories"]),
    ("sold_by", ["products"], ["sellers"]),
    ("uses_device", ["customers"], ["devices"]),
    ("transfers", ["sellers"], ["sellers"]),
    ("referred", ["customers"], ["customers"]),
)


def _version_text(seed: int) -> str:
    return f"graph_agents.demo generator {GENERATOR_VERSION} seed {seed}\n"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def generate_demo(target: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write the demo graph, its requirements and its ground truth into ``target``; return it."""
    target = Path(target)
    data = target / "data"
    data.mkdir(parents=True, exist_ok=True)
    marker = target / VERSION_FILE
    if marker.exists():
        # an older demo lives here: drop its collections so none outlives the generator
        marker.unlink()
        for old in data.glob("*.jsonl"):
            old.unlink()
    db, truth = _build(seed)
    for name, docs in sorted(db.docs.items()):
        _write(data / f"{name}.jsonl",
               "".join(json.dumps(d, sort_keys=True, ensure_ascii=False) + "\n" for d in docs))
    graph = {
        "name": GRAPH_NAME,
        "edge_definitions": [
            {"collection": c, "from": f, "to": t} for c, f, t in _EDGE_DEFINITIONS
        ],
    }
    _write(data / "graph.json", json.dumps(graph, indent=2, sort_keys=True) + "\n")
    _write(target / "requirements.md", DEMO_REQUIREMENTS)
    _write(target / "ground_truth.json", json.dumps(truth, indent=2, sort_keys=True) + "\n")
    _write(marker, _version_text(seed))  # last: a half-written demo has no marker
    return target


def default_demo_dir() -> Path:
    """``<workspace>/demo``, the workspace being $GRAPH_AGENTS_HOME or ./.graph_agents."""
    home = os.environ.get("GRAPH_AGENTS_HOME")
    return (Path(home) if home else Path(".graph_agents")) / "demo"


def ensure_demo(target: Path | None = None) -> Path:
    """The demo directory, generated first if it is missing or from another generator version."""
    target = Path(target) if target is not None else default_demo_dir()
    marker = target / VERSION_FILE
    complete = (
        marker.is_file()
        and (target / "data" / "graph.json").is_file()
        and (target / "requirements.md").is_file()
        and (target / "ground_truth.json").is_file()
    )
    if not complete or marker.read_text(encoding="utf-8") != _version_text(DEFAULT_SEED):
        generate_demo(target, DEFAULT_SEED)
    return target
