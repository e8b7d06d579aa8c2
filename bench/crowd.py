"""Several users asking through the page's API at once (`gradio_client`), for the load benches.

Owns the questions they ask (our own, none from the evaluation sets) and the timing of each
question as its user sees it; what else happens meanwhile is the caller's `during`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

QUESTIONS = [
    "Wat mist Rudy van Belkom op het internet, dat wel boekenwinkels heeft?",
    "Welk project noemt Marleen Stikker waarbij burgers zelf de luchtkwaliteit meten?",
    "Waarom is de cloud volgens Bob van Graft niet altijd de oplossing?",
    "Waarom pleit Frauke Wessel voor een landelijke centrale voorziening voor basale IT-functies?",
]


def ask_concurrently(
    url: str, users: int, per_user: int, during: Callable[[], None] | None = None
) -> tuple[list[float], list[str], float]:
    """Each user asks `per_user` questions in turn, all users starting together; `during` runs
    once they have started. Returns the seconds per answered question, the failures, and the
    wall time from the start."""
    from gradio_client import Client

    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(users + 1)

    def user(i: int) -> None:
        client = Client(url, verbose=False)
        start.wait()
        for k in range(per_user):
            q = QUESTIONS[(i + k) % len(QUESTIONS)]
            t = time.perf_counter()
            try:
                client.predict(q, [], api_name="/chat")
                with lock:
                    times.append(time.perf_counter() - t)
            except Exception as e:  # a failed question is counted, not fatal
                with lock:
                    failures.append(f"{q}: {e}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    if during is not None:
        during()
    for t in threads:
        t.join()
    return times, failures, time.perf_counter() - began
