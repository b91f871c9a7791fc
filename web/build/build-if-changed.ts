import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// `npm test` needs the built browser code; building it compresses every file at brotli's highest level,
// which takes longer than many test files. So it is built only when web/ or the locked dependencies have
// changed since the build that dist/ holds (or when that build is missing).
const root = join(import.meta.dirname, '..', '..')
const stamp = join(root, 'dist', '.web-inputs')
const outputs = [join(root, 'dist', 'web', 'build-report.json'), join(root, 'dist', 'embed', 'embed.js')]

function addTree (hash: ReturnType<typeof createHash>, path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = join(path, entry.name)
    if (entry.isDirectory()) addTree(hash, child)
    else hash.update(child.slice(root.length)).update(readFileSync(child))
  }
}

const hash = createHash('sha256')
addTree(hash, join(root, 'web'))
for (const file of ['package.json', 'package-lock.json']) hash.update(file).update(readFileSync(join(root, file)))
const inputs = hash.digest('hex')

if (outputs.every((file) => existsSync(file)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs) {
  console.log('The browser code in dist/ is built from the current web/: not built again.')
} else {
  execFileSync('npm', ['run', 'build:web', '--silent'], { cwd: root, stdio: 'inherit' })
  writeFileSync(stamp, inputs)
}
