"""Regenerate the demo's raw seed CSVs.

The output is committed, so this only needs running after changing the generator. A fixed random seed
keeps the CSVs byte-identical between runs, which keeps git diffs meaningful.

Usage: ``python demo_duckdb/scripts/generate_seeds.py`` (standard library only).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
RANDOM_SEED = 20240611
N_CUSTOMERS = 100
N_ORDERS = 300
N_ORDER_ITEMS = 600
FIRST_DAY = dt.date(2024, 1, 1)
DAYS_OPEN = 120

FIRST_NAMES = [
    "Ada", "Bram", "Cleo", "Dario", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jonas",
    "Kaia", "Luca", "Mira", "Nils", "Oona", "Pavel", "Quinn", "Rosa", "Sami", "Tove",
    "Umar", "Vera", "Wim", "Xenia", "Yusuf", "Zora",
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Brandt", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
    "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Silva",
]  # fmt: skip

# (sku, name, type, price in cents, description)
PRODUCTS = [
    ("JAF-001", "Nutella Dreams", "jaffle", 1100, "Hazelnut spread and sliced banana, toasted until molten."),
    ("JAF-002", "Tangaroa", "jaffle", 1200, "Ham, pineapple and cheddar."),
    ("JAF-003", "Chilli Con Carnival", "jaffle", 1400, "Slow-cooked beef chilli with jalapenos."),
    ("JAF-004", "Mel-bourne", "jaffle", 1200, "Mushroom, spinach and gruyere."),
    ("JAF-005", "Doctor Cheese", "jaffle", 900, "Three cheeses, nothing else."),
    ("JAF-006", "The Sunrise", "jaffle", 1300, "Egg, bacon and tomato relish."),
    ("BEV-001", "Flat White", "beverage", 450, "Double ristretto with textured milk."),
    ("BEV-002", "Iced Long Black", "beverage", 500, "Espresso over cold water and ice."),
    ("BEV-003", "Chai Latte", "beverage", 550, "Spiced black tea with steamed milk."),
    ("BEV-004", "Fresh Lemonade", "beverage", 400, "Squeezed to order, lightly sweetened."),
]

ORDER_STATUSES = ["placed", "shipped", "completed", "return_pending", "returned"]
STATUS_WEIGHTS = [6, 8, 76, 4, 6]
PAYMENT_METHODS = ["credit_card", "coupon", "bank_transfer", "gift_card"]
METHOD_WEIGHTS = [55, 15, 20, 10]
STORES = ["brooklyn", "philadelphia", "chicago"]


def _write(name: str, header: list[str], rows: list[list[object]]) -> None:
    """Write one seed CSV with Unix line endings so the file is identical on every platform."""
    with (SEEDS_DIR / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    """Generate all five raw seed files."""
    rng = random.Random(RANDOM_SEED)

    customers: list[list[object]] = []
    for customer_id in range(1, N_CUSTOMERS + 1):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        signup = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS_OPEN // 2))
        # A few customers never gave an email address: a realistic null for the tests to tolerate.
        email = "" if rng.random() < 0.05 else f"{first}.{last}{customer_id}@example.com".lower()
        customers.append([customer_id, first, last, email, signup.isoformat()])
    _write("raw_customers", ["id", "first_name", "last_name", "email", "signed_up_at"], customers)

    # Dates are drawn first and ids handed out afterwards, so order ids rise with the order date.
    drafts: list[tuple[str, object, str, str]] = []
    for _ in range(N_ORDERS):
        customer = rng.choice(customers)
        signup = dt.date.fromisoformat(str(customer[4]))
        remaining = (FIRST_DAY + dt.timedelta(days=DAYS_OPEN) - signup).days
        ordered = signup + dt.timedelta(days=rng.randrange(remaining))
        status = rng.choices(ORDER_STATUSES, STATUS_WEIGHTS)[0]
        drafts.append((ordered.isoformat(), customer[0], status, rng.choice(STORES)))
    drafts.sort(key=lambda draft: draft[0])
    orders: list[list[object]] = [
        [order_id, customer_id, ordered_on, status, store]
        for order_id, (ordered_on, customer_id, status, store) in enumerate(drafts, start=1)
    ]
    _write("raw_orders", ["id", "user_id", "order_date", "status", "store"], orders)

    # Every order gets at least one line; the rest are spread at random.
    order_ids = [int(str(row[0])) for row in orders]
    line_orders = sorted(order_ids + [rng.choice(order_ids) for _ in range(N_ORDER_ITEMS - N_ORDERS)])
    items: list[list[object]] = []
    order_totals: dict[int, int] = {}
    for item_id, order_id in enumerate(line_orders, start=1):
        sku, _name, _kind, price, _desc = rng.choice(PRODUCTS)
        quantity = rng.choices([1, 2, 3], [80, 15, 5])[0]
        items.append([item_id, order_id, sku, quantity])
        order_totals[order_id] = order_totals.get(order_id, 0) + price * quantity
    _write("raw_order_items", ["id", "order_id", "sku", "quantity"], items)

    # Most orders are paid in one go; some split across two methods (a coupon plus a card, say).
    payments: list[list[object]] = []
    for order_id in sorted(order_totals):
        total = order_totals[order_id]
        if rng.random() < 0.17:
            part = rng.randrange(1, total // 100 + 1) * 100 if total > 100 else total
            splits = [part, total - part] if total - part > 0 else [total]
        else:
            splits = [total]
        for amount in splits:
            method = rng.choices(PAYMENT_METHODS, METHOD_WEIGHTS)[0]
            payments.append([len(payments) + 1, order_id, method, amount])
    _write("raw_payments", ["id", "order_id", "payment_method", "amount"], payments)

    _write(
        "raw_products",
        ["sku", "name", "type", "price", "description"],
        [list(product) for product in PRODUCTS],
    )


if __name__ == "__main__":
    main()
