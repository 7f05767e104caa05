#!/usr/bin/env python3
"""End-to-end test in a real, headless Chromium.

Starts `castellan serve` on a fresh SQLite database, signs in, switches to Chinese,
creates departments and a user with a role through the forms, checks what the pages say,
and saves screenshots of every page in both languages to the output directory.

Usage: browser_test.py CASTELLAN_BINARY OUTPUT_DIR
"""

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ADMIN_PASSWORD = "browser-test-passphrase"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"castellan exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("castellan did not become ready")


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1440,1000",
        "--lang=en-US",
    ]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def gone(element):
    """Waits until `element` no longer belongs to the page. Chromium reports a node of a
    page being replaced either as stale or as "does not belong to the document"."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return check


def main():
    binary, out_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="castellan-e2e-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        CASTELLAN_DATABASE_URL=f"sqlite://{work}/castellan.db",
        CASTELLAN_LISTEN=f"127.0.0.1:{port}",
        CASTELLAN_ADMIN_PASSWORD=ADMIN_PASSWORD,
        CASTELLAN_LOG="warn",
    )
    env.pop("CASTELLAN_CONFIG", None)
    server = subprocess.Popen([binary, "serve"], env=env, cwd=work)
    driver = None
    try:
        wait_ready(base, server)
        driver = browser()
        shots = []

        def shot(name):
            path = os.path.join(out_dir, name + ".png")
            # Full-page screenshot: grow the window to the document height.
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1440, max(900, min(height + 40, 4000)))
            driver.save_screenshot(path)
            driver.set_window_size(1440, 1000)
            shots.append(path)

        def click_and_wait(by, selector):
            """Clicks something that loads a new page and waits until it has."""
            old = driver.find_element(By.TAG_NAME, "html")
            driver.find_element(by, selector).click()
            WebDriverWait(driver, 20).until(gone(old))
            WebDriverWait(driver, 20).until(
                lambda d: d.execute_script("return document.readyState") == "complete"
            )

        def submit():
            click_and_wait(By.CSS_SELECTOR, "form.form button[type=submit]")

        def text():
            return driver.find_element(By.TAG_NAME, "body").text

        def expect(*needles):
            body = text()
            for n in needles:
                assert n in body, f"{n!r} not on {driver.current_url}:\n{body[:2000]}"

        # Sign-in page (English, from the browser's language).
        driver.get(base + "/")
        assert "/login" in driver.current_url
        expect("Sign in", "Username", "Password")
        shot("01-login-en")

        # A wrong password is refused with a message.
        driver.find_element(By.NAME, "username").send_keys("admin")
        driver.find_element(By.NAME, "password").send_keys("wrong password")
        submit()
        expect("The username or password is not correct.")

        driver.find_element(By.NAME, "username").clear()
        driver.find_element(By.NAME, "username").send_keys("admin")
        driver.find_element(By.NAME, "password").send_keys(ADMIN_PASSWORD)
        submit()
        expect("Welcome, Administrator", "Set up your security organization")
        shot("02-home-en")

        # Switch to Chinese with the switch in the header.
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='zh-CN']")
        expect("您好", "建立安全管理组织", "部门", "用户")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
        shot("03-home-zh")

        # Create the company and a department below it.
        driver.get(base + "/departments")
        expect("尚无部门")
        shot("04-departments-empty-zh")
        click_and_wait(By.LINK_TEXT, "+ 新建部门")
        driver.find_element(By.NAME, "name").send_keys("华东科技集团")
        driver.find_element(By.NAME, "code").send_keys("bad code!")
        submit()
        expect("只能使用字母")  # the inline message, in Chinese
        shot("05-department-form-error-zh")
        code = driver.find_element(By.NAME, "code")
        code.clear()
        code.send_keys("HQ")
        submit()
        expect("华东科技集团", "已创建")
        company_url = driver.current_url.split("?")[0]
        click_and_wait(By.PARTIAL_LINK_TEXT, "添加下级部门")
        driver.find_element(By.NAME, "name").send_keys("信息安全部")
        driver.find_element(By.NAME, "code").send_keys("ISD")
        submit()
        expect("信息安全部", "华东科技集团")
        department_id = re.search(r"/departments/(\d+)", driver.current_url).group(1)
        driver.get(company_url)
        click_and_wait(By.PARTIAL_LINK_TEXT, "添加下级部门")
        driver.find_element(By.NAME, "name").send_keys("运维中心")
        submit()

        # A user in that department, with the assessor role.
        driver.get(base + "/users/new")
        driver.find_element(By.NAME, "username").send_keys("li.na")
        driver.find_element(By.NAME, "display_name").send_keys("李娜")
        driver.find_element(By.NAME, "email").send_keys("li.na@example.cn")
        Select(driver.find_element(By.NAME, "department_id")).select_by_value(department_id)
        driver.find_element(By.NAME, "position").send_keys("风险评估工程师")
        driver.find_element(By.NAME, "password").send_keys("li-na-strong-passphrase")
        Select(driver.find_element(By.NAME, "role")).select_by_value("assessor")
        submit()
        expect("李娜", "风险评估人员", "信息安全部", "已创建")
        shot("06-user-zh")

        # Add a second role limited to the department, on the user page.
        Select(driver.find_element(By.CSS_SELECTOR, "form.add-role select[name=role]")).select_by_value("security_admin")
        Select(driver.find_element(By.CSS_SELECTOR, "form.add-role select[name=department_id]")).select_by_value(department_id)
        click_and_wait(By.CSS_SELECTOR, "form.add-role button[type=submit]")
        expect("安全管理员", "限于：信息安全部")

        for path, name, needles in [
            ("/departments", "07-departments-zh", ["华东科技集团", "信息安全部", "运维中心"]),
            (f"/departments/{department_id}", "08-department-zh", ["信息安全部", "变更记录", "李娜"]),
            ("/users", "09-users-zh", ["li.na", "李娜", "风险评估人员"]),
            ("/roles", "10-roles-zh", ["角色与权限", "信息安全领导小组", "审计日志"]),
            ("/audit", "11-audit-zh", ["审计日志", "新建", "admin"]),
            ("/account", "12-account-zh", ["个人 API 令牌", "修改密码"]),
        ]:
            driver.get(base + path)
            expect(*needles)
            shot(name)

        driver.get(base + "/audit")
        click_and_wait(By.LINK_TEXT, "校验完整性")
        expect("审计日志完整，未被篡改。")

        # Assets registered through the API by li.na (security administrator of the
        # department), then browsed, filtered and opened in Chinese.
        login = urllib.request.Request(
            base + "/api/v1/auth/login",
            data=json.dumps({"username": "li.na", "password": "li-na-strong-passphrase"}).encode(),
            headers={"content-type": "application/json"})
        token = json.load(urllib.request.urlopen(login))["token"]
        for code, name, category, cia, tags in [
            ("SEC-001", "边界下一代防火墙", "security_device", (4, 5, 5), ["等保三级", "互联网暴露"]),
            ("SRV-001", "核心数据库服务器", "server", (5, 4, 4), ["生产"]),
            ("PC-001", "办公笔记本电脑", "terminal", (2, 2, 1), []),
        ]:
            body = {"code": code, "name": name, "category": category, "department_id": int(department_id),
                    "confidentiality": cia[0], "integrity": cia[1], "availability": cia[2], "tags": tags,
                    "location": "上海数据中心 A 座 3 层", "zone": "intranet", "status": "in_use"}
            req = urllib.request.Request(base + "/api/v1/assets", data=json.dumps(body).encode(),
                                         headers={"content-type": "application/json",
                                                  "authorization": f"Bearer {token}"})
            urllib.request.urlopen(req)
        driver.get(base + "/assets")
        expect("资产台账", "SEC-001", "核心数据库服务器", "在用")
        shot("16-assets-zh")
        Select(driver.find_element(By.NAME, "category")).select_by_value("server")
        click_and_wait(By.CSS_SELECTOR, "form.toolbar button[type=submit]")
        expect("SRV-001")
        assert "SEC-001" not in text()
        click_and_wait(By.PARTIAL_LINK_TEXT, "SRV-001")
        expect("资产赋值", "C5 I4 A4 → 4.3 → 高 (4)", "生命周期", "变更记录")
        shot("17-asset-zh")

        # And back to English: the same pages in the other language.
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='en']")
        for path, name, needles in [
            ("/users", "13-users-en", ["Users", "li.na", "Risk assessor"]),
            (f"/departments/{department_id}", "14-department-en", ["History", "Members"]),
            ("/roles", "15-roles-en", ["Roles & permissions", "Security committee"]),
            ("/assets?sort=-value_score", "18-assets-en", ["Asset register", "SEC-001", "In use"]),
        ]:
            driver.get(base + path)
            expect(*needles)
            shot(name)

        # li.na keeps the department's assets: a new one through the form, then a file.
        click_and_wait(By.CSS_SELECTOR, "form[action='/logout'] button")
        driver.find_element(By.NAME, "username").send_keys("li.na")
        driver.find_element(By.NAME, "password").send_keys("li-na-strong-passphrase")
        submit()
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='zh-CN']")
        driver.get(base + "/assets")
        click_and_wait(By.PARTIAL_LINK_TEXT, "登记资产")
        driver.find_element(By.NAME, "code").send_keys("NET 001")
        driver.find_element(By.NAME, "name").send_keys("核心交换机")
        Select(driver.find_element(By.NAME, "category")).select_by_value("network_device")
        Select(driver.find_element(By.NAME, "confidentiality")).select_by_value("3")
        Select(driver.find_element(By.NAME, "department_id")).select_by_value(department_id)
        driver.find_element(By.NAME, "owner").send_keys("nobody")
        submit()
        expect("资产编号不能包含空格", "1 到 5", "没有该用户名的用户")
        shot("19-asset-form-errors-zh")
        code = driver.find_element(By.NAME, "code")
        code.clear()
        code.send_keys("NET-001")
        owner = driver.find_element(By.NAME, "owner")
        owner.clear()
        owner.send_keys("li.na")
        Select(driver.find_element(By.NAME, "integrity")).select_by_value("5")
        Select(driver.find_element(By.NAME, "availability")).select_by_value("5")
        driver.find_element(By.NAME, "location").send_keys("上海数据中心 A 座 2 层")
        submit()
        expect("核心交换机", "已创建", "C3 I5 A5", "李娜")

        # An Excel-style GBK file with one bad row: reported by line, nothing written.
        rows = ["资产编号,资产名称,资产类别,所属部门,机密性,完整性,可用性,状态,标签",
                "AP-001,无线接入点 1 号,网络设备,ISD,2,3,3,在用,办公网",
                "AP-002,无线接入点 2 号,网络设备,ISD,2,3,3,在用,办公网",
                "UPS-01,机房不间断电源,设施,ISD,1,4,9,在用,"]
        bad_file = os.path.join(work, "资产清单.csv")
        with open(bad_file, "wb") as f:
            f.write(("\r\n".join(rows) + "\r\n").encode("gbk"))
        driver.get(base + "/assets/import")
        expect("导入资产", "资产编号", "机密性")
        driver.find_element(By.NAME, "file").send_keys(bad_file)
        submit()
        expect("未导入任何数据", "可用性", "数值超出范围", "内容：「9」；允许范围：1–5")
        shot("20-import-errors-zh")
        rows[3] = "UPS-01,机房不间断电源,设施,ISD,1,4,4,在用,"
        with open(bad_file, "wb") as f:
            f.write(("\r\n".join(rows) + "\r\n").encode("gbk"))
        driver.find_element(By.NAME, "file").send_keys(bad_file)
        submit()
        expect("共 3 行，没有问题", "无线接入点 1 号", "GB18030")
        shot("21-import-preview-zh")
        click_and_wait(By.CSS_SELECTOR, "form[action='/assets/import/commit'] button")
        expect("导入完成：新增 3 条资产")
        driver.get(base + "/assets?q=AP-00")
        expect("无线接入点 1 号", "无线接入点 2 号")

        # A workbook with a cell far longer than Excel allows: refused while it is read,
        # the limit and the cell named in Chinese.
        bomb = os.path.join(work, "超长单元格.xlsx")
        cells = ["资产编号", "资产名称", "资产类别", "机密性", "完整性", "可用性"]
        values = ["BIG-001", "长" * 100_000, "服务器", "3", "3", "3"]
        def row(n, texts):
            return f'<row r="{n}">' + "".join(
                f'<c r="{chr(65 + i)}{n}" t="inlineStr"><is><t>{t}</t></is></c>' for i, t in enumerate(texts)) + "</row>"
        ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        rels = "http://schemas.openxmlformats.org/package/2006/relationships"
        with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>')
            zf.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
            zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="资产" sheetId="1" r:id="rId1"/></sheets></workbook>')
            zf.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
            zf.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>{row(1, cells)}{row(2, values)}</sheetData></worksheet>')
        driver.get(base + "/assets/import")
        driver.find_element(By.NAME, "file").send_keys(bomb)
        submit()
        expect("未导入任何数据", "某个单元格的字符数超出电子表格单元格的上限", "单元格 B2", "上限：32767")
        shot("22b-import-limit-zh")

        # The edit form in English.
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='en']")
        driver.get(base + "/assets?q=NET-001")
        click_and_wait(By.PARTIAL_LINK_TEXT, "NET-001")
        click_and_wait(By.LINK_TEXT, "Edit")
        expect("Edit asset", "Confidentiality", "Responsible person")
        shot("22-asset-edit-en")

        # A department-limited administrator sees, but cannot act on, a colleague with
        # organization-wide rights (the page says why) — and manages one whose roles stay
        # inside the department.
        def api(method, path, body, bearer):
            req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
                                         headers={"content-type": "application/json",
                                                  "authorization": f"Bearer {bearer}"})
            return json.load(urllib.request.urlopen(req))
        admin_token = api("POST", "/api/v1/auth/login",
                          {"username": "admin", "password": ADMIN_PASSWORD}, "")["token"]
        api("POST", "/api/v1/users", {
            "username": "zhao.lei", "display_name": "赵磊", "department_id": int(department_id),
            "password": "zhao-lei-strong-passphrase",
            "roles": [{"role": "admin", "department_id": int(department_id)}]}, admin_token)
        wide = api("POST", "/api/v1/users", {
            "username": "wang.qiang", "display_name": "王强", "department_id": int(department_id),
            "position": "安全管理负责人", "password": "wang-qiang-strong-passphrase",
            "roles": [{"role": "security_officer", "department_id": None}]}, admin_token)
        click_and_wait(By.CSS_SELECTOR, "form[action='/logout'] button")
        driver.find_element(By.NAME, "username").send_keys("zhao.lei")
        driver.find_element(By.NAME, "password").send_keys("zhao-lei-strong-passphrase")
        submit()
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='zh-CN']")
        driver.get(base + f"/users/{wide['id']}")
        expect("王强", "安全管理负责人", "超出您的部门范围")
        assert not driver.find_elements(By.CSS_SELECTOR, f"a[href='/users/{wide['id']}/edit']")
        assert not driver.find_elements(By.CSS_SELECTOR, "form.add-role")
        shot("23-user-beyond-scope-zh")
        driver.get(base + f"/users/{wide['id']}/edit")
        assert "无权" in text() or "权限" in text(), text()[:500]
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='en']")
        driver.get(base + f"/users/{wide['id']}")
        expect("beyond your department scope")
        shot("24-user-beyond-scope-en")


        # Approval requests: a member of staff asks for access in Chinese; the department
        # head decides from "waiting for me" (with the count in the navigation), then the
        # security administrator; the pages in both languages.
        dept_head = api("POST", "/api/v1/users", {
            "username": "he.jing", "display_name": "何静", "department_id": int(department_id),
            "position": "部门经理", "password": "he-jing-strong-passphrase",
            "roles": [{"role": "staff", "department_id": None}]}, admin_token)
        api("POST", "/api/v1/users", {
            "username": "xu.ming", "display_name": "徐明", "department_id": int(department_id),
            "position": "工程师", "password": "xu-ming-strong-passphrase",
            "roles": [{"role": "staff", "department_id": None}]}, admin_token)
        api("POST", "/api/v1/users", {
            "username": "luo.hua", "display_name": "罗华", "password": "luo-hua-strong-passphrase",
            "roles": [{"role": "security_admin", "department_id": None}]}, admin_token)
        dept = json.load(urllib.request.urlopen(urllib.request.Request(
            base + f"/api/v1/departments/{department_id}", headers={"authorization": f"Bearer {admin_token}"})))
        req = urllib.request.Request(base + f"/api/v1/departments/{department_id}",
                                     data=json.dumps({"head_id": dept_head["id"]}).encode(), method="PATCH",
                                     headers={"content-type": "application/json", "authorization": f"Bearer {admin_token}",
                                              "if-match": f'"{dept["version"]}"'})
        urllib.request.urlopen(req).read()

        def sign_in_as(username, password, lang):
            click_and_wait(By.CSS_SELECTOR, "form[action='/logout'] button")
            driver.find_element(By.NAME, "username").send_keys(username)
            driver.find_element(By.NAME, "password").send_keys(password)
            submit()
            click_and_wait(By.CSS_SELECTOR, f"button.lang-option[value='{lang}']")

        sign_in_as("xu.ming", "xu-ming-strong-passphrase", "zh-CN")
        driver.get(base + "/requests/new")
        expect("新建申请", "类型", "影响程度", "创建并提交")
        driver.find_element(By.NAME, "title").send_keys("申请开通 CRM 客户数据只读权限")
        driver.find_element(By.NAME, "description").send_keys("负责客户回访，需要查询客户联系记录，期限一年。")
        shot("50-request-new-zh")
        click_and_wait(By.CSS_SELECTOR, "button[name=submit][value='1']")
        expect("申请开通 CRM 客户数据只读权限", "审批中", "部门负责人", "待审批")
        request_url = driver.current_url.split("?")[0]
        shot("51-request-submitted-zh")

        sign_in_as("he.jing", "he-jing-strong-passphrase", "zh-CN")
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".nav-count"))
        assert driver.find_element(By.CSS_SELECTOR, ".nav-count").text == "1"
        expect("待我处理", "申请开通 CRM 客户数据只读权限")
        shot("52-home-waiting-zh")
        driver.get(base + "/approvals")
        expect("待我处理", "申请开通 CRM 客户数据只读权限", "审批")
        shot("53-approvals-zh")
        driver.get(request_url)
        expect("同意", "退回修改", "驳回", "徐明")
        driver.find_element(By.NAME, "comment").send_keys("同意，请注意数据保密。")
        click_and_wait(By.CSS_SELECTOR, "button[name=decision][value=approve]")
        expect("已完成", "同意，请注意数据保密。", "何静")

        sign_in_as("luo.hua", "luo-hua-strong-passphrase", "en")
        driver.get(base + "/approvals")
        expect("Waiting for me", "Decide")
        shot("54-approvals-en")
        driver.get(request_url)
        expect("Approval chain", "Department head", "Security administrator", "Approve", "Return for changes")
        shot("55-request-decide-en")
        click_and_wait(By.CSS_SELECTOR, "button[name=decision][value=approve]")
        expect("Approved", "Mark as carried out")
        driver.get(base + "/requests")
        expect("Requests & approvals", "Total 1")
        shot("56-requests-en")

        # The people picker: typing pinyin initials (徐明 → xm) suggests the colleague.
        driver.get(base + "/assets/new")
        owner = driver.find_element(By.NAME, "owner")
        owner.send_keys("xm")
        WebDriverWait(driver, 10).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "datalist option[value='xu.ming']"))
        option = driver.find_element(By.CSS_SELECTOR, "datalist option[value='xu.ming']")
        assert "徐明" in option.get_attribute("label"), option.get_attribute("label")

        # Chains and the calendar, as the administrator.
        sign_in_as("admin", ADMIN_PASSWORD, "zh-CN")
        driver.get(base + "/settings/approval-chains")
        expect("审批流程", "部门负责人", "安全管理员", "信息安全领导小组")
        shot("57-chains-zh")
        driver.get(base + "/settings/calendar?year=2026")
        driver.execute_script("arguments[0].value = '2026-10-01'", driver.find_element(By.NAME, "day"))
        driver.find_element(By.NAME, "name").send_keys("国庆节")
        click_and_wait(By.CSS_SELECTOR, "form[action='/settings/calendar'] button[type=submit]")
        expect("国庆节", "法定节假日", "周四")
        shot("58-calendar-zh")

        # Security incidents: a member of staff reports one in Chinese; the security
        # administrator triages it on the page with a team of two; the team records on the
        # timeline; the counts page shows the year in both languages.
        sign_in_as("xu.ming", "xu-ming-strong-passphrase", "zh-CN")
        driver.get(base + "/incidents/new")
        expect("报告安全事件", "发生时间", "受影响资产")
        driver.find_element(By.NAME, "title").send_keys("办公电脑弹出勒索提示，文件无法打开")
        driver.find_element(By.NAME, "location").send_keys("研发中心 3 楼")
        driver.find_element(By.NAME, "description").send_keys("上午 9 点左右打开一封发票邮件附件后，桌面文件后缀被改为 .locked。")
        shot("60-incident-report-zh")
        click_and_wait(By.CSS_SELECTOR, "form[action='/incidents'] button[type=submit]")
        expect("办公电脑弹出勒索提示", "已报告", "研判时限")
        incident_url = driver.current_url.split("?")[0]
        # The reporter attaches a screenshot of what they saw.
        evidence = os.path.join(work, "勒索提示截图.png")
        with open(evidence, "wb") as fh:
            fh.write(bytes.fromhex("89504e470d0a1a0a") + b"castellan-evidence" * 64)
        driver.find_element(By.CSS_SELECTOR, "input[type=file][name=file]").send_keys(evidence)
        click_and_wait(By.CSS_SELECTOR, f"form[action='{incident_url.replace(base, '')}/attachments'] button[type=submit]")
        expect("证据与附件", "勒索提示截图.png")

        sign_in_as("luo.hua", "luo-hua-strong-passphrase", "zh-CN")
        driver.get(incident_url)
        expect("完成研判", "类别说明", "特别重大（I级）", "驳回（非安全事件）")
        Select(driver.find_element(By.NAME, "class")).select_by_value("serious")
        Select(driver.find_element(By.NAME, "level")).select_by_value("significant")
        Select(driver.find_element(By.NAME, "category")).select_by_value("malware")
        driver.find_element(By.NAME, "team").send_keys("he.jing, xu.ming")
        shot("61-incident-triage-zh")
        click_and_wait(By.CSS_SELECTOR, f"form[action='{incident_url.replace(base, '')}/triage'] button[type=submit]")
        expect("已研判", "较大（III级）", "严重事件", "何静")
        driver.find_element(By.NAME, "note").send_keys("已断开该电脑网络，保留硬盘用于取证。")
        click_and_wait(By.CSS_SELECTOR, f"form[action='{incident_url.replace(base, '')}/timeline'] button[type=submit]")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=investigating] ~ button")
        expect("调查中", "已断开该电脑网络")
        shot("62-incident-timeline-zh")
        driver.get(base + "/incidents/counts")
        expect("安全事件统计", "按类别和级别", "较大（III级）")
        shot("63-incident-counts-zh")

        sign_in_as("luo.hua", "luo-hua-strong-passphrase", "en")
        driver.get(base + "/incidents")
        expect("Security incidents", "Report an incident", "Total 1", "Significant (III)")
        shot("64-incidents-en")
        driver.get(incident_url)
        expect("Timeline", "Root cause and lessons learned", "Mark as contained")
        shot("65-incident-en")
        driver.get(base + "/incidents/counts")
        expect("Incidents by month", "By class and level")
        shot("66-incident-counts-en")

        # Rectification: the security administrator opens a task from the incident for
        # a team member; she reports it done; he verifies it (in English).
        sign_in_as("luo.hua", "luo-hua-strong-passphrase", "zh-CN")
        driver.get(incident_url)
        expect("整改任务", "提出整改任务", "尚无整改任务")
        incident_path = incident_url.replace(base, "")
        form = driver.find_element(By.CSS_SELECTOR, f"form[action='{incident_path}/rectifications']")
        form.find_element(By.NAME, "description").send_keys("全员开展钓鱼邮件识别培训，终端统一开启宏禁用策略")
        form.find_element(By.NAME, "responsible").send_keys("he.jing")
        due = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
        driver.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, "due_on"), due)
        click_and_wait(By.CSS_SELECTOR, f"form[action='{incident_path}/rectifications'] button[type=submit]")
        expect("全员开展钓鱼邮件识别培训", "待整改", "何静", "罗华")
        driver.execute_script("document.getElementById('rectifications').scrollIntoView()")
        shot("67-incident-rectification-zh")

        sign_in_as("he.jing", "he-jing-strong-passphrase", "zh-CN")
        driver.get(base + "/rectifications?view=mine")
        expect("整改任务", "我负责整改的", "全员开展钓鱼邮件识别培训", "共 1 条")
        shot("68-rectifications-mine-zh")
        click_and_wait(By.PARTIAL_LINK_TEXT, "全员开展钓鱼邮件识别培训")
        expect("报告整改完成", "整改情况", "完成期限", "整改证据")
        # The proof of the fix: the training's sign-in sheet.
        sheet = os.path.join(work, "培训签到表.pdf")
        with open(sheet, "wb") as fh:
            fh.write(b"%PDF-1.4\n" + b"castellan-sign-in-sheet" * 40)
        task_path = driver.current_url.split("?")[0].replace(base, "")
        driver.find_element(By.CSS_SELECTOR, "input[type=file][name=file]").send_keys(sheet)
        click_and_wait(By.CSS_SELECTOR, f"form[action='{task_path}/attachments'] button[type=submit]")
        expect("培训签到表.pdf")
        driver.find_element(By.NAME, "comment").send_keys("已完成两场培训（签到表见附件），组策略已下发并抽查 20 台终端生效。")
        shot("69-rectification-report-done-zh")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=done] ~ div button[type=submit]")
        expect("已整改待验证", "已完成两场培训")
        task_url = driver.current_url.split("?")[0]

        sign_in_as("luo.hua", "luo-hua-strong-passphrase", "en")
        driver.get(base + "/approvals")
        expect("Waiting for me", "Rectification task", "Verify")
        driver.get(task_url)
        expect("Check the result", "Verify and close", "Send back", "What was done")
        shot("70-rectification-verify-en")
        driver.execute_script("window.confirm = function () { return true; }")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=verified] ~ div button[type=submit]")
        expect("Verified", "this task is finished")
        shot("71-rectification-verified-en")
        driver.get(base + "/rectifications")
        expect("Rectification tasks", "All I can see", "Total 1")
        shot("72-rectifications-en")

        # Documents: the compliance administrator imports the network security policy from
        # the starter set and submits it; the security officer reviews it (Chinese), the
        # committee approves it (English); it is published and addressed to the department,
        # whose member confirms reading it; version 1.1 supersedes 1.0; the history, the
        # coverage and the register.
        for username, name, role in [("sun.yan", "孙艳", "compliance_admin"), ("zhou.min", "周敏", "committee")]:
            api("POST", "/api/v1/users", {
                "username": username, "display_name": name, "password": f"{username.replace('.', '-')}-strong-passphrase",
                "roles": [{"role": role, "department_id": None}]}, admin_token)
        sign_in_as("sun.yan", "sun-yan-strong-passphrase", "zh-CN")
        driver.get(base + "/documents")
        expect("制度文件", "文件台账为空", "制度模板")
        click_and_wait(By.LINK_TEXT, "制度模板")
        expect("网络安全管理制度", "ISMS-POL-02", "导入所选模板")
        for box in driver.find_elements(By.CSS_SELECTOR, "input[type=checkbox][name=code]"):
            if box.get_attribute("value") != "ISMS-POL-02" and box.is_selected():
                box.click()
        shot("73-documents-starter-zh")
        click_and_wait(By.CSS_SELECTOR, "form[action='/documents/starter-set'] button[type=submit]")
        expect("已导入 1 份文件草稿", "网络安全管理制度")
        click_and_wait(By.PARTIAL_LINK_TEXT, "网络安全管理制度")
        doc_url = driver.current_url.split("?")[0]
        click_and_wait(By.CSS_SELECTOR, "table.version-table a")
        expect("编辑草稿", "提交审核", "网络区域")
        body = driver.find_element(By.NAME, "body")
        body.send_keys("\n# 无线网络\n\n- 办公无线网络与生产网络物理隔离。\n- 访客无线网络仅可访问互联网。\n")
        click_and_wait(By.CSS_SELECTOR, "form input[name=revision] ~ div button.btn-secondary")
        expect("无线网络", "办公无线网络与生产网络物理隔离")
        version_url = driver.current_url.split("?")[0]
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=in_review] ~ div button[type=submit]")
        expect("审核中", "安全管理负责人")

        sign_in_as("wang.qiang", "wang-qiang-strong-passphrase", "zh-CN")
        driver.get(base + "/approvals")
        expect("待我处理", "网络安全管理制度", "ISMS-POL-02 V1.0")
        driver.get(version_url)
        expect("该版本等待您审批", "审批意见", "退回修改")
        driver.execute_script("window.confirm = function () { return true; }")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=approved] ~ div button[type=submit]")
        expect("审核中", "信息安全领导小组")

        sign_in_as("zhou.min", "zhou-min-strong-passphrase", "en")
        driver.get(version_url)
        expect("This version waits for your decision.", "Your decision", "Approval steps")
        driver.find_element(By.CSS_SELECTOR, "form input[name=to][value=approved] ~ label textarea").send_keys("Approved at the December committee meeting.")
        shot("74-document-version-committee-en")
        driver.execute_script("window.confirm = function () { return true; }")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=approved] ~ div button[type=submit]")
        expect("Approved", "Approved at the December committee meeting.")

        sign_in_as("sun.yan", "sun-yan-strong-passphrase", "zh-CN")
        driver.get(version_url)
        expect("发布生效", "生效日期")
        driver.execute_script("window.confirm = function () { return true; }")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=effective] ~ div button[type=submit]")
        expect("现行有效", "现行文本", "下次复审")
        # Addressed to the department.
        driver.find_element(By.XPATH, "//summary[contains(., '调整发送范围')]").click()
        driver.find_element(By.CSS_SELECTOR, f"input[name=department][value='{department_id}']").click()
        click_and_wait(By.CSS_SELECTOR, "form[action$='/addressees'] button[type=submit]")
        expect("已确认 0 / 5 人（0%）")

        # Version 1.1 through the API; the member confirms it; the history shows both.
        sun_token = api("POST", "/api/v1/auth/login", {"username": "sun.yan", "password": "sun-yan-strong-passphrase"}, "")["token"]
        wang_token = api("POST", "/api/v1/auth/login", {"username": "wang.qiang", "password": "wang-qiang-strong-passphrase"}, "")["token"]
        zhou_token = api("POST", "/api/v1/auth/login", {"username": "zhou.min", "password": "zhou-min-strong-passphrase"}, "")["token"]
        doc_id = doc_url.rsplit("/", 1)[1]
        v11 = api("POST", f"/api/v1/documents/{doc_id}/versions", {"change_note": "增加远程办公接入要求", "body": "# 远程办公\n\n远程接入须使用公司 VPN 并启用多因素认证。"}, sun_token)
        for token, to in [(sun_token, "in_review"), (wang_token, "approved"), (zhou_token, "approved"), (sun_token, "effective")]:
            api("POST", f"/api/v1/documents/{doc_id}/versions/{v11['id']}/transitions", {"to": to}, token)
        sign_in_as("he.jing", "he-jing-strong-passphrase", "zh-CN")
        driver.get(base + "/approvals")
        expect("阅读确认", "网络安全管理制度")
        driver.get(doc_url)
        expect("阅读确认", "我已阅读", "远程办公")
        shot("75-document-acknowledge-zh")
        click_and_wait(By.CSS_SELECTOR, "form[action$='/acknowledge'] button[type=submit]")
        expect("已记录您的阅读确认", "您已于")

        sign_in_as("sun.yan", "sun-yan-strong-passphrase", "zh-CN")
        driver.get(doc_url)
        expect("V1.1", "V1.0", "已替代", "增加远程办公接入要求", "王强", "周敏", "孙艳")
        shot("76-document-history-zh")
        driver.get(doc_url + "/acknowledgements")
        expect("阅读确认情况", "已确认 1 / 5 人（20%）", "徐明", "王强")
        shot("77-document-coverage-zh")
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='en']")
        driver.get(base + "/documents")
        expect("Policies & documents", "网络安全管理制度", "Effective", "V1.1")
        shot("78-documents-en")

        # Training: the compliance administrator prepares this year's plan with a session for
        # the department; the security officer approves it; the session is held and its
        # attendance imported from a GBK file; the completion and "my trainings".
        year = datetime.date.today().year
        sign_in_as("sun.yan", "sun-yan-strong-passphrase", "zh-CN")
        driver.get(base + "/trainings")
        expect("安全培训", "尚无培训计划")
        driver.find_element(By.XPATH, "//summary[contains(., '新建计划')]").click()
        driver.find_element(By.NAME, "title").send_keys(f"{year} 年度信息安全培训计划")
        click_and_wait(By.CSS_SELECTOR, "form[action='/training-plans'] button[type=submit]")
        expect("培训项目", "该计划尚无培训项目")
        plan_url = driver.current_url.split("?")[0]
        driver.find_element(By.XPATH, "//summary[contains(., '添加培训项目')]").click()
        form = driver.find_element(By.CSS_SELECTOR, "form[action$='/trainings']")
        form.find_element(By.NAME, "title").send_keys("钓鱼邮件识别与报告")
        form.find_element(By.NAME, "trainer").send_keys("王强")
        form.find_element(By.CSS_SELECTOR, f"input[name=department][value='{department_id}']").click()
        click_and_wait(By.CSS_SELECTOR, "form[action$='/trainings'] button[type=submit]")
        training_url = driver.current_url.split("?")[0]
        driver.get(plan_url)
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=in_review] ~ div button[type=submit]")
        expect("审批中")
        sign_in_as("wang.qiang", "wang-qiang-strong-passphrase", "zh-CN")
        driver.get(plan_url)
        expect("审批意见", "钓鱼邮件识别与报告")
        shot("79-training-plan-approve-zh")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=approved] ~ div button[type=submit]")
        expect("已批准")
        sign_in_as("sun.yan", "sun-yan-strong-passphrase", "zh-CN")
        driver.get(training_url)
        click_and_wait(By.CSS_SELECTOR, "form input[name=status][value=held] ~ div button[type=submit]")
        expect("导入出勤", "登记出勤")
        sheet = os.path.join(work, "签到表.csv")
        with open(sheet, "wb") as fh:
            fh.write("用户名,成绩\r\nhe.jing,95\r\nxu.ming,88\r\nwang.qiang,90\r\n".encode("gbk"))
        driver.find_element(By.CSS_SELECTOR, "form[action$='/attendance/import'] input[type=file]").send_keys(sheet)
        click_and_wait(By.CSS_SELECTOR, "form[action$='/attendance/import'] button[type=submit]")
        expect("已登记 3 行", "何静", "徐明")
        shot("80-training-attendance-zh")
        driver.get(plan_url + "/completion")
        expect("各部门完成情况", "信息安全部")
        shot("81-training-completion-zh")
        sign_in_as("he.jing", "he-jing-strong-passphrase", "en")
        driver.get(base + "/trainings")
        expect(f"My trainings in {year}", "钓鱼邮件识别与报告", "Attended")
        shot("82-my-trainings-en")

        # Inspections: the security administrator plans a quarterly inspection on the shipped
        # checklist with xu.ming as inspector; the security officer approves it; the inspector
        # schedules and performs it with two failed items, opens their rectification tasks
        # and completes it; the report in English.
        sign_in_as("luo.hua", "luo-hua-strong-passphrase", "zh-CN")
        driver.get(base + "/inspection-plans/new")
        expect("新建计划", "季度安全检查", "每季度")
        driver.find_element(By.NAME, "title").send_keys("季度综合安全检查")
        driver.find_element(By.NAME, "scope").send_keys("总部机房、办公网络与核心业务系统")
        driver.find_element(By.NAME, "inspectors").send_keys("xu.ming")
        driver.find_element(By.NAME, "responsibilities").send_keys("徐明：全部检查项；罗华：复核")
        click_and_wait(By.CSS_SELECTOR, "form[action='/inspection-plans'] button[type=submit]")
        expect("季度综合安全检查", "提交审批")
        inspection_plan = driver.current_url.split("?")[0]
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=in_review] ~ div button[type=submit]")
        expect("审批中")
        sign_in_as("wang.qiang", "wang-qiang-strong-passphrase", "zh-CN")
        driver.get(inspection_plan)
        expect("审批意见", "徐明：全部检查项")
        shot("83-inspection-plan-approve-zh")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=approved] ~ div button[type=submit]")
        expect("已批准")
        sign_in_as("xu.ming", "xu-ming-strong-passphrase", "zh-CN")
        driver.get(inspection_plan)
        click_and_wait(By.CSS_SELECTOR, "form[action$='/schedule'] button[type=submit]")
        expect("保存检查结果", "机房门禁有效")
        driver.execute_script("""
            document.querySelectorAll("input[type=radio][value=pass]").forEach(r => { r.checked = true; });
            for (const code of ["NET-02", "PER-01"]) {
              document.querySelector(`input[name='result:${code}'][value=fail]`).checked = true;
            }
            document.querySelector("textarea[name='note:NET-02']").value = "发现 2 条源地址为任意的放行策略";
            document.querySelector("textarea[name='note:PER-01']").value = "2 名离职人员账号仍可登录";
        """)
        click_and_wait(By.CSS_SELECTOR, "form[action$='/results'] button[type=submit]")
        expect("检查中", "建立整改任务")
        for code in ["NET-02", "PER-01"]:
            form = driver.find_element(By.XPATH, f"//form[contains(@action, '/findings')][.//input[@name='item_code'][@value='{code}']]")
            form.find_element(By.NAME, "responsible").send_keys("he.jing")
            click_and_wait(By.XPATH, f"//form[contains(@action, '/findings')][.//input[@name='item_code'][@value='{code}']]//button[@type='submit']")
        expect("RECT-", "完成检查")
        shot("84-inspection-findings-zh")
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=completed] ~ div button[type=submit]")
        expect("已完成")
        inspection_url = driver.current_url.split("?")[0]
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='en']")
        driver.get(inspection_url + "/report")
        expect("Inspection report", "Findings", "Fail")
        shot("85-inspection-report-en")
        driver.get(base + "/inspections")
        expect("Inspections", "Completed")
        shot("86-inspections-en")

        # Goals: the security officer sets the 2027 company goal on the breakdown page, the
        # committee publishes it; the department manager drafts the department's goal, the
        # officer returns it with a comment and publishes it once revised; a position goal
        # below it; the tree with its coverage, in both languages.
        sign_in_as("wang.qiang", "wang-qiang-strong-passphrase", "zh-CN")
        driver.get(base + "/goals?year=2027")
        expect("安全目标", "本年度尚无安全目标", "制定公司目标")
        driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        driver.find_element(By.NAME, "title").send_keys("全年不发生重大及以上信息安全事件")
        driver.find_element(By.NAME, "metric").send_keys("重大及以上事件数")
        driver.find_element(By.NAME, "target").send_keys("0")
        click_and_wait(By.CSS_SELECTOR, "form[method=post][action='/goals'] button[type=submit]")
        expect("全年不发生重大及以上信息安全事件", "提交审批")
        company_goal = driver.current_url.split("?")[0]
        company_id = company_goal.rsplit("/", 1)[1]
        click_and_wait(By.CSS_SELECTOR, "form input[name=to][value=in_review] ~ div button[type=submit]")
        api("POST", f"/api/v1/goals/{company_id}/transitions", {"to": "published", "comment": "同意"}, zhou_token)
        he_token = api("POST", "/api/v1/auth/login", {"username": "he.jing", "password": "he-jing-strong-passphrase"}, "")["token"]
        dept_goal = api("POST", "/api/v1/goals", {"year": 2027, "level": "department", "parent_id": int(company_id),
                        "department_id": int(department_id), "title": "核心系统高危漏洞按期修复",
                        "metric": "高危漏洞修复率", "target": "95%"}, he_token)
        api("POST", f"/api/v1/goals/{dept_goal['id']}/transitions", {"to": "in_review"}, he_token)
        driver.get(base + f"/goals/{dept_goal['id']}")
        expect("审批意见", "批准发布", "退回修改")
        shot("87-goal-decide-zh")
        driver.find_element(By.XPATH, "//form[.//input[@name='to'][@value='returned']]//textarea").send_keys("请把目标量化到 30 天内修复")
        click_and_wait(By.XPATH, "//form[.//input[@name='to'][@value='returned']]//button[@type='submit']")
        expect("已退回", "请把目标量化到 30 天内修复")
        revised = json.load(urllib.request.urlopen(urllib.request.Request(
            base + f"/api/v1/goals/{dept_goal['id']}", headers={"authorization": f"Bearer {he_token}"})))
        req = urllib.request.Request(base + f"/api/v1/goals/{dept_goal['id']}", method="PATCH",
                                     data=json.dumps({"title": "核心系统高危漏洞 30 天内修复", "metric": "30 天内修复率", "target": "≥ 95%"}).encode(),
                                     headers={"content-type": "application/json", "authorization": f"Bearer {he_token}",
                                              "if-match": f'"{revised["version"]}"'})
        urllib.request.urlopen(req).read()
        api("POST", f"/api/v1/goals/{dept_goal['id']}/transitions", {"to": "in_review"}, he_token)
        driver.get(base + f"/goals/{dept_goal['id']}")
        click_and_wait(By.XPATH, "//form[.//input[@name='to'][@value='published']]//button[@type='submit']")
        expect("已发布")
        xu_token = api("POST", "/api/v1/auth/login", {"username": "xu.ming", "password": "xu-ming-strong-passphrase"}, "")["token"]
        pos = api("POST", "/api/v1/goals", {"year": 2027, "level": "position", "parent_id": dept_goal["id"], "position": "工程师",
                  "title": "服务器补丁每月更新", "metric": "补丁覆盖率", "target": "≥ 98%"}, xu_token)
        api("POST", f"/api/v1/goals/{pos['id']}/transitions", {"to": "in_review"}, xu_token)
        api("POST", f"/api/v1/goals/{pos['id']}/transitions", {"to": "published"}, he_token)
        driver.get(base + "/goals?year=2027")
        expect("目标分解", "核心系统高危漏洞 30 天内修复", "服务器补丁每月更新", "覆盖情况")
        shot("88-goal-tree-zh")
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='en']")
        expect("Goal breakdown", "Coverage")
        shot("89-goal-tree-en")

        # Password custody: the security administrator records who holds SRV-001's root
        # password; a handover to the backup holder a week ago without a password change
        # raises the warning (on the record, the register and the officer's "waiting for
        # me"); the new holder enters the change date and the warning clears.
        sign_in_as("luo.hua", "luo-hua-strong-passphrase", "zh-CN")
        driver.get(base + "/custody")
        expect("特权密码保管", "本系统不索取、也不保存任何密码", "暂无保管记录")
        click_and_wait(By.LINK_TEXT, "新建保管记录")
        driver.find_element(By.NAME, "system").send_keys("SRV-001")
        driver.find_element(By.NAME, "account").send_keys("root")
        driver.find_element(By.NAME, "holder").send_keys("xu.ming")
        driver.find_element(By.NAME, "backup").send_keys("he.jing")
        driver.find_element(By.NAME, "note").send_keys("密封件存放于机房保险柜")
        assert not driver.find_elements(By.CSS_SELECTOR, "input[type=password]")
        shot("90-custody-new-zh")
        click_and_wait(By.CSS_SELECTOR, "form[action='/custody'] button[type=submit]")
        expect("SRV-001", "root", "交接记录", "尚无交接记录")
        custody_url = driver.current_url.split("?")[0]
        week_ago = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8, days=-7)).strftime("%Y-%m-%dT%H:%M")
        driver.find_element(By.NAME, "to").send_keys("he.jing")
        driver.find_element(By.NAME, "witness").send_keys("wang.qiang")
        driver.find_element(By.NAME, "reason").send_keys("徐明调岗，密码移交何静")
        driver.execute_script("document.querySelector(\"form[action$='/handovers'] input[name=at]\").value = arguments[0];"
                              "document.querySelector(\"form[action$='/handovers'] input[name=changed_at]\").value = '';", week_ago)
        driver.find_element(By.CSS_SELECTOR, "form[action$='/handovers'] input[name=new_backup]").send_keys("xu.ming")
        click_and_wait(By.CSS_SELECTOR, "form[action$='/handovers'] button[type=submit]")
        expect("需要处理的问题", "交接后未及时更换密码", "尚未更换")
        shot("91-custody-warning-zh")
        driver.get(base + "/custody")
        expect("交接后未及时更换密码", "SRV-001")
        shot("92-custody-register-zh")
        sign_in_as("wang.qiang", "wang-qiang-strong-passphrase", "zh-CN")
        driver.get(base + "/approvals")
        expect("特权密码保管", "处理保管预警")
        shot("93-custody-waiting-zh")
        sign_in_as("he.jing", "he-jing-strong-passphrase", "en")
        driver.get(custody_url)
        expect("Enter the password change", "Not changed after the handover")
        yesterday = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8, days=-6)).strftime("%Y-%m-%dT%H:%M")
        driver.execute_script("document.querySelector(\"form[action$='/change'] input[name=changed_at]\").value = arguments[0];", yesterday)
        click_and_wait(By.CSS_SELECTOR, "form[action$='/change'] button[type=submit]")
        expect("Password custody", "History")
        assert "Not changed after the handover" not in text()
        shot("94-custody-changed-en")

        # Continuity: the security administrator sees the high-value assets without a backup
        # plan, plans SRV-001's backup, adopts a DR plan for it (its owner is he.jing) and
        # records a drill that took 14 h against the plan's 8 h RTO: the drill opens its
        # rectification tasks. The drills in English.
        def set_value(selector, value):
            driver.execute_script("document.querySelector(arguments[0]).value = arguments[1];", selector, value)

        def local_day(days):
            return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8, days=days)).strftime("%Y-%m-%d")

        sign_in_as("luo.hua", "luo-hua-strong-passphrase", "zh-CN")
        driver.get(base + "/backup-plans")
        expect("备份计划", "尚无备份计划的重要资产", "SRV-001", "制定备份计划")
        shot("95-backup-plans-uncovered-zh")
        driver.get(base + "/backup-plans/new")
        driver.find_element(By.NAME, "asset").send_keys("SRV-001")
        driver.find_element(By.NAME, "scope").send_keys("核心数据库全量备份及归档日志")
        Select(driver.find_element(By.NAME, "frequency")).select_by_value("daily")
        driver.find_element(By.NAME, "rpo_hours").clear()
        driver.find_element(By.NAME, "rpo_hours").send_keys("24")
        driver.find_element(By.NAME, "rto_hours").clear()
        driver.find_element(By.NAME, "rto_hours").send_keys("8")
        driver.find_element(By.NAME, "retention").send_keys("30 天")
        driver.find_element(By.NAME, "location").send_keys("同城灾备中心磁带库")
        driver.find_element(By.NAME, "owner").send_keys("luo.hua")
        click_and_wait(By.CSS_SELECTOR, "form.form[method=post] button[type=submit]")
        expect("SRV-001", "24")
        driver.get(base + "/dr-plans/new")
        driver.find_element(By.NAME, "title").send_keys("核心数据库灾难恢复预案")
        driver.find_element(By.NAME, "assets").send_keys("SRV-001")
        driver.find_element(By.NAME, "document").send_keys("ISMS-POL-02")
        driver.find_element(By.NAME, "rto_hours").clear()
        driver.find_element(By.NAME, "rto_hours").send_keys("8")
        set_value("input[name=adopted_at]", local_day(-30))
        driver.find_element(By.NAME, "owner").send_keys("he.jing")
        click_and_wait(By.CSS_SELECTOR, "form.form[method=post] button[type=submit]")
        expect("核心数据库灾难恢复预案", "SRV-001")
        driver.get(base + "/drills/new")
        set_value("input[name=held_at]", local_day(-3))
        driver.find_element(By.NAME, "scenario").send_keys("主数据库存储故障，切换至灾备中心")
        driver.find_element(By.NAME, "participants").send_keys("xu.ming, he.jing")
        Select(driver.find_element(By.NAME, "result")).select_by_value("partial")
        driver.find_element(By.NAME, "achieved_rto_hours").clear()
        driver.find_element(By.NAME, "achieved_rto_hours").send_keys("14")
        driver.find_element(By.NAME, "problems").send_keys("恢复脚本未包含最新的参数配置")
        set_value("input[name=due_at]", local_day(30))
        shot("96-drill-form-zh")
        click_and_wait(By.CSS_SELECTOR, "form.form[method=post] button[type=submit]")
        expect("超出 RTO", "RECT-")
        shot("97-drill-missed-rto-zh")
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='en']")
        driver.get(base + "/drills")
        expect("Drills", "RTO missed")
        shot("98-drills-en")

        # Sign out.
        click_and_wait(By.CSS_SELECTOR, "form[action='/logout'] button")
        assert "/login" in driver.current_url
        print(f"browser test passed; {len(shots)} screenshots in {out_dir}")
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
