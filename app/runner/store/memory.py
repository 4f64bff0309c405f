"""The default run store: this process's memory, as one ``serve`` process needs and nothing more."""

from __future__ import annotations

from app.runner.runs import RunChannel, RunRegistry


class MemoryRunStore:
    """Runs live and end in this process; nothing per message beyond the channel itself."""

    shared = False

    def __init__(self, *, capacity: int = 10_000, keep_s: float = 60.0) -> None:
        self.registry = RunRegistry(capacity=capacity, keep_s=keep_s)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        await self.registry.cancel_all()

    async def create(self, run_id: str, endpoint: str, linger_s: float) -> RunChannel:
        return self.registry.create(run_id, endpoint, linger_s)

    async def find(self, run_id: str) -> RunChannel | None:
        return self.registry.get(run_id)

    async def stop(self, run_id: str) -> bool | None:
        channel = self.registry.get(run_id)
        if channel is None:
            return None
        channel.cancel()
        return not channel.done
