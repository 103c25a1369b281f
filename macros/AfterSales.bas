Attribute VB_Name = "AfterSales"
' AfterSales buttons on the cases sheet.
' Each button runs Python through xlwings' RunPython; the work is done in addin/excel/buttons.py,
' which reads the sheets in one call each, computes, writes only the computed columns and reports
' progress and a summary on Excel's status bar.
' Keep this file ASCII: the workbook's VBA project uses code page 1252 on every Windows locale.
Option Explicit

' Recalculate every case row (button: Chinese caption "recalculate").
Public Sub RecalculateCases()
    RunPython "import addin.excel.buttons as b; b.recalc()"
End Sub

' Render review replies and SMS into the text columns and refill the outbox sheet.
Public Sub GenerateTexts()
    RunPython "import addin.excel.buttons as b; b.generate_texts()"
End Sub

' Save the sendable outbox rows as a UTF-8 CSV beside the workbook, for the bulk-SMS site.
Public Sub ExportSms()
    RunPython "import addin.excel.buttons as b; b.export_sms()"
End Sub

' Check every row and the rules sheet; writes only the errors column.
Public Sub ValidateCases()
    RunPython "import addin.excel.buttons as b; b.validate()"
End Sub
