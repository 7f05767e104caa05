#!/usr/bin/env python3
"""End-to-end test of risk assessment in a real, headless Chromium.

Fills a fresh SQLite database with `castellan demo`, starts `castellan serve`, and walks a
new assessment from preparation to closed in Chinese with three people: the assessor
(wang.na) plans, identifies, rates and treats; the committee (zhou.min) approves an
accepted high risk; the security officer (chen.jing) returns the plan with a comment and
approves it; the committee closes it after the residual rating. Screenshots of every step
go to the output directory.

Usage: risk_browser_test.py CASTELLAN_BINARY OUTPUT_DIR
"""

import os
import shutil
import subprocess
import sys
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser_test import browser, free_port, gone, wait_ready

DEMO_PASSWORD = "castellan-demo-2026"


def main():
    binary, out_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="castellan-risk-e2e-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        CASTELLAN_DATABASE_URL=f"sqlite://{work}/castellan.db",
        CASTELLAN_LISTEN=f"127.0.0.1:{port}",
        CASTELLAN_ADMIN_PASSWORD="risk-e2e-Passphrase-1",
        CASTELLAN_LOG="warn",
    )
    env.pop("CASTELLAN_CONFIG", None)
    subprocess.run([binary, "demo", "--scale", "400"], env=env, cwd=work, check=True,
                   stdout=subprocess.DEVNULL)
    server = subprocess.Popen([binary, "serve"], env=env, cwd=work)
    driver = None
    try:
        wait_ready(base, server)
        driver = browser()
        shots = []

        def shot(name):
            path = os.path.join(out_dir, name + ".png")
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1440, max(900, min(height + 40, 4000)))
            driver.save_screenshot(path)
            driver.set_window_size(1440, 1000)
            shots.append(path)

        def loaded():
            WebDriverWait(driver, 20).until(
                lambda d: d.execute_script("return document.readyState") == "complete"
            )

        def click_and_wait(by, selector):
            old = driver.find_element(By.TAG_NAME, "html")
            driver.find_element(by, selector).click()
            WebDriverWait(driver, 20).until(gone(old))
            loaded()

        def text():
            return driver.find_element(By.TAG_NAME, "body").text

        def expect(*needles):
            body = text()
            for n in needles:
                assert n in body, f"{n!r} not on {driver.current_url}:\n{body[:3000]}"

        def sign_in(username):
            driver.delete_all_cookies()
            driver.get(base + "/login")
            driver.find_element(By.NAME, "username").send_keys(username)
            driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
            click_and_wait(By.CSS_SELECTOR, "form.form button[type=submit]")
            if driver.find_element(By.TAG_NAME, "html").get_attribute("lang") != "zh-CN":
                click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='zh-CN']")
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"

        def move(to, comment=""):
            box = driver.find_element(By.NAME, "comment")
            box.clear()
            if comment:
                box.send_keys(comment)
            click_and_wait(By.CSS_SELECTOR, f"button[name=to][value='{to}']")

        def risk_form(part):
            return f"//form[input[@name='part' and @value='{part}']]"

        # The assessor sees the demo assessments and this year's heat map.
        sign_in("wang.na")
        driver.get(base + "/assessments")
        expect("风险评估", "2026 年度信息安全风险评估", "2025 年度信息安全风险评估", "处置计划", "已关闭")
        shot("30-assessments-zh")
        click_and_wait(By.LINK_TEXT, "2026 年度信息安全风险评估")
        expect("风险热力图", "评估内容与方式", "流转记录", "资产清单已确认，开始风险识别。")
        shot("31-assessment-overview-zh")
        # The most severe populated cell: its assets are valuable enough for a high risk.
        cells = driver.find_elements(By.CSS_SELECTOR, "table.heatmap td.level-5 a")
        assert cells, "the heat map links its counts"
        old = driver.find_element(By.TAG_NAME, "html")
        cells[-1].click()
        WebDriverWait(driver, 20).until(gone(old))
        loaded()
        expect("风险清单", "热力图单元")
        shot("32-register-cell-zh")
        codes = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "table.table td code")][:1]
        driver.get(driver.current_url.split("?")[0])
        codes += [e.text for e in driver.find_elements(By.CSS_SELECTOR, "table.table td code")
                  if e.text not in codes][:1]
        assert len(codes) == 2, codes

        # A new assessment through the plan form; an unknown asset ID is reported inline.
        driver.get(base + "/assessments/new")
        driver.find_element(By.NAME, "name").send_keys("浏览器测试专项评估")
        assets = driver.find_element(By.NAME, "assets")
        assets.send_keys(codes[0] + "\nNOPE-404")
        click_and_wait(By.CSS_SELECTOR, "form.form button[type=submit]")
        expect("以下资产编号不存在： NOPE-404")
        shot("33-plan-form-error-zh")
        assets = driver.find_element(By.NAME, "assets")
        assets.clear()
        assets.send_keys(codes[0] + "\n" + codes[1])
        click_and_wait(By.CSS_SELECTOR, "form.form button[type=submit]")
        expect("浏览器测试专项评估", "评估准备", "下一步")
        overview = driver.current_url.split("?")[0]
        move("identification")
        expect("风险识别")

        # Identify and rate a risk; the preview computes while T and V are typed.
        driver.get(overview + "/risks")
        driver.find_element(By.NAME, "asset").send_keys(codes[0])
        Select(driver.find_element(By.NAME, "threat_id")).select_by_index(1)
        driver.find_element(By.NAME, "threat_frequency").send_keys("5")
        driver.find_element(By.NAME, "vulnerability_severity").send_keys("5")
        click_and_wait(By.XPATH, "//form[@method='post' and contains(@action, '/risks')]//button[@type='submit']")
        expect("评价", "处置方式", "残余风险")
        risk_url = driver.current_url.split("?")[0]
        t = driver.find_element(By.NAME, "threat_frequency")
        t.clear()
        t.send_keys("4")
        WebDriverWait(driver, 10).until(
            lambda d: "→" in d.find_element(By.CSS_SELECTOR, "output.preview").text
        )
        shot("34-risk-rating-preview-zh")
        t.clear()
        t.send_keys("5")
        click_and_wait(By.XPATH, risk_form("rating") + "//button")
        driver.get(overview)
        move("analysis")
        move("treatment_planning")

        # Accept the risk; the plan cannot go to review until the committee approves.
        driver.get(risk_url)
        level = driver.find_element(By.CSS_SELECTOR, ".value-box").text
        Select(driver.find_element(By.XPATH, risk_form("treatment") + "//select")).select_by_value("accept")
        click_and_wait(By.XPATH, risk_form("treatment") + "//button")
        assert "待领导小组批准" in text(), f"a level-5 risk accepted waits for the committee ({level!r})"
        driver.get(overview)
        move("review")
        expect("尚未经领导小组批准")
        shot("35-review-blocked-zh")
        sign_in("zhou.min")
        driver.get(risk_url)
        driver.find_element(By.XPATH, risk_form("approval") + "//textarea").send_keys("同意接受，下季度复评")
        click_and_wait(By.XPATH, risk_form("approval") + "//button")
        expect("同意接受，下季度复评")
        shot("36-committee-approved-zh")
        sign_in("wang.na")
        driver.get(overview)
        move("review", "风险评估报告与处置计划已完成，请审核")
        expect("审核中")

        # The security officer returns it with a comment, then approves the resubmission.
        sign_in("chen.jing")
        driver.get(overview)
        expect("退回修改", "审核通过")
        shot("37-review-zh")
        move("treatment_planning", "请补充控制措施的完成时间")
        expect("请补充控制措施的完成时间")
        sign_in("wang.na")
        driver.get(overview)
        move("review")
        sign_in("chen.jing")
        driver.get(overview)
        move("approved", "同意")
        expect("已批准")

        # Implementation and residual risk; the committee closes it.
        sign_in("wang.na")
        driver.get(overview)
        move("implementing")
        move("residual_assessment")
        driver.get(risk_url)
        form = risk_form("residual")
        expect("已按原始评价预填")
        for name, value in [("threat_frequency", "1"), ("vulnerability_severity", "2")]:
            field = driver.find_element(By.XPATH, form + f"//input[@name='{name}']")
            assert field.get_attribute("value"), "the residual form starts from the original rating"
            field.clear()
            field.send_keys(value)
        click_and_wait(By.XPATH, form + "//button")
        shot("38-residual-zh")
        driver.get(overview)
        move("residual_review", "残余风险评估完成")
        sign_in("zhou.min")
        driver.get(overview)
        expect("批准并关闭")
        move("closed", "同意关闭")
        expect("已关闭", "请补充控制措施的完成时间", "同意关闭")
        shot("39-assessment-closed-zh")

        # The printable reports, one click from the overview.
        driver.get(overview + "/reports/assessment")
        expect("风险评估报告", "一、评估概况", "七、风险分析", "审批记录", "同意接受，下季度复评")
        shot("43-report-assessment-zh")
        driver.get(overview + "/reports/residual")
        expect("残余风险评估报告")
        shot("44-report-residual-zh")

        # Findings, the grading tables and the treatment tasks.
        sign_in("chen.jing")
        driver.get(base + "/vulnerabilities")
        expect("脆弱性", "登记脆弱性")
        shot("46-vulnerabilities-zh")
        driver.get(base + "/settings/risk-tables")
        expect("风险分级标准", "可能性矩阵", "保存分级标准")
        shot("47-risk-tables-zh")
        driver.get(base + "/tasks")
        expect("我的处置任务")
        sign_in("zhou.min")

        # The catalog, and the same overview in English.
        driver.get(base + "/threats")
        expect("威胁库", "勒索")
        shot("40-threats-zh")
        click_and_wait(By.CSS_SELECTOR, "button.lang-option[value='en']")
        driver.get(overview)
        expect("Risk heat map", "Closed", "Workflow")
        shot("41-assessment-closed-en")
        driver.get(base + "/threats")
        shot("42-threats-en")
        driver.get(overview + "/reports/treatment-plan")
        expect("Risk treatment plan", "Approvals")
        shot("45-report-treatment-en")
        print(f"risk browser test passed; {len(shots)} screenshots in {out_dir}")
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
