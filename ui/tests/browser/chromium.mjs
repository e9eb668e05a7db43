// What every browser test file shares: Debian's Chromium launched
// headless through playwright-core (never a downloaded browser), and the
// check of a screen: axe-core's WCAG 2.1 A/AA rules with no serious or
// critical violation, then a full-page screenshot.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

/** Headless Chromium: $CHROMIUM, else /usr/bin/chromium. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** axe on the page as it is (0 serious or critical), then its screenshot `name`.png in `dir`. */
export async function auditScreen(page, name, dir) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(summary, [], `axe on ${name}`);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  return result;
}
