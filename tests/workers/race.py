"""A second process in the last-unit race: several threads, each with its own write connection
(more adversarial than the gateway's single writer), place orders once a start file appears.

python -m tests.workers.race DB PREFIX THREADS ORDERS_PER_THREAD GO_FILE"""

import json
import os
import sys
import threading
import time

from gateway.adapters.sqlite.database import Database
from gateway.services.orders import create_order


def place_orders(db_path: str, prefix: str, count: int, go_file: str, statuses: list) -> None:
    database = Database(db_path)
    while not os.path.exists(go_file):
        time.sleep(0.001)
    for n in range(count):
        body = {"order_id": f"{prefix}-{n}", "lines": [{"line_id": "1", "sku": "LAST", "qty": 1}]}
        statuses.append(database.run(create_order, body)["status"])
    database.close()


def main() -> None:
    db_path, prefix, threads, per_thread, go_file = sys.argv[1:6]
    statuses: list[str] = []
    workers = [
        threading.Thread(
            target=place_orders,
            args=(db_path, f"{prefix}-t{t}", int(per_thread), go_file, statuses),
        )
        for t in range(int(threads))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps(statuses))


if __name__ == "__main__":
    main()
