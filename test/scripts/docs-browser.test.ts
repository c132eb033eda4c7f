// Loads /docs in headless Chromium against a running Worker (`wrangler dev` machinery) with every request to
// another origin blocked, and expects Scalar to render the properties operations from /openapi.json. Needs
// Debian's chromium (apt-get install chromium); skipped only when it is absent outside CI.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Unstable_DevWorker, unstable_dev } from "wrangler";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const skip = !available && !process.env.CI;
if (skip) console.warn(`${CHROMIUM} not found: skipping the /docs browser test (apt-get install chromium).`);

describe.skipIf(skip)("/docs in a browser", () => {
  let worker: Unstable_DevWorker;
  let browser: Browser;

  beforeAll(async () => {
    worker = await unstable_dev("src/index.ts", {
      config: "wrangler.toml",
      ip: "127.0.0.1",
      logLevel: "error",
      experimental: { disableExperimentalWarning: true },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
  });

  it("renders the API reference offline and lists the properties operations", async () => {
    const origin = `http://${worker.address}:${worker.port}`;
    const page = await browser.newPage();
    const blocked: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:"))
        return route.continue();
      blocked.push(`${route.request().resourceType()} ${url}`);
      return route.abort();
    });
    const response = await page.goto(`${origin}/docs`);
    expect(response?.status()).toBe(200);
    // Scalar renders each tag as a collapsed group in the sidebar; open the properties one as a reader would.
    await page.getByText("properties", { exact: true }).first().click({ timeout: 60_000 });
    for (const summary of ["Create a property", "List and search properties", "Delete a property"]) {
      await page.getByText(summary).first().waitFor({ timeout: 30_000 });
    }
    expect(await page.title()).toBe("Real Estate OS API");
    await page.close();
    // Everything else (Scalar's web fonts, for one) was refused, and the page still rendered: no script it needs
    // comes from elsewhere.
    expect(blocked.filter((request) => request.startsWith("script "))).toEqual([]);
  }, 120_000);
});
