// engine.js: the Marp engine for the netlab decks. It is Marp Core plus one rule: every local image
// (diagrams/NAME.svg, rendered by `make` into build/diagrams/) is embedded in the slide as a data:
// URL, so that each HTML file is self-contained. A missing diagram or a remote image is an error.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const TYPES = { '.svg': 'image/svg+xml', '.png': 'image/png' }

function embedLocalImages(md) {
  md.inline.ruler2.before('marpit_parse_image', 'netlab_embed_image', ({ tokens }) => {
    for (const token of tokens) {
      if (token.type !== 'image') continue
      const src = token.attrGet('src')
      if (src.startsWith('data:')) continue
      if (/^[a-z][a-z0-9+.-]*:/i.test(src)) {
        throw new Error(`slides: remote image ${src}: decks must be self-contained`)
      }
      const file = path.join(__dirname, 'build', decodeURIComponent(src))
      const type = TYPES[path.extname(file)]
      if (!type) throw new Error(`slides: ${src}: only .svg and .png images are embedded`)
      if (!fs.existsSync(file)) {
        throw new Error(`slides: image ${src} not found (looked for ${file}; is it in diagrams/?)`)
      }
      token.attrSet('src', `data:${type};base64,${fs.readFileSync(file).toString('base64')}`)
    }
  })
}

module.exports = ({ marp }) => marp.use(embedLocalImages)
