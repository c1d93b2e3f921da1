"""The consoles in headless Chromium (selenium with Debian's chromium-driver): run by
tests/browser/run.sh against a demo gateway in sandbox mode with one admin key.

    python consoles.py BASE_URL [--screenshots DIR]     # key in CMP_BROWSER_KEY

1. /docs (Swagger UI): the key is entered once under "Authorize"; the guide's sample
   request (the first example of QueryCompatiblePackages) goes through "Try it out" /
   "Execute" and the answer shown equals the answer the document gives for it.
2. /admin/console: the clock is moved a day on; a one-time password is generated through
   the API and its message appears at the top of the outbox list.
"""

import json
from datetime import datetime
import os
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
from checks import CheckFailed, Run  # noqa: E402

OPERATION = "QueryCompatiblePackagesDocument"
TAG = "compatibility"
FIXTURES_NOW = "2026-11-22T10:00:00Z"


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CMP_CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000"):
        options.add_argument(arg)
    service = Service(executable_path=os.environ.get("CMP_CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def call(base, method, path, key, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "X-API-Key": key, "Accept": "application/json", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, json.loads(r.read().decode() or "null")


def api_console(run, driver, base, key, shots):
    wait = WebDriverWait(driver, 60)
    # The contract fixtures' answers are those of their clock (fixtures/requests/README.md).
    # The clock never moves backwards; a reset with `now` starts again at that time.
    status, reset = call(base, "POST", "/admin/reset", key, {"now": FIXTURES_NOW})
    run.check("the demo data is loaded again at the fixtures' time", status == 200, f"{reset}")
    status, clock = call(base, "GET", "/admin/clock", key)
    run.check("the sandbox clock shows the fixtures' time",
              status == 200 and clock["now"].startswith(FIXTURES_NOW[:16]), f"{clock}")
    document = json.loads(urllib.request.urlopen(base + "/openapi.json", timeout=30).read())
    op = document["paths"]["/ws/QueryCompatiblePackages"]["post"]
    first = next(iter(op["requestBody"]["content"]["application/json"]["examples"]))
    run.check("the sample is the first example of QueryCompatiblePackages", first == "sample", first)
    documented = op["responses"]["200"]["content"]["application/json"]["examples"]["sample"]["value"]

    driver.get(f"{base}/docs#/{TAG}/{OPERATION}")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".swagger-ui .info")))
    run.check("/docs shows the Swagger UI console", "CMP gateway" in driver.page_source)
    link = driver.find_element(By.ID, "reference-link")
    run.check("/docs links the reference", link.get_attribute("href").endswith("/docs/reference"))

    # The key, once.
    driver.find_element(By.CSS_SELECTOR, "button.authorize").click()
    field = wait.until(EC.visibility_of_element_located(
        (By.CSS_SELECTOR, ".modal-ux input[type=text], .modal-ux input[type=password]")))
    field.send_keys(key)
    driver.find_element(By.CSS_SELECTOR, ".modal-ux .auth-btn-wrapper button.authorize").click()
    driver.find_element(By.CSS_SELECTOR, ".modal-ux button.btn-done").click()
    run.check("the API key is entered once under Authorize", True)

    block = wait.until(EC.presence_of_element_located((By.ID, f"operations-{TAG}-{OPERATION}")))
    if "is-open" not in block.get_attribute("class"):
        block.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"#operations-{TAG}-{OPERATION} .try-out__btn"))).click()
    examples = block.find_elements(By.CSS_SELECTOR, ".examples-select select")
    if examples:
        selected = Select(examples[0]).first_selected_option.text
        run.check("Try it out starts on the sample example", selected.startswith("sample"), selected)
    body = block.find_element(By.CSS_SELECTOR, "textarea.body-param__text").get_attribute("value")
    run.check("the request body is the sample", "MYACC-04405500-88888" in body, body[:80])
    block.find_element(By.CSS_SELECTOR, ".execute-wrapper button.execute").click()
    status = wait.until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, f"#operations-{TAG}-{OPERATION} .live-responses-table .response .response-col_status")))
    run.check("Try it out answers 200", status.text.strip().startswith("200"), status.text)
    shown = block.find_element(
        By.CSS_SELECTOR, ".live-responses-table .response-col_description .microlight, "
                         ".live-responses-table .response-col_description pre").text
    answer = json.loads(shown)
    if answer != documented:
        diff = [k for k in set(answer) | set(documented) if answer.get(k) != documented.get(k)]
        groups = [(a.get("code"), b.get("code")) for a, b in zip(answer.get("packageGroup", []), documented.get("packageGroup", [])) if a != b]
        run.check("the answer shown is the documented answer", False, f"differs in {diff}: {groups}")
    run.check("the answer shown is the documented answer", True,
              f"{len(shown)} characters, {len(answer.get('packageGroup', []))} package groups")
    curl = block.find_element(By.CSS_SELECTOR, ".curl-command").text
    run.check("the request went to this gateway with the key", base in curl and "X-API-Key" in curl)
    if shots:
        driver.execute_script(
            "document.querySelector('#operations-%s-%s .live-responses-table').scrollIntoView();"
            "window.scrollBy(0, -160);" % (TAG, OPERATION))
        driver.save_screenshot(os.path.join(shots, "console-api.png"))


def sandbox_console(run, driver, base, key, shots):
    wait = WebDriverWait(driver, 30)
    driver.get(f"{base}/admin/console")
    driver.find_element(By.ID, "api-key").send_keys(key)
    driver.find_element(By.ID, "save-key").click()
    now = wait.until(lambda d: d.find_element(By.ID, "clock-now").get_attribute("data-now"))
    run.check("the sandbox console shows the clock", now.startswith("20"), now)
    driver.find_element(By.ID, "clock-advance").click()
    wait.until(lambda d: d.find_element(By.ID, "clock-now").get_attribute("data-now") != now)
    moved = driver.find_element(By.ID, "clock-now").get_attribute("data-now")
    _, clock = call(base, "GET", "/admin/clock", key)
    day = (datetime.fromisoformat(moved) - datetime.fromisoformat(now)).total_seconds()
    behind = (datetime.fromisoformat(clock["now"]) - datetime.fromisoformat(moved)).total_seconds()
    run.check("Advance moved the clock a day on", abs(day - 86400) < 60 and 0 <= behind < 60,
              f"{now} → {moved}; the API says {clock['now']}")

    status, otp = call(base, "POST", "/oneTimePasswords", key,
                       {"accountNumber": 10000001, "deliveryChannel": "Email"})
    run.check("a one-time password is generated through the API", status == 201, f"{status} {otp}")
    _, outbox = call(base, "GET", "/admin/outbox", key)
    newest = max(outbox["message"], key=lambda m: m["messageId"])
    driver.find_element(By.ID, "outbox-refresh").click()
    row = wait.until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, f"#outbox-rows tr[data-message-id='{newest['messageId']}']")))
    first = driver.find_element(By.CSS_SELECTOR, "#outbox-rows tr:first-child")
    run.check("its message is at the top of the outbox list",
              first.get_attribute("data-message-id") == str(newest["messageId"])
              and newest["address"] in row.text, row.text[:120])

    driver.find_element(By.ID, "audit-entity").send_keys("account")
    driver.find_element(By.ID, "audit-read").click()
    audit = wait.until(lambda d: d.find_element(By.ID, "audit-status").text)
    run.check("the audit trail reads", "entr" in audit, audit)
    if shots:
        driver.save_screenshot(os.path.join(shots, "console-sandbox.png"))


def main():
    base = sys.argv[1].rstrip("/")
    shots = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--screenshots" else None
    key = os.environ["CMP_BROWSER_KEY"]
    run = Run()
    driver = browser()
    try:
        api_console(run, driver, base, key, shots)
        sandbox_console(run, driver, base, key, shots)
    except (CheckFailed, Exception) as e:  # noqa: BLE001 - every failure is reported the same way
        if shots is None:
            try:
                driver.save_screenshot("/tmp/cmp-browser-failure.png")
            except Exception:  # noqa: BLE001
                pass
        run.fail(f"{type(e).__name__}: {e}")
    finally:
        driver.quit()
    print(f"{run.passed} passed, 0 failed", flush=True)


if __name__ == "__main__":
    main()
