"""The 报送平台 in a real browser (Debian's Chromium, headless, through chromium-driver and Selenium), at a
phone's width: a county logs in with its one-time password, sets its own, downloads its template, uploads a
file with an error and reads the cell-named error, uploads the fixed file and sees it accepted; the office's
board follows; the office runs the quarter from the board and the county downloads its 反馈单. With
CHUANGWEN_SCREENSHOTS=<folder> the pages are saved there as PNG (the README's guide)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from test_portal import PASSWORD, SAMPLE, _with_value

from adapters.accounts import AccountStore
from adapters.submissions import Submissions
from core.vocab import OFFICE
from expectations.catalog import load_catalog
from web.app import Portal, create_app
from web.runs import ProcessRuns

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    store = AccountStore(tmp_path / "portal.sqlite3")
    once = {name: store.add(name) for name in ("砚山县", OFFICE)}
    raw, out = tmp_path / "raw", tmp_path / "out"
    runs = ProcessRuns(raw, out, tmp_path / "run.log")
    portal = Portal(store, load_catalog(), "2022Q4", Submissions(raw, tmp_path / "received"), out, runs)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(portal), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", once, tmp_path
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--lang=zh-CN"):
        options.add_argument(arg)
    # a phone's screen (a desktop window cannot be made narrower than 500 px)
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 2}}
    )
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.implicitly_wait(5)
    driver.downloads = downloads
    yield driver
    driver.quit()


def _shot(driver, name: str) -> None:
    folder = os.environ.get("CHUANGWEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def _submit(driver, selector: str, title: str) -> None:
    """Click a form's button and wait for the page it leads to (by its title)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.cwOldPage = true")  # gone once the next page has loaded
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return window.cwOldPage === undefined"))
    WebDriverWait(driver, 30).until(expected_conditions.title_contains(title))


def _downloaded(driver, suffix: str, seconds: float = 10) -> Path:
    """The file with this suffix the browser saved in its download folder (a partial .crdownload does not
    count), waiting for it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = [p for p in driver.downloads.iterdir() if p.suffix == suffix]
        if got:
            return got[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded within {seconds} s")


def _fill(driver, **fields) -> None:
    from selenium.webdriver.common.by import By

    for name, value in fields.items():
        box = driver.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)


def test_a_county_submits_in_the_browser_and_the_office_sees_it(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    url, once, root = server
    browser.get(url + "/")
    assert "登录" in browser.title  # not signed in: the login page
    _fill(browser, name="砚山县", password=once["砚山县"])
    _shot(browser, "1-登录")
    _submit(browser, "form.stack button", "修改密码")
    _fill(browser, old=once["砚山县"], new=PASSWORD, again=PASSWORD)
    _submit(browser, "form.stack button", "砚山县")
    assert "砚山县" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.execute_script("return window.innerWidth") == 375
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375  # no sideways scroll
    _shot(browser, "2-首页")

    browser.find_element(By.LINK_TEXT, "下载2022年第四季度报送模板（.xlsx）").click()
    assert _downloaded(browser, ".xlsx").stat().st_size > 10_000

    bad = tmp_path / "砚山县-有错.xlsx"
    bad.write_bytes(_with_value(SAMPLE / "砚山县.xlsx", "6.3.2a", "见附件"))
    browser.find_element(By.NAME, "file").send_keys(str(bad))
    _submit(browser, "form[action='/upload'] button", "砚山县")
    error_row = browser.find_element(By.CSS_SELECTOR, "table.problems tr.err")
    assert "6.3.2a" in error_row.text and "见附件" in error_row.text and "填报表" in error_row.text
    _shot(browser, "3-检查结果有错误")
    assert not (root / "raw" / "2022Q4" / "砚山县.xlsx").exists()

    browser.find_element(By.NAME, "file").send_keys(str(SAMPLE / "砚山县.xlsx"))
    _submit(browser, "form[action='/upload'] button", "砚山县")
    assert "检查通过" in browser.find_element(By.CSS_SELECTOR, ".result .ok").text
    _shot(browser, "4-检查通过")
    assert (root / "raw" / "2022Q4" / "砚山县.xlsx").read_bytes() == (SAMPLE / "砚山县.xlsx").read_bytes()

    _submit(browser, "form.logout button", "登录")
    _fill(browser, name=OFFICE, password=once[OFFICE])
    _submit(browser, "form.stack button", "修改密码")
    _fill(browser, old=once[OFFICE], new=PASSWORD, again=PASSWORD)
    _submit(browser, "form.stack button", "报送情况")
    rows = {r.find_element(By.TAG_NAME, "td").text: r.text for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert "已报送" in rows["砚山县"] and "未报送" in rows["丘北县"]
    _shot(browser, "5-报送情况")

    for other in SAMPLE.iterdir():  # the other counties' files, as the office placed them by hand
        if other.name != "砚山县.xlsx":
            shutil.copy(other, root / "raw" / "2022Q4" / other.name)
    browser.refresh()
    assert "已报送" in browser.find_element(By.XPATH, "//tr[td[1]='丘北县']").text
    _submit(browser, "form[action='/run'] button", "季度运行")
    deadline = time.monotonic() + 900
    while "正在运行" in browser.page_source and time.monotonic() < deadline:
        time.sleep(3)
        browser.refresh()
    assert "运行完成" in browser.page_source, browser.find_element(By.TAG_NAME, "main").text[-2000:]
    assert "［错误］" not in browser.find_element(By.CSS_SELECTOR, "pre.log").text  # nothing of the portal's in raw/
    _shot(browser, "6-运行完成")

    browser.get(url + "/")
    _submit(browser, "form.logout button", "登录")
    _fill(browser, name="砚山县", password=PASSWORD)
    _submit(browser, "form.stack button", "砚山县")
    browser.find_element(By.LINK_TEXT, "下载本县（市）2022年第四季度反馈单（PDF）").click()
    sheet = root / "out" / "2022Q4" / "counties" / "砚山县反馈单.pdf"
    assert _downloaded(browser, ".pdf").read_bytes() == sheet.read_bytes()
