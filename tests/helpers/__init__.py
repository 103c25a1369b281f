"""What the tests share, so that no test file imports from another.

clock          the fixed instants the tests run at, each defined once and named for what it is
zips           a book's members read as a zip, its cells' XML, and compare_books: two books member by member
books          building a case sheet with openpyxl and reading it back with the product's reader (calamine)
fake_xlwings   a recording stand-in for xlwings' Book/Sheet/Range, the case sheet the button tests use, and
               the demo book (recalculated, with texts) they start from
excel_rows     a case block as Excel hands it to the worksheet functions (COM, and Office.js for xlwings Lite)
exports        the platforms' after-sales exports (千牛, 京麦, 拼多多) in their own shapes, written to files
stream_books   full-layout case sheets written by XlsxWriter and the rows whose batch checks look across the
               sheet, for the streamed recalc, texts and run
sms_books      each SMS kind's rows with sample approved vendor templates, the texts tests' rows, a book built
               from them and its send log

Fixtures shared by several test files are in tests/conftest.py.
"""
