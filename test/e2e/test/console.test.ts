/// <reference lib="dom" />
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, type LocalActor } from "../src";

// The operator console in Debian's Chromium, against the real stack: sign in, watch a post go
// out, open the host that refused it, redrive once it recovers. Screenshots of each step go to
// test/e2e/output/console/.
const chromiumPath = process.env.FEDIFLOW_CHROMIUM ?? "/usr/bin/chromium";
const screenshots = path.resolve(__dirname, "../output/console");

let t: TestStack;
let actor: LocalActor;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** The application's webhook endpoint: answers every event 204. */
let receiver: Server;
let receiverUrl: string;
/** Every URL the browser asked for, and every error it reported (a CSP refusal is one). */
const requested: string[] = [];
const browserErrors: string[] = [];

async function snap(name: string): Promise<void> {
  const file = path.join(screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.info(`screenshot: ${file}`);
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  t = await TestStack.start({
    // 0: accepts everything; 1: refuses this instance's posts with 403 until the test relents.
    fediverse: { hosts: [{ behaviour: { kind: "ok" } }, { behaviour: { kind: "status", status: 403 } }] },
    env: { FEDIFLOW_WEBHOOK_POLL_MS: "100" },
  });
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/fediflow-events`;
  actor = await t.registerActor("alice");
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      // Root in a container has no user namespace for the sandbox.
      "--no-sandbox",
      // Nothing but the stack on loopback: no name resolves, no background service calls home.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-domain-reliability",
      "--disable-sync",
      "--no-first-run",
      "--no-pings",
    ],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
  page.on("request", (request) => requested.push(request.url()));
  page.on("pageerror", (error) => browserErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") browserErrors.push(message.text());
  });
});
afterAll(async () => {
  await browser?.close();
  receiver?.close();
  await t?.stop();
});

describe("the operator console", () => {
  it("signs in, watches a post reach done, opens the refusing host and redrives it once it recovers", async () => {
    const [healthy, refusing] = t.fediverse.hosts;

    // Sign in with the keyboard alone.
    await page.goto(`${t.stack.ingressUrl}/console`);
    await page.getByLabel("API token").focus();
    await page.keyboard.type("not-a-token");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/^401 /);
    await page.getByLabel("API token").fill(t.token);
    await page.keyboard.press("Enter");
    await page.getByRole("navigation", { name: "Console" }).waitFor();
    expect(page.url()).not.toContain(t.token);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([t.token]);

    await t.client.createWebhook({ url: receiverUrl, events: ["activity.completed"] });
    const accepted = await t.client.submitActivity({
      actor: actor.id,
      activity: createNote(actor.id),
      audience: { inboxes: [healthy!.inboxOf("a"), healthy!.inboxOf("b"), refusing!.inboxOf("c")] },
    });

    // The activity appears in the list on its own (the page polls), then its page shows it done.
    await page.getByRole("link", { name: accepted.id }).click();
    const bar = page.getByRole("progressbar", { name: "Delivery progress" });
    await expect.poll(() => bar.getAttribute("aria-valuenow"), { timeout: 60_000 }).toBe("3");
    await page.locator('[data-state="done"]').waitFor();
    expect(await page.locator('[data-count="delivered"]').textContent()).toBe("2");
    expect(await page.locator('[data-count="failed"]').textContent()).toBe("1");
    await snap("1-activity-done");

    // The failed inbox, by outcome, with the refusal's status; its host is one click away.
    await page.getByLabel("Outcome").selectOption("rejected");
    const row = page.getByRole("row").filter({ hasText: refusing!.inboxOf("c") });
    await row.waitFor();
    expect(await page.getByRole("row").count()).toBe(2);
    expect(await row.textContent()).toContain("403");
    await snap("2-activity-failed-inboxes");
    await row.getByRole("link", { name: refusing!.host }).click();
    await page.getByRole("heading", { name: refusing!.host }).waitFor();
    await page.getByRole("row").filter({ hasText: accepted.id }).first().waitFor();
    await snap("3-host");

    // The host recovers; a redrive (asked, then confirmed) sends the refused inbox again.
    await t.fediverse.setBehaviour(refusing!.host, { kind: "ok" });
    await page.getByRole("button", { name: "Redrive", exact: true }).click();
    await page.getByRole("button", { name: "Yes, redrive" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Redriven" }).textContent()).toBe("Redriven: 1 inbox");
    await snap("4-host-redriven");

    await page.getByRole("link", { name: accepted.id }).first().click();
    await expect.poll(() => page.locator('[data-count="delivered"]').textContent(), { timeout: 60_000 }).toBe("3");
    await snap("5-activity-redelivered");
    expect((await t.client.activityInboxes(accepted.id, { outcome: "delivered" })).items).toHaveLength(3);

    // The other pages: hosts by state, webhooks.
    await page.getByRole("link", { name: "Hosts" }).click();
    await page.getByRole("link", { name: refusing!.host }).waitFor();
    await page.getByLabel("State").selectOption("dead");
    await page.getByText("No host is dead.").waitFor();
    await page.getByLabel("State").selectOption("");
    await snap("6-hosts");
    // The webhook subscription, and its delivery of the activity's completion.
    await page.getByRole("link", { name: "Webhooks" }).click();
    const subscription = page.getByRole("row").filter({ hasText: receiverUrl });
    await subscription.getByRole("button", { name: "Deliveries" }).click();
    await page.getByRole("row").filter({ hasText: "activity.completed" }).filter({ hasText: "delivered" }).first().waitFor();
    await snap("7-webhooks");

    // Readable on a phone: the activity page does not scroll sideways (its tables do, inside).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.stack.ingressUrl}/console/#/activities/${accepted.id}`);
    await page.locator('[data-state="done"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await snap("8-activity-phone");

    // Signing out forgets the token.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API token").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    // Only the stack was asked for anything, and the page raised no error (a CSP refusal would).
    expect(requested.filter((url) => !url.startsWith(`${t.stack.ingressUrl}/`))).toEqual([]);
    expect(browserErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
  });
});
