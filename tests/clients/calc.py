"""Drive LibreOffice Calc through UNO as a county's staff would: open a workbook, type into cells the way a
person types (the `.uno:EnterString` dispatch, so that "12%" becomes 0.12 with a percent format, as Calc,
Excel and WPS store it), hide or copy sheets, and save in a format a county sends (.xlsx, .xls, .csv).

Runs with Debian's /usr/bin/python3 (python3-uno), not the project's interpreter:

    /usr/bin/python3 tests/clients/calc.py SPEC.json

SPEC: {"input": path, "output": path, "format": "xlsx"|"xls"|"csv", "profile": dir, "pipe": name,
       "steps": [{"do": "type", "sheet": ..., "cell": "J84", "text": "12%"}, {"do": "hide", "sheet": ...},
                 {"do": "copy_sheet", "sheet": ..., "as": ..., "position": 0}]}
"""

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "xls": "MS Excel 97", "csv": "Text - txt - csv (StarCalc)"}


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("LibreOffice did not answer on its pipe")


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation=file://{spec['profile']}",
            f"--accept=pipe,name={spec['pipe']};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ctx = connect(spec["pipe"])
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        # headless already; a hidden frame would make Calc's Excel export forget which sheets are hidden
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(spec["input"]), "_blank", 0, ())
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        controller = doc.getCurrentController()
        for step in spec["steps"]:
            sheets = doc.getSheets()
            if step["do"] == "type":
                sheet = sheets.getByName(step["sheet"])
                controller.setActiveSheet(sheet)
                controller.select(sheet.getCellRangeByName(step["cell"]))
                dispatcher.executeDispatch(
                    controller.getFrame(), ".uno:EnterString", "", 0, (prop("StringName", step["text"]),)
                )
            elif step["do"] == "hide":  # as a person does: unprotect the structure, step off the sheet, hide it
                doc.unprotect("")
                names = sheets.getElementNames()
                other = next(n for n in names if n != step["sheet"] and sheets.getByName(n).IsVisible)
                controller.setActiveSheet(sheets.getByName(other))
                sheets.getByName(step["sheet"]).IsVisible = False
            elif step["do"] == "copy_sheet":
                doc.unprotect("")
                sheets.copyByName(step["sheet"], step["as"], step.get("position", 0))
            else:
                raise ValueError(f"unknown step {step}")
        args = [prop("FilterName", FILTERS[spec["format"]])]
        if spec["format"] == "csv":  # comma, double quote, UTF-8, from row 1, as shown; the sheet (1-based)
            names = list(doc.getSheets().getElementNames())
            sheet = names.index(spec.get("csv_sheet", "填报表")) + 1
            args.append(prop("FilterOptions", f"44,34,76,1,,0,false,true,true,false,false,{sheet}"))
        doc.storeToURL(uno.systemPathToFileUrl(spec["output"]), tuple(args))
        if spec["format"] == "csv":  # Calc names a one-sheet export <name>-<sheet>.csv
            output = Path(spec["output"])
            named = output.with_name(f"{output.stem}-{spec.get('csv_sheet', '填报表')}.csv")
            if named.exists():
                named.replace(output)
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge goes down with the office
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=60)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
