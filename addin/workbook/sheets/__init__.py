"""The staff workbook's sheets: names, headers and columns, what each holds, how a new workbook lays them out."""
