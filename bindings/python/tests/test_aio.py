"""The asyncio variants: calls run in worker threads, the loop stays free."""

from __future__ import annotations

import asyncio
import time

import pytest
from support import PASSWORD, follow_validation_link, homeserver, unique_username

import mxreg
from mxreg import SignupState, Stage
from mxreg.aio import AsyncClient, probe_server
from mxreg.auth import DUMMY


def test_concurrent_registrations_with_gather() -> None:
    async def main() -> list[mxreg.Registration]:
        async with AsyncClient(homeserver("stress")) as client:
            names = [unique_username("pyaio") for _ in range(5)]
            return await asyncio.gather(*(client.register(n, PASSWORD, auth={"type": DUMMY}) for n in names))

    accounts = asyncio.run(main())
    assert len({a.user_id for a in accounts}) == 5


def test_the_event_loop_keeps_running_during_a_call() -> None:
    async def main() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        # The rate-limited server makes the call wait for seconds in its thread.
        async with AsyncClient(homeserver("ratelimit"), rate_limit_max_wait=120) as client:
            for _ in range(3):
                await client.register(unique_username("pyloop"), PASSWORD, auth={"type": DUMMY})
        task.cancel()
        return ticks

    start = time.monotonic()
    ticks = asyncio.run(main())
    elapsed = time.monotonic() - start
    assert ticks > elapsed * 20  # ~100 ticks a second while calls blocked threads


def test_errors_are_raised_from_the_await() -> None:
    async def main() -> None:
        async with AsyncClient(homeserver("closed")) as client:
            await client.register(unique_username("pyaioclosed"), PASSWORD)

    with pytest.raises(mxreg.ForbiddenError):
        asyncio.run(main())


def test_async_signup_with_email_and_helpers() -> None:
    address = f"{unique_username('pyaiomail')}@example.org"
    since = time.time() - 1

    async def main() -> mxreg.Registration:
        async with AsyncClient(homeserver("email"), rate_limit_max_wait=30) as client:
            assert await client.username_available(unique_username("pyaiofree")) is True
            async with client.signup(unique_username("pyaiomail"), PASSWORD, stages=Stage.EMAIL) as signup:
                await signup.start()
                await signup.request_email_token(address)
                assert await signup.check_email() is False
                await asyncio.to_thread(follow_validation_link, address, since)
                await signup.wait_for_email(poll_interval=0.5, timeout=30)
                assert signup.status is SignupState.COMPLETE
                account = signup.require_complete()
            assert account.refresh_token
            tokens = await client.refresh(account.refresh_token)
            assert tokens.access_token != account.access_token
            return account

    assert asyncio.run(main()).user_id


def test_async_probe() -> None:
    found = asyncio.run(probe_server(homeserver("open")))
    assert mxreg.SignupMethod.LEGACY in found.signup_methods


def test_cancelling_does_not_break_the_client() -> None:
    async def main() -> mxreg.Registration:
        async with AsyncClient(homeserver("stress")) as client:
            task = asyncio.create_task(client.register(unique_username("pycancel"), PASSWORD, auth={"type": DUMMY}))
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The cancelled call finishes in its thread; the client still works.
            return await client.register(unique_username("pycancel"), PASSWORD, auth={"type": DUMMY})

    assert asyncio.run(main()).user_id
