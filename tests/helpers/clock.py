"""The instants the tests pin `now` to. Each is defined once; the tests' expected statuses, deadlines and
send windows are worked out from the one their file uses, so they are named for what they stand for."""
import datetime as dt

# The demo book's morning (addin.demo): its texts are sent at 12:10 the same day, 2026-11-23. The tests of
# the texts, the SMS vendors, the layout and the stages, which build books like it, run at it too.
NOW_DEMO = dt.datetime(2026, 11, 23, 10, 0)
NOW_DEMO_ARG = NOW_DEMO.isoformat(timespec="minutes")       # "2026-11-23T10:00", as typed after --now
# rules.md §5's worked examples: noon on National Day 2026, inside the holiday the examples count around.
NOW_EXAMPLES = dt.datetime(2026, 10, 1, 12, 0)
# The buttons' tests (tests.helpers.fake_xlwings' case sheet; the formulas test pins its clock to it too).
NOW_BUTTONS = dt.datetime(2026, 10, 3, 9, 0)
# The recalc tests' books (tests.helpers.books): the day of their 淘宝 payment at 09:12.
NOW_RECALC = dt.datetime(2026, 10, 8, 12, 0)
# rules.md example 34: the payment-reminder SMS sent at 12:10 to an office worker.
NOW_SMS_EXAMPLE = dt.datetime(2026, 10, 8, 12, 10)
# The platforms' exports (tests.helpers.exports): exported 2026-10-12 10:00, two days after the requests.
NOW_IMPORT = dt.datetime(2026, 10, 12, 10, 0)
