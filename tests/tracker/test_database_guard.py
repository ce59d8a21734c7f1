"""The redirect's watchdog (tracker.database_guard): it cuts what overran its bound, and nothing
that ended in time, whatever the request threads do meanwhile."""

from tracker import database_guard


class StatementEndingWhileWatched(dict):
    """The watched statements, one of which (`ident`) ends as the watchdog removes it."""

    def __init__(self, entries, ident):
        super().__init__(entries)
        self.ident = ident

    def __delitem__(self, key):
        if key == self.ident:
            self.pop(key)  # the request thread's __exit__, between the watchdog's check and its del
        super().__delitem__(key)


def test_a_statement_that_ends_as_the_watchdog_cuts_it_is_left_alone_and_the_others_are_cut(monkeypatch):
    cut = []
    ended, overdue, in_time = object(), object(), object()
    watched = StatementEndingWhileWatched({1: (5.0, ended), 2: (6.0, overdue), 3: (20.0, in_time)}, ident=1)
    monkeypatch.setattr(database_guard, "_deadlines", watched)
    monkeypatch.setattr(database_guard, "interrupt", cut.append)

    database_guard.cut_overdue_statements(now=10.0)

    assert cut == [overdue]
    assert dict(watched) == {3: (20.0, in_time)}
