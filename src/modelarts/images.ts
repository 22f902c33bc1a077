import { createHash } from 'node:crypto'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'

/*
 * The pictures a signed URL downloads when no fixture file stands for the object: real images that any
 * decoder opens, drawn from the object's key alone, so the same key is the same bytes on every machine.
 * A processed sample is its origin's picture augmented (mirrored, noise added, framed, as the fixtures'
 * AddNoise and Resize say), so a client comparing the two sees the processing.
 */

export const IMAGE_WIDTH = 192
export const IMAGE_HEIGHT = 144

/** RGBA pixels, as both encoders take them. */
type Pixels = Uint8Array

/** Bytes drawn from a seed: SHA-256 in counter mode, enough for any picture's choices. */
function draws(seed: string): () => number {
  let block = Buffer.alloc(0)
  let counter = 0
  let at = 0
  return () => {
    if (at >= block.length) {
      block = createHash('sha256').update(`${seed}\u0000${counter++}`).digest()
      at = 0
    }
    return block[at++] as number
  }
}

function hsl(hue: number, saturation: number, lightness: number): [number, number, number] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation
  const h = (hue % 360) / 60
  const x = chroma * (1 - Math.abs((h % 2) - 1))
  const [r, g, b] = h < 1 ? [chroma, x, 0] : h < 2 ? [x, chroma, 0] : h < 3 ? [0, chroma, x] : h < 4 ? [0, x, chroma] : h < 5 ? [x, 0, chroma] : [chroma, 0, x]
  const m = lightness - chroma / 2
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)]
}

/** A landscape of sorts: a sky gradient, a ground band, and a few discs and boxes, all from the seed. */
function originPixels(seed: string): Pixels {
  const next = draws(seed)
  const pixels = new Uint8Array(IMAGE_WIDTH * IMAGE_HEIGHT * 4)
  const hue = next() * 360 / 256
  const top = hsl(hue, 0.55, 0.72)
  const bottom = hsl(hue + 40, 0.6, 0.45)
  const ground = hsl(hue + 150, 0.45, 0.35)
  const horizon = Math.round(IMAGE_HEIGHT * (0.55 + next() / 1024))
  for (let y = 0; y < IMAGE_HEIGHT; y++) {
    const t = y / IMAGE_HEIGHT
    const row = y < horizon ? [0, 1, 2].map((i) => Math.round((top[i] as number) * (1 - t) + (bottom[i] as number) * t)) : ground
    for (let x = 0; x < IMAGE_WIDTH; x++) {
      const at = (y * IMAGE_WIDTH + x) * 4
      pixels[at] = row[0] as number
      pixels[at + 1] = row[1] as number
      pixels[at + 2] = row[2] as number
      pixels[at + 3] = 255
    }
  }
  const shapes = 3 + (next() % 4)
  for (let shape = 0; shape < shapes; shape++) {
    const color = hsl(hue + 60 + next() * 240 / 256, 0.7, 0.35 + next() / 640)
    const cx = next() * IMAGE_WIDTH / 256
    const cy = next() * IMAGE_HEIGHT / 256
    const size = 10 + next() % 30
    const disc = next() % 2 === 0
    for (let y = Math.max(0, Math.floor(cy - size)); y < Math.min(IMAGE_HEIGHT, cy + size); y++) {
      for (let x = Math.max(0, Math.floor(cx - size)); x < Math.min(IMAGE_WIDTH, cx + size); x++) {
        if (disc && (x - cx) ** 2 + (y - cy) ** 2 > size * size) continue
        const at = (y * IMAGE_WIDTH + x) * 4
        pixels[at] = color[0]
        pixels[at + 1] = color[1]
        pixels[at + 2] = color[2]
      }
    }
  }
  return pixels
}

/** The origin mirrored, with noise drawn from the processed key, inside a frame of the key's colour. */
function processedPixels(origin: Pixels, seed: string): Pixels {
  const next = draws(seed)
  const frame = hsl(next() * 360 / 256, 0.8, 0.5)
  const border = 6
  const pixels = new Uint8Array(origin.length)
  for (let y = 0; y < IMAGE_HEIGHT; y++) {
    for (let x = 0; x < IMAGE_WIDTH; x++) {
      const to = (y * IMAGE_WIDTH + x) * 4
      const from = (y * IMAGE_WIDTH + (IMAGE_WIDTH - 1 - x)) * 4
      const framed = x < border || y < border || x >= IMAGE_WIDTH - border || y >= IMAGE_HEIGHT - border
      for (let channel = 0; channel < 3; channel++) {
        const noise = (next() % 49) - 24
        pixels[to + channel] = framed ? frame[channel] as number : Math.min(255, Math.max(0, (origin[from + channel] as number) + noise))
      }
      pixels[to + 3] = 255
    }
  }
  return pixels
}

export type ImageFormat = 'jpeg' | 'png'

export interface DrawnImage {
  bytes: Buffer
  contentType: string
}

/** The format a key's extension names: JPEG for .jpg and .jpeg, PNG otherwise. */
export function formatOf(key: string): ImageFormat {
  return /\.jpe?g$/i.test(key) ? 'jpeg' : 'png'
}

function encode(pixels: Pixels, format: ImageFormat): DrawnImage {
  if (format === 'jpeg') {
    const { data } = jpeg.encode({ data: pixels, width: IMAGE_WIDTH, height: IMAGE_HEIGHT }, 85)
    return { bytes: Buffer.from(data), contentType: 'image/jpeg' }
  }
  const png = new PNG({ width: IMAGE_WIDTH, height: IMAGE_HEIGHT })
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  return { bytes: PNG.sync.write(png), contentType: 'image/png' }
}

/** Recently drawn images: a client pages through results and fetches each URL, the status page every second. */
const drawn = new Map<string, DrawnImage>()
const DRAWN_KEPT = 128

/**
 * The picture of an object: its origin's (`originKey`, e.g. bucket/classify/data/animals/8.jpg), or, given
 * `processedKey`, that picture as processed into the other object. Encoded as the object key's extension says.
 */
export function drawImage(objectKey: string, originKey: string, processedKey: string | null): DrawnImage {
  const cacheKey = `${objectKey}\u0000${originKey}\u0000${processedKey ?? ''}`
  const kept = drawn.get(cacheKey)
  if (kept !== undefined) return kept
  const origin = originPixels(originKey)
  const image = encode(processedKey === null ? origin : processedPixels(origin, processedKey), formatOf(objectKey))
  if (drawn.size >= DRAWN_KEPT) drawn.delete(drawn.keys().next().value as string)
  drawn.set(cacheKey, image)
  return image
}
