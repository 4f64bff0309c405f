"""On a served project, a request stuck on a slow formula holds up no other request, and cancelling it stops the worker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from app.core.project import Endpoint
from app.core.run_context import RunLimits
from tests.conftest import action, formula, project_of

RUNAWAY = "($f := function($n) { $f($n + 1) }; $f(0))"  # runs until its time limit


async def _until(condition: Callable[[], object]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


def _project():
    slow = Endpoint(name="slow", method="POST", path="/slow", workflow=[action("spin", "stream.send", eventData={"status": "x", "n": formula(RUNAWAY)})])
    quick = Endpoint(name="quick", method="POST", path="/quick", workflow=[action("hi", "stream.send", eventData={"status": "done", "n": formula("1 + 1")})])
    return project_of(slow, quick)


async def test_a_slow_formula_does_not_hold_up_other_requests(serve):
    served = await serve(_project(), limits=RunLimits(formula_timeout_s=120))
    run_id = "slow-run-0001"
    slow = asyncio.create_task(served.client.post("/slow", headers={**served.auth, "Streamwright-Run": run_id}))
    await _until(lambda: served.state.runs.get(run_id) is not None)
    listing = await served.client.get("/", headers=served.auth)
    assert listing.status_code == 200
    quick = await served.client.post("/quick", headers=served.auth)
    assert quick.status_code == 200 and "done" in quick.text
    channel = served.state.runs.get(run_id)
    assert channel is not None and not channel.done and not slow.done()  # answered while the slow one still runs

    cancelled = await served.client.delete(f"/_runs/{run_id}", headers=served.auth)
    assert cancelled.status_code == 200
    response = await asyncio.wait_for(slow, 30)  # a guard, not a speed check: cancelling kills the worker
    assert response.status_code == 500 and "cancelled" in response.json()["error"]


async def test_a_formula_over_its_limit_is_a_500_naming_the_action(serve):
    served = await serve(_project(), limits=RunLimits(formula_timeout_s=0.3))
    response = await served.client.post("/slow", headers=served.auth)
    assert response.status_code == 500
    body = response.json()
    assert body["action"] == "spin" and "time limit of 0.3 s" in body["error"]
