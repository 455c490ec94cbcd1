// Browser tests of `chitieu serve` on a fresh demo database, in Debian's Chromium through
// playwright-core: a reporter enters and submits figures, the office approves, the dashboard
// colour changes, the portal shows the result, night mode and font size work and are
// remembered, and the PDF downloads. Screenshots of each main page go to screenshots/.
//
// Usage: node run.mjs path/to/chitieu

import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const bin = process.argv[2] || "../../../target/debug/chitieu";
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const work = mkdtempSync(join(tmpdir(), "chitieu-browser-"));
const db = join(work, "demo.db");
const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const PASSWORD = "chitieu-demo-2025";

execFileSync(bin, ["--database", db, "demo", "--no-serve"], { stdio: "ignore" });

// Start the server on a free port and read the address it prints.
// Reminders every 2 s, so a task entered during the test is reminded while it runs.
const server = spawn(bin, ["--database", db, "serve", "--listen", "127.0.0.1:0", "--reminder-interval", "2s"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const base = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/http:\/\/(127\.0\.0\.1:\d+)\//);
    if (m) resolve(`http://${m[1]}`);
  });
  server.on("exit", (code) => reject(new Error(`server exited: ${code}`)));
});

const browser = await chromium.launch({
  executablePath,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
  // Playwright starts Chromium with a new, empty --user-data-dir of its own each launch.
}).catch((e) => {
  server.kill("SIGINT");
  throw e;
});

let failures = 0;
const steps = [];
async function step(name, fn) {
  try {
    await fn();
    steps.push(`ok   ${name}`);
  } catch (e) {
    failures++;
    steps.push(`FAIL ${name}: ${e.message}`);
  }
}

async function login(user) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(`${base}/app`), page.click("button[type=submit]")]);
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const colour = (page) =>
  page.getAttribute('tr[data-indicator="budget_revenue"]', "data-colour");

try {
  let unit;
  const reporter = await (async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await ctx.newPage();
    await p.goto(`${base}/login`);
    await shot(p, "01-login");
    await ctx.close();
    return login("baocao.bacson");
  })();

  await step("the reporter's dashboard starts grey for the year not yet reported", async () => {
    await shot(reporter, "02-dashboard-reporter-before");
    assert.match(await reporter.textContent("h1"), /Bắc Sơn — năm 2022/);
    assert.equal(await colour(reporter), "grey");
    unit = await reporter.inputValue("select[name=unit]");
  });

  await step("values are checked as they are typed", async () => {
    await reporter.goto(`${base}/app/entry`);
    await reporter.fill("#v_budget_revenue", "12 ha");
    await reporter.waitForSelector("#chk_budget_revenue .error");
    assert.match(await reporter.textContent("#chk_budget_revenue"), /không khớp/);
    await reporter.fill("#v_budget_revenue", "35,2");
    await reporter.waitForSelector("#chk_budget_revenue .ok");
    assert.match(await reporter.textContent("#chk_budget_revenue"), /35,2 tỷ đồng/);
    await reporter.fill("#v_ntm_communes", "mười");
    await reporter.waitForSelector("#chk_ntm_communes .error");
    await shot(reporter, "03-entry-checking");
  });

  await step("the reporter submits; an invalid value is refused first", async () => {
    await Promise.all([reporter.waitForLoadState(), reporter.click("button[value=submit]")]);
    assert.match(await reporter.textContent("p.error"), /chưa hợp lệ/);
    await reporter.fill("#v_ntm_communes", "9");
    await Promise.all([reporter.waitForURL(/done=submit/), reporter.click("button[value=submit]")]);
    assert.match(await reporter.textContent("#ds-state"), /đã gửi/);
    await shot(reporter, "04-entry-submitted");
  });

  const office = await login("vanphong");
  await step("the office sees the queue and approves", async () => {
    await office.goto(`${base}/app/review`);
    await shot(office, "05-review-queue");
    const card = office.locator(`section.review:has-text("năm 2022")`).first();
    await Promise.all([office.waitForURL(`${base}/app/review`), card.locator("button[value=approve]").click()]);
    assert.equal(await office.locator(`section.review:has-text("năm 2022")`).count(), 0);
  });

  await step("the dashboard colour changed to green", async () => {
    await office.goto(`${base}/app?unit=${unit}&period=2022`);
    assert.equal(await colour(office), "green");
    assert.match(await office.textContent("#summary"), /chỉ tiêu đạt và vượt/);
    await shot(office, "06-dashboard-after-approval");
  });

  await step("the indicator page draws its series", async () => {
    await office.goto(`${base}/app/indicator/budget_revenue?unit=${unit}&period=2022`);
    assert.ok(await office.locator("svg.chart rect.bar").count() >= 3);
    await shot(office, "07-indicator");
  });

  await step("the documents page highlights extracted facts", async () => {
    await office.goto(`${base}/app/documents`);
    await office.fill("textarea[name=text]", "Ngày 15/6/2022, Ban Chấp hành Đảng bộ huyện Bắc Sơn tổ chức Hội nghị lần thứ 9 triển khai nhiệm vụ 6 tháng cuối năm 2022. Thu ngân sách 6 tháng đầu năm đạt trên 25 tỷ đồng, đạt 80% dự toán tỉnh giao.");
    await office.fill("input[name=name]", "Tin thử");
    await office.fill("input[name=unit]", "huyện Bắc Sơn, tỉnh Lạng Sơn");
    await Promise.all([office.waitForURL(/\/app\/documents\/\d+/), office.click("form button[type=submit]")]);
    assert.ok(await office.locator("article.doc-text mark").count() >= 1);
    await shot(office, "08-document");
  });

  await step("the report downloads as PDF", async () => {
    await office.goto(`${base}/app/reports?unit=${unit}&period=2022-H1`);
    await shot(office, "09-reports");
    const [download] = await Promise.all([office.waitForEvent("download"), office.click("#dl-pdf")]);
    const path = join(work, "report.pdf");
    await download.saveAs(path);
    const head = readFileSync(path).subarray(0, 5).toString();
    assert.equal(head, "%PDF-");
  });

  const publicCtx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const reader = await publicCtx.newPage();
  await step("the portal shows the approved result", async () => {
    await reader.goto(`${base}/portal`);
    await shot(reader, "10-portal-index");
    await Promise.all([reader.waitForLoadState(), reader.click(`a[href="/portal/unit/${unit}?period=2022"]`)]);
    assert.match(await reader.textContent("h1"), /năm 2022/);
    assert.equal(await colour(reader), "green");
    assert.match(await reader.textContent("main"), /35,2 tỷ đồng/);
    await shot(reader, "11-portal-unit");
  });

  await step("night mode and font size work and are remembered", async () => {
    await reader.click("#tool-night");
    assert.ok(await reader.evaluate(() => document.documentElement.classList.contains("night")));
    await reader.click("#tool-bigger");
    await reader.click("#tool-bigger");
    assert.ok(await reader.evaluate(() => document.documentElement.classList.contains("font-2")));
    const before = await reader.evaluate(() => getComputedStyle(document.documentElement).fontSize);
    await reader.reload();
    assert.ok(await reader.evaluate(() => document.documentElement.classList.contains("night")));
    assert.ok(await reader.evaluate(() => document.documentElement.classList.contains("font-2")));
    assert.equal(await reader.evaluate(() => getComputedStyle(document.documentElement).fontSize), before);
    assert.equal(before, "20px");
    await shot(reader, "12-portal-night-large");
    await reader.click("#tool-normal");
    await reader.click("#tool-night");
  });

  await step("a reader comment is held for moderation", async () => {
    await reader.fill("input[name=author]", "Bạn đọc");
    await reader.fill("textarea[name=body]", "<b>Đề nghị</b> công khai thêm số liệu các xã.");
    await Promise.all([reader.waitForURL(/sent=1/), reader.click("#comments button[type=submit]")]);
    assert.match(await reader.textContent("#comment-notice"), /kiểm duyệt/);
    await office.goto(`${base}/app/comments`);
    await shot(office, "13-moderation");
    const card = office.locator('section.comment:has-text("Đề nghị")').first();
    await Promise.all([office.waitForURL(`${base}/app/comments`), card.locator("button[value=published]").click()]);
    await reader.goto(`${base}/portal/unit/${unit}?period=2022`);
    assert.match(await reader.textContent("#comments"), /<b>Đề nghị<\/b>/);
    assert.equal(await reader.locator("#comments b").count(), 0);
  });

  await step("print view and PDF through the print stylesheet", async () => {
    await reader.goto(`${base}/portal/unit/${unit}?period=2022&print=1`);
    await shot(reader, "14-portal-print");
    await reader.emulateMedia({ media: "print" });
    const pdf = await reader.pdf({ format: "A4" });
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    await reader.emulateMedia({ media: "screen" });
  });

  await step("news, English and the audit log", async () => {
    await reader.goto(`${base}/portal/news/1`);
    await shot(reader, "15-portal-news");
    const admin = await login("quantri");
    await admin.goto(`${base}/lang/en?back=/app/audit`);
    assert.match(await admin.textContent("h1"), /Audit log/);
    await shot(admin, "16-audit-en");
    await admin.goto(`${base}/app/accounts`);
    await shot(admin, "17-accounts-en");
  });

  // ----- key tasks: the office enters one, the lead unit reports, the office confirms -----
  const counts = async (page) => {
    await page.goto(`${base}/app/tasks`);
    const m = (await page.textContent("#task-summary")).match(/hoàn thành (\d+)\/(\d+) nhiệm vụ, đúng hạn (\d+)/);
    assert.ok(m, "the summary line");
    return m.slice(1).map(Number);
  };
  let taskId;
  const taskText = "Hoàn thành cứng hóa đường giao thông thôn Vĩnh Yên (thử nghiệm)";
  let before;
  await step("the office enters a key task", async () => {
    before = await counts(office);
    // Five days from today in Vietnam (UTC+7), where the scheduler counts days.
    const due = new Date(Date.now() + 7 * 3600000 + 5 * 86400000);
    const deadline = `${due.getUTCDate()}/${due.getUTCMonth() + 1}/${due.getUTCFullYear()}`;
    await office.fill("#new-task textarea[name=text]", taskText);
    await office.selectOption("#new-task select[name=field]", "economy");
    await office.selectOption("#new-task select[name=lead]", unit);
    await office.fill("#new-task input[name=deadline]", deadline);
    await office.fill("#new-task input[name=output]", "công trình hoàn thành, đưa vào sử dụng");
    await Promise.all([office.waitForURL(/\/app\/tasks\/\d+$/), office.click("#new-task button[type=submit]")]);
    taskId = office.url().match(/\/app\/tasks\/(\d+)$/)[1];
    assert.match(await office.textContent("#task-status"), /chưa triển khai/);
    const after = await counts(office);
    assert.deepEqual(after, [before[0], before[1] + 1, before[2]]);
    await shot(office, "18-tasks-list");
  });

  await step("the lead unit is reminded of the deadline (bell and list)", async () => {
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await reporter.goto(`${base}/app/notifications`);
      found = (await reporter.locator(`li.notification:has-text("${taskText}")`).count()) > 0;
      if (!found) await reporter.waitForTimeout(500);
    }
    assert.ok(found, "a reminder for the new task");
    assert.match(await reporter.textContent(`li.notification:has-text("${taskText}")`), /Sắp đến hạn \(còn 5 ngày\)/);
    await reporter.goto(`${base}/app/tasks`);
    await reporter.waitForSelector("#unread-count");
    assert.ok(Number(await reporter.textContent("#unread-count")) >= 1);
    await shot(reporter, "19-notifications-bell");
  });

  await step("the lead unit reports progress: in progress, then completed", async () => {
    await reporter.goto(`${base}/app/tasks/${taskId}`);
    await reporter.selectOption("#progress select[name=status]", "in_progress");
    await reporter.fill("#progress textarea[name=note]", "Đã thi công được 60% khối lượng.");
    await Promise.all([reporter.waitForLoadState(), reporter.click("#progress button[type=submit]")]);
    assert.match(await reporter.textContent("#task-status"), /đang thực hiện/);
    await reporter.selectOption("#progress select[name=status]", "completed");
    await reporter.fill("#progress textarea[name=note]", "Đã hoàn thành, nghiệm thu đưa vào sử dụng.");
    await Promise.all([reporter.waitForLoadState(), reporter.click("#progress button[type=submit]")]);
    assert.match(await reporter.textContent("#task-status"), /hoàn thành \(chờ xác nhận\)/);
    assert.equal(await reporter.locator("#review").count(), 0, "a reporter cannot confirm");
    await shot(reporter, "20-task-reported");
  });

  await step("the office confirms completion and the counts follow", async () => {
    await office.goto(`${base}/app/tasks/${taskId}`);
    await Promise.all([office.waitForLoadState(), office.click("#review button[value=confirm]")]);
    assert.match(await office.textContent("#task-status"), /hoàn thành \(đã xác nhận\)/);
    assert.equal(await office.locator("#progress").count(), 0);
    await shot(office, "21-task-confirmed");
    const after = await counts(office);
    assert.deepEqual(after, [before[0] + 1, before[1] + 1, before[2] + 1]);
    assert.match(await office.textContent(`tr.task-row:has-text("${taskText}") td.status`), /hoàn thành \(đã xác nhận\)/);
  });

  await step("the NTM page summarises a district", async () => {
    await office.goto(`${base}/app/ntm?unit=${encodeURIComponent("huyện Bắc Sơn, tỉnh Lạng Sơn")}&year=2022`);
    assert.match(await office.textContent("#ntm-summary"), /8\/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt 14,3 tiêu chí/);
    assert.ok(await office.locator("table.ntm tbody tr").count() >= 1);
    await shot(office, "22-ntm");
  });
} finally {
  await browser.close();
  server.kill("SIGINT");
  rmSync(work, { recursive: true, force: true });
}

for (const s of steps) console.log(s);
console.log(failures === 0 ? `browser tests: all ${steps.length} passed` : `browser tests: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
