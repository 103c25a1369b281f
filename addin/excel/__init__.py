"""The add-in inside Excel: worksheet functions, buttons and the ready workbook.

* :mod:`.functions` - the AS_* worksheet functions as plain Python (Excel-shaped values in and out);
  :mod:`.udfs` wraps them for classic xlwings, workbook_templates/xlwings_lite/main.py for xlwings Lite.
* :mod:`.buttons` - what the 重新计算 / 生成回复与短信 / 导出短信 / 检查 buttons run; :mod:`.book` and
  :mod:`.blocks` keep it to one read per sheet and one write per block of computed columns.
* :mod:`.template` - ``new_workbook(path)``: the .xlsm with sheets, VBA project (:mod:`.vba`) and buttons.

Every rule and every cell parser is the one in :mod:`addin.core` and :mod:`addin.workbook`.
"""
