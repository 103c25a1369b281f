Attribute VB_Name = "AfterSales"
' AfterSales buttons on the cases sheet.
' Each button runs Python through xlwings' RunPython; the work is done in addin/excel/buttons.py,
' which reads the sheets in one call each, computes, writes only the computed columns and reports
' progress and a summary on Excel's status bar. The summary stays there for a while, then the
' status bar goes back to Excel's own (ResetStatusBar, scheduled with Application.OnTime).
' Keep this file ASCII: the workbook's VBA project uses code page 1252 on every Windows locale.
Option Explicit

' Seconds the summary stays on the status bar after a button finished.
Private Const STATUS_SECONDS As Long = 15

' Recalculate every case row (button: Chinese caption "recalculate").
Public Sub RecalculateCases()
    RunPython "import addin.excel.buttons as b; b.recalc()"
    ScheduleStatusReset
End Sub

' Render review replies and SMS into the text columns and refill the outbox sheet.
Public Sub GenerateTexts()
    RunPython "import addin.excel.buttons as b; b.generate_texts()"
    ScheduleStatusReset
End Sub

' Import the platforms' after-sales exports: Excel's Open dialog (several files at once); Cancel
' imports the rows pasted into the import sheet instead.
Public Sub ImportExports()
    RunPython "import addin.excel.buttons as b; b.import_exports()"
    ScheduleStatusReset
End Sub

' Write the bulk-SMS vendor files the templates sheet asks for (Aliyun, Tencent Cloud, else CSV)
' into BOOK_outbox beside the workbook, and log them in the send log sheet.
Public Sub ExportSms()
    RunPython "import addin.excel.buttons as b; b.export_sms()"
    ScheduleStatusReset
End Sub

' Check every row and the rules sheet; writes only the errors column.
Public Sub ValidateCases()
    RunPython "import addin.excel.buttons as b; b.validate()"
    ScheduleStatusReset
End Sub

' Import the SMS vendor's receipt file (Open dialog; Cancel: the receipts pasted into the import
' sheet): statuses into the send log and the cases' SMS status column.
Public Sub ImportReceipts()
    RunPython "import addin.excel.buttons as b; b.import_receipts()"
    ScheduleStatusReset
End Sub

' Move finished or closed cases older than the rules sheet's ARCH-1.days to the archive sheet.
Public Sub ArchiveCases()
    RunPython "import addin.excel.buttons as b; b.archive_cases()"
    ScheduleStatusReset
End Sub

' Undo the last archive: its cases go back to the rows they came from (Alt+F8, no button).
Public Sub RestoreCases()
    RunPython "import addin.excel.buttons as b; b.restore_cases()"
    ScheduleStatusReset
End Sub

' Give the status bar back to Excel: False restores Excel's own text.
Public Sub ResetStatusBar()
    Application.StatusBar = False
End Sub

Private Sub ScheduleStatusReset()
    On Error Resume Next
    Application.OnTime Now + TimeSerial(0, 0, STATUS_SECONDS), "'" & ThisWorkbook.Name & "'!AfterSales.ResetStatusBar"
End Sub
