"""ScopedHistory: each scope's memory of keys is its own, and all of them stay bounded."""

import threading

from agent_baton.history import ScopedHistory


def test_each_scope_keeps_its_latest_keys_and_forgets_only_its_own() -> None:
    history: ScopedHistory[int] = ScopedHistory(per_scope=3, budget=10**6)
    history.set("alice", "notes", 1)
    for i in range(10):
        history.set("bob", f"k{i}", i)
    assert history.get("alice", "notes") == 1
    assert [history.get("bob", f"k{i}") for i in range(10)] == [None] * 7 + [7, 8, 9]
    history.set("bob", "k7", 70)  # the most recent again: k8 goes next, not k7
    history.set("bob", "k10", 10)
    assert history.get("bob", "k7") == 70 and history.get("bob", "k8") is None
    assert history.get("bob", "notes") is None and history.get("carol", "notes") is None


def test_over_budget_the_scopes_that_hold_the_most_forget_first() -> None:
    history: ScopedHistory[float] = ScopedHistory(per_scope=100_000, budget=200_000)
    history.set("alice", "draft", 1.0)
    history.set("carol", "a", 1.0)
    history.set("carol", "b", 2.0)
    for i in range(20_000):  # far over the budget, from several users
        history.set(f"user-{i % 3}", f"key-{i}", float(i))
        assert history.nbytes <= history.budget
    # The small scopes kept everything; each flooding one kept its newest keys.
    assert history.get("alice", "draft") == 1.0
    assert history.get("carol", "a") == 1.0 and history.get("carol", "b") == 2.0
    for i in (0, 1, 2):
        assert history.get(f"user-{i}", f"key-{i}") is None  # the oldest went
    for i in (19_997, 19_998, 19_999):
        assert history.get(f"user-{i % 3}", f"key-{i}") == float(i)  # the newest stayed


def test_many_scopes_of_one_key_stay_within_the_budget() -> None:
    history: ScopedHistory[str] = ScopedHistory(per_scope=10, budget=50_000)
    for i in range(10_000):
        history.set(f"scope-{i}", "k", "refused")
    assert 0 < history.nbytes <= history.budget
    assert history.get("scope-9999", "k") == "refused"


def test_pop_and_drop_scopes_release_their_bytes() -> None:
    history: ScopedHistory[int] = ScopedHistory(per_scope=10, budget=10**6)
    history.set("team\x1f", "a", 1)
    history.set("team\x1frun\x1f", "b", 2)
    history.set("other\x1f", "c", 3)
    history.pop("other\x1f", "c")
    assert history.get("other\x1f", "c") is None
    history.drop_scopes(lambda scope: scope.startswith("team\x1f"))
    assert history.get("team\x1f", "a") is None and history.get("team\x1frun\x1f", "b") is None
    assert history.nbytes == 0


def test_concurrent_writers_keep_the_books_straight() -> None:
    history: ScopedHistory[int] = ScopedHistory(per_scope=50, budget=40_000)

    def work(n: int) -> None:
        for i in range(2_000):
            history.set(f"s{n % 4}", f"k{i}", i)
            if i % 7 == 0:
                history.pop(f"s{n % 4}", f"k{i - 3}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 0 < history.nbytes <= history.budget
    history.drop_scopes(lambda scope: True)  # what was charged is exactly what is released
    assert history.nbytes == 0


def test_many_scopes_of_one_key_are_trimmed_a_few_at_a_time() -> None:
    # A scope of one key frees it whole, and its table only once empty: the even level lies
    # under what such a scope holds. The trim stops once under the budget, the newest last.
    history: ScopedHistory[float] = ScopedHistory(per_scope=4096, budget=100_000)
    lowest = history.budget
    for i in range(3_000):
        history.set(f"user{i}\x1f", "report", 1.0)
        assert history.get(f"user{i}\x1f", "report") == 1.0
        if i > 500:
            lowest = min(lowest, history.nbytes)
    assert lowest >= 0.75 * history.budget  # never wiped whole
    assert history.nbytes <= history.budget
