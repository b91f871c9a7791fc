import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { loadDemo } from '../../src/cli/demo.js'
import { build, type TestContext } from './app.js'
import { projectRoot } from '../../src/config.js'

// Debian's chromium package (`.ci/run` installs it); playwright-core only drives it.
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync']

export const screenshotsDir = join(projectRoot, 'test', 'browser', 'screenshots')

export interface Site {
  app: FastifyInstance
  origin: string
  browser: Browser
  /** A new browser profile (cookies and all) that records every host it sends a request to. */
  context: (options?: BrowserContextOptions) => Promise<BrowserContext & { hosts: Set<string> }>
}

/**
 * Defines a file's browser tests on one site. Where there is no Chromium the file is skipped, saying
 * what to install, unless REQUIRE_BROWSER=1 (as in CI), where that is a failure.
 */
export async function withSite (t: TestContext, env: Record<string, string>, define: (s: Site) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    const reason = `Chromium is not at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`
    if (process.env.REQUIRE_BROWSER === '1') throw new Error(`${reason}; REQUIRE_BROWSER=1 makes that a failure`)
    t.plan(0, reason)
    return
  }
  await define(await site(t, env))
}

/** The real server, listening on a loopback port with the demo campaign loaded, and a headless Chromium. */
async function site (t: TestContext, env: Record<string, string>): Promise<Site> {
  const app = await build(t, { STATS_TTL_MS: '500', ...env })
  await loadDemo(app.db, { keys: app.keys, sealer: app.sealer, consentVersion: app.config.CONSENT_VERSION, log: () => {} })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  mkdirSync(screenshotsDir, { recursive: true })
  return {
    app,
    origin: `http://127.0.0.1:${port}`,
    browser,
    async context (options = {}) {
      const context = await browser.newContext({ locale: 'en-GB', ...options }) as BrowserContext & { hosts: Set<string> }
      context.hosts = new Set()
      context.on('request', (request) => { context.hosts.add(new URL(request.url()).host) })
      t.teardown(() => context.close())
      return context
    }
  }
}

const axeSource = readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')

export interface Violation { id: string, impact: string, nodes: string[] }

/** What axe-core finds on the page as it stands (the first three places of each), with only `rules` when given. */
async function axeViolations (page: Page, rules?: string[]): Promise<Violation[]> {
  await page.evaluate(axeSource)
  return page.evaluate(async (only) => {
    type AxeResults = { violations: Array<{ id: string, impact: string, nodes: Array<{ target: string[] }> }> }
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: object) => Promise<AxeResults> } }).axe
    const options = { resultTypes: ['violations'], ...(only !== undefined && { runOnly: { type: 'rule', values: only } }) }
    const results = await axe.run((globalThis as unknown as { document: unknown }).document, options)
    return results.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))
  }, rules)
}

/** What axe-core finds serious or critical on the page as it stands. */
export async function seriousViolations (page: Page): Promise<Violation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

// The axe rules behind Lighthouse's accessibility audits (lighthouse-core/config/default-config.js):
// Lighthouse fails an audit on any violation of its rule, whatever axe calls its impact.
const LIGHTHOUSE_RULES = [
  'accesskeys', 'aria-allowed-attr', 'aria-allowed-role', 'aria-command-name', 'aria-conditional-attr', 'aria-deprecated-role',
  'aria-dialog-name', 'aria-hidden-body', 'aria-hidden-focus', 'aria-input-field-name', 'aria-meter-name', 'aria-progressbar-name',
  'aria-prohibited-attr', 'aria-required-attr', 'aria-required-children', 'aria-required-parent', 'aria-roles', 'aria-text',
  'aria-toggle-field-name', 'aria-tooltip-name', 'aria-treeitem-name', 'aria-valid-attr-value', 'aria-valid-attr', 'button-name',
  'bypass', 'color-contrast', 'definition-list', 'dlitem', 'document-title', 'duplicate-id-aria', 'empty-heading',
  'form-field-multiple-labels', 'frame-title', 'heading-order', 'html-has-lang', 'html-lang-valid', 'html-xml-lang-mismatch',
  'image-alt', 'image-redundant-alt', 'input-button-name', 'input-image-alt', 'label-content-name-mismatch', 'label',
  'landmark-one-main', 'link-in-text-block', 'link-name', 'list', 'listitem', 'meta-refresh', 'meta-viewport', 'object-alt',
  'select-name', 'skip-link', 'tabindex', 'table-duplicate-name', 'table-fake-caption', 'target-size', 'td-has-header',
  'td-headers-attr', 'th-has-data-cells', 'valid-lang', 'video-caption'
]

/** Violations of any of the rules Lighthouse's accessibility score is made of: none means a score of 100. */
export async function lighthouseViolations (page: Page): Promise<Violation[]> {
  return axeViolations(page, LIGHTHOUSE_RULES)
}
