"""The 使用说明 sheet of a new workbook: the daily workflow in six steps, the colours, where things are."""
from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill

from addin.workbook.sheets.case_layout import STATUS_STYLES


STEPS = (
    ("1. 录入或导入案件",
     "在「案件」表每行填一个售后案件. 表头带 * 的列必填: 订单号、平台、售后原因. 选中单元格会提示该填什么和示例. "
     "也可以从千牛/京麦/拼多多后台导出售后单, 点「导入平台导出」选文件 (网页版: 粘贴到「导入」表再点), "
     "或用命令 aftersales import 售后.xlsm 导出文件.csv."),
    ("2. 重新计算",
     "点表头上方的「重新计算」按钮 (或命令 aftersales recalc 售后.xlsm). 紧跟在订单号、平台、售后原因、买家之后的是结果: "
     "状态、下一截止、截止事项、赔偿金额、需店长审批、错误."),
    ("3. 先处理「有错误」的行",
     "状态为「有错误」时看「错误」列: 它写明是哪个单元格、错在哪里、应该怎么填. 改好后点「检查」(只写错误列) 或「重新计算」."),
    ("4. 按状态处理到期和审批",
     "筛选「状态」列: 已逾期(红) 先处理, 即将到期(黄) 今天内处理, 需审批(紫) 找店长. 店长定了金额就填「赔偿金额(手工)」, "
     "它总是优先. 细节在右边的「赔偿说明」「全部时限」「提示」列."),
    ("5. 生成回复与短信",
     "点「生成回复与短信」(或 aftersales texts 售后.xlsm), 看「短信校验」「回复校验」; 通过的短信进入「发送队列」. "
     "点「导出短信」得到「模板」表要的群发文件 (阿里云/腾讯云) 并记入「发送记录」; 发送后点「导入回执」导回送达状态."),
    ("6. 看「汇总」并保存",
     "「汇总」表按平台、售后原因、店铺和日期统计案件数、赔偿金额、待审批、已逾期和今天到期, 并有三张图表; "
     "它是 Excel 公式, 随「案件」表更新. 每天下班前保存工作簿."),
)

NOTES = (
    ("列的分组", "输入列按主题分组 (订单、处理与赔偿、退款与退货时间、运费、投诉与京东纠纷、价保与赠品、店铺发货承诺、短信、评价). "
               "表头上方的 [+] / [-] 展开或收起一组; 不常用的组开始时是收起的. 长说明在最右边."),
    ("设置", "「规则」表改比例、上限和天数 (改「值」列); 「日历」表是放假和调休; 「原因对照」表把平台的原因写法对应到售后原因; "
           "「模板」表是回复和短信模板."),
    ("颜色", "蓝色表头 = 输入; 深蓝带 * = 必填; 绿色表头 = 计算结果 (不要手工改, 会被覆盖); 黄色表头 = 赔偿金额(手工)."),
    ("命令行", "aftersales recalc 售后.xlsm  重新计算;  aftersales texts 售后.xlsm  回复与短信;  "
             "aftersales outbox 售后.xlsm  短信群发文件;  aftersales --help  全部命令."),
)


def build_guide_sheet(ws) -> None:
    ws["A1"] = "售后助手 使用说明"
    ws["A1"].font = Font(bold=True, size=14)

    def paragraphs(row: int, items, height: int) -> int:
        for title, text in items:
            head = ws.cell(row=row, column=1, value=title)
            head.font, head.alignment = Font(bold=True), Alignment(vertical="top")
            ws.cell(row=row, column=2, value=text).alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[row].height = height
            row += 1
        return row + 1

    row = paragraphs(3, STEPS, 48)
    ws.cell(row=row, column=1, value="状态的颜色").font = Font(bold=True)
    row += 1
    for word, fill, font, meaning in STATUS_STYLES:
        c = ws.cell(row=row, column=1, value=word)
        c.fill, c.font = PatternFill("solid", fgColor=fill), Font(color=font, bold=True)
        ws.cell(row=row, column=2, value=meaning)
        row += 1
    paragraphs(row + 1, NOTES, 36)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 110
