import type { DecodedFrame } from '../decoded-frame';

/**
 * Sequential DCT JPEG with Huffman coding (ITU-T T.81 baseline and extended processes, 8 or 12
 * bits per sample, 1–4 components, any sampling factors, interleaved or not, restart intervals).
 *
 * The importer needs it for 12-bit JPEG (DICOM's "JPEG Extended, Process 2 & 4"): libvips and the
 * 8-bit libjpeg-turbo builds refuse 12-bit data, and the DICOM web viewers carry their own
 * JavaScript decoder for it rather than a package. 8-bit JPEG still goes through libvips.
 *
 * Output: samples of the code stream's precision, components interleaved, chroma upsampled by
 * replication, and YCbCr turned into RGB for three-component images unless the stream says RGB
 * (Adobe transform 0, or component identifiers R G B).
 */
export function decodeJpegDct(bytes: Uint8Array): DecodedFrame {
  return new DctDecoder(bytes).decode();
}

const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

/** IDCT basis: COS[x * 8 + u] = C(u)/2 · cos((2x+1)uπ/16). */
const COS = Float64Array.from({ length: 64 }, (_, i) => {
  const x = i >> 3;
  const u = i & 7;
  return ((u === 0 ? Math.SQRT1_2 : 1) / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

interface HuffmanTable {
  maxCode: Int32Array; // per code length 1–16, −1 when no code has that length
  valueOffset: Int32Array;
  values: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  quantTable: number;
  /** Blocks per line and per column of this component, padded to whole MCUs. */
  blocksPerLine: number;
  blocksPerColumn: number;
  plane: Uint16Array;
  dcTable?: HuffmanTable;
  acTable?: HuffmanTable;
  predictor: number;
}

class DctDecoder {
  private pos = 2;
  private readonly quant: (Int32Array | undefined)[] = [];
  private readonly dc: (HuffmanTable | undefined)[] = [];
  private readonly ac: (HuffmanTable | undefined)[] = [];
  private restartInterval = 0;
  private adobeTransform: number | null = null;
  private precision = 8;
  private width = 0;
  private height = 0;
  private components: Component[] = [];
  private maxH = 1;
  private maxV = 1;
  // entropy-coded data bit reader
  private bitBuffer = 0;
  private bitCount = 0;
  private markerHit = false;
  private readonly rowsPass = new Float64Array(64);

  constructor(private readonly data: Uint8Array) {
    if (data[0] !== 0xff || data[1] !== 0xd8) throw new Error('not a JPEG code stream (no start-of-image marker)');
  }

  decode(): DecodedFrame {
    let scans = 0;
    for (;;) {
      const marker = this.nextMarker();
      if (marker === 0xd9) break;
      if (marker === 0xda) {
        if (!this.components.length) throw new Error('JPEG scan before the frame header');
        this.scan();
        scans += 1;
        continue;
      }
      const length = this.u16(this.pos);
      const end = this.pos + length;
      if (length < 2 || end > this.data.length)
        throw new Error(`JPEG marker segment FF${marker.toString(16).toUpperCase()} runs past the end (truncated?)`);
      if (marker === 0xdb) this.readQuantTables(this.pos + 2, end);
      else if (marker === 0xc4) this.readHuffmanTables(this.pos + 2, end);
      else if (marker === 0xdd) this.restartInterval = this.u16(this.pos + 2);
      else if (marker === 0xc0 || marker === 0xc1) this.readFrame(this.pos + 2);
      else if (
        (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) ||
        marker === 0xf7
      ) {
        throw new Error(
          `JPEG process of marker FF${marker.toString(16).toUpperCase()} (progressive, lossless, hierarchical or arithmetic) is not supported by the DCT decoder`,
        );
      } else if (
        marker === 0xee &&
        length >= 14 &&
        String.fromCharCode(...this.data.subarray(this.pos + 2, this.pos + 7)) === 'Adobe'
      ) {
        this.adobeTransform = this.data[this.pos + 13];
      }
      this.pos = end;
    }
    if (!scans) throw new Error('JPEG code stream has no scan');
    return this.output();
  }

  private u16(at: number): number {
    if (at + 1 >= this.data.length) throw new Error('JPEG code stream ends early (truncated?)');
    return (this.data[at] << 8) | this.data[at + 1];
  }

  /** Skips to the next marker (fill bytes allowed) and returns its second byte. */
  private nextMarker(): number {
    while (this.pos < this.data.length && this.data[this.pos] !== 0xff) this.pos += 1;
    while (this.pos < this.data.length && this.data[this.pos] === 0xff) this.pos += 1;
    if (this.pos >= this.data.length)
      throw new Error('JPEG code stream ends without an end-of-image marker (truncated?)');
    return this.data[this.pos++];
  }

  private readQuantTables(at: number, end: number): void {
    while (at < end) {
      const precision = this.data[at] >> 4;
      const id = this.data[at] & 15;
      at += 1;
      const table = new Int32Array(64);
      for (let k = 0; k < 64; k++) {
        table[k] = precision ? this.u16(at) : this.data[at];
        at += precision ? 2 : 1;
      }
      this.quant[id] = table;
    }
  }

  private readHuffmanTables(at: number, end: number): void {
    while (at < end) {
      const kind = this.data[at] >> 4;
      const id = this.data[at] & 15;
      const counts = this.data.subarray(at + 1, at + 17);
      const total = counts.reduce((a, b) => a + b, 0);
      const values = this.data.slice(at + 17, at + 17 + total);
      at += 17 + total;
      const maxCode = new Int32Array(18).fill(-1);
      const valueOffset = new Int32Array(18);
      let code = 0;
      let k = 0;
      for (let length = 1; length <= 16; length++) {
        const n = counts[length - 1];
        if (n) {
          valueOffset[length] = k - code; // value index = code + valueOffset
          code += n;
          k += n;
          maxCode[length] = code - 1;
        }
        code <<= 1;
      }
      (kind === 0 ? this.dc : this.ac)[id] = { maxCode, valueOffset, values };
    }
  }

  private readFrame(at: number): void {
    this.precision = this.data[at];
    if (this.precision !== 8 && this.precision !== 12)
      throw new Error(`DCT JPEG with ${this.precision}-bit samples (8 or 12 expected)`);
    this.height = this.u16(at + 1);
    this.width = this.u16(at + 3);
    if (!this.height || !this.width) throw new Error('JPEG frame without a size (DNL marker) is not supported');
    const count = this.data[at + 5];
    const parsed = Array.from({ length: count }, (_, i) => {
      const p = at + 6 + i * 3;
      return { id: this.data[p], h: this.data[p + 1] >> 4, v: this.data[p + 1] & 15, quantTable: this.data[p + 2] };
    });
    this.maxH = Math.max(...parsed.map((c) => c.h));
    this.maxV = Math.max(...parsed.map((c) => c.v));
    const mcusX = Math.ceil(this.width / (8 * this.maxH));
    const mcusY = Math.ceil(this.height / (8 * this.maxV));
    this.components = parsed.map((c) => {
      if (c.h < 1 || c.v < 1 || c.h > 4 || c.v > 4)
        throw new Error(`JPEG component ${c.id} has sampling factors ${c.h}×${c.v}`);
      const blocksPerLine = mcusX * c.h;
      const blocksPerColumn = mcusY * c.v;
      return {
        ...c,
        blocksPerLine,
        blocksPerColumn,
        plane: new Uint16Array(blocksPerLine * blocksPerColumn * 64),
        predictor: 0,
      };
    });
  }

  private scan(): void {
    const length = this.u16(this.pos);
    const count = this.data[this.pos + 2];
    const scanComponents = Array.from({ length: count }, (_, i) => {
      const id = this.data[this.pos + 3 + i * 2];
      const tables = this.data[this.pos + 4 + i * 2];
      const component = this.components.find((c) => c.id === id);
      if (!component) throw new Error(`JPEG scan names component ${id}, which the frame does not have`);
      component.dcTable = this.dc[tables >> 4];
      component.acTable = this.ac[tables & 15];
      if (!component.dcTable || !component.acTable)
        throw new Error(`JPEG scan uses a Huffman table that was not defined`);
      if (!this.quant[component.quantTable])
        throw new Error(`JPEG component ${id} uses quantisation table ${component.quantTable}, which was not defined`);
      return component;
    });
    this.pos += length;
    const single = scanComponents.length === 1;
    const mcusX = single
      ? Math.ceil(Math.ceil((this.width * scanComponents[0].h) / this.maxH) / 8)
      : Math.ceil(this.width / (8 * this.maxH));
    const mcusY = single
      ? Math.ceil(Math.ceil((this.height * scanComponents[0].v) / this.maxV) / 8)
      : Math.ceil(this.height / (8 * this.maxV));
    const total = mcusX * mcusY;
    const block = new Int32Array(64);
    this.resetDecoder(scanComponents);
    for (let mcu = 0; mcu < total; mcu++) {
      if (this.restartInterval && mcu > 0 && mcu % this.restartInterval === 0) this.restart(scanComponents);
      const mx = mcu % mcusX;
      const my = Math.floor(mcu / mcusX);
      for (const c of scanComponents) {
        const [h, v] = single ? [1, 1] : [c.h, c.v];
        for (let by = 0; by < v; by++) {
          for (let bx = 0; bx < h; bx++) {
            this.decodeBlock(c, block);
            this.storeBlock(c, block, my * v + by, mx * h + bx);
          }
        }
      }
    }
    // leave the position at the marker that ends the entropy-coded segment
    while (
      this.pos < this.data.length &&
      !(
        this.data[this.pos] === 0xff &&
        this.data[this.pos + 1] !== 0 &&
        !(this.data[this.pos + 1] >= 0xd0 && this.data[this.pos + 1] <= 0xd7)
      )
    )
      this.pos += 1;
  }

  private resetDecoder(components: Component[]): void {
    this.bitBuffer = 0;
    this.bitCount = 0;
    this.markerHit = false;
    for (const c of components) c.predictor = 0;
  }

  /** Expects an RSTn marker at the reader's position (after byte alignment). */
  private restart(components: Component[]): void {
    while (
      this.pos + 1 < this.data.length &&
      !(this.data[this.pos] === 0xff && this.data[this.pos + 1] >= 0xd0 && this.data[this.pos + 1] <= 0xd7)
    )
      this.pos += 1;
    this.pos += 2;
    this.resetDecoder(components);
  }

  private bit(): number {
    if (this.bitCount === 0) {
      let byte = 0;
      if (!this.markerHit && this.pos < this.data.length) {
        byte = this.data[this.pos];
        if (byte === 0xff) {
          const next = this.data[this.pos + 1];
          if (next === 0) this.pos += 2;
          else {
            this.markerHit = true; // a marker inside the data: the rest reads as zero bits
            byte = 0;
          }
        } else {
          this.pos += 1;
        }
      }
      this.bitBuffer = byte;
      this.bitCount = 8;
    }
    this.bitCount -= 1;
    return (this.bitBuffer >> this.bitCount) & 1;
  }

  private receive(bits: number): number {
    let v = 0;
    for (let i = 0; i < bits; i++) v = (v << 1) | this.bit();
    return v;
  }

  /** T.81 F.2.2.1 EXTEND: the top half of the range is positive, the bottom half negative. */
  private receiveExtend(bits: number): number {
    if (bits === 0) return 0;
    const v = this.receive(bits);
    return v < 1 << (bits - 1) ? v - (1 << bits) + 1 : v;
  }

  private huffman(table: HuffmanTable): number {
    let code = 0;
    for (let length = 1; length <= 16; length++) {
      code = (code << 1) | this.bit();
      if (code <= table.maxCode[length]) return table.values[code + table.valueOffset[length]];
    }
    throw new Error('JPEG data holds an invalid Huffman code (corrupt?)');
  }

  private decodeBlock(c: Component, block: Int32Array): void {
    const q = this.quant[c.quantTable]!;
    block.fill(0);
    c.predictor += this.receiveExtend(this.huffman(c.dcTable!));
    block[0] = c.predictor * q[0];
    for (let k = 1; k < 64;) {
      const rs = this.huffman(c.acTable!);
      const run = rs >> 4;
      const size = rs & 15;
      if (size === 0) {
        if (run !== 15) break; // end of block
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) throw new Error('JPEG block has more than 64 coefficients (corrupt?)');
      block[ZIGZAG[k]] = this.receiveExtend(size) * q[k];
      k += 1;
    }
  }

  /** Inverse DCT of one block into the component plane, level-shifted and clamped. */
  private storeBlock(c: Component, block: Int32Array, row: number, col: number): void {
    if (row >= c.blocksPerColumn || col >= c.blocksPerLine) return;
    const tmp = this.rowsPass;
    for (let v = 0; v < 8; v++) {
      for (let x = 0; x < 8; x++) {
        let s = 0;
        for (let u = 0; u < 8; u++) s += COS[x * 8 + u] * block[v * 8 + u];
        tmp[v * 8 + x] = s;
      }
    }
    const max = (1 << this.precision) - 1;
    const shift = 1 << (this.precision - 1);
    const stride = c.blocksPerLine * 8;
    for (let y = 0; y < 8; y++) {
      const base = (row * 8 + y) * stride + col * 8;
      for (let x = 0; x < 8; x++) {
        let s = 0;
        for (let v = 0; v < 8; v++) s += COS[y * 8 + v] * tmp[v * 8 + x];
        c.plane[base + x] = Math.min(max, Math.max(0, Math.round(s + shift)));
      }
    }
  }

  private output(): DecodedFrame {
    const { width, height, components } = this;
    const n = components.length;
    const data = this.precision > 8 ? new Uint16Array(width * height * n) : new Uint8Array(width * height * n);
    components.forEach((c, k) => {
      const stride = c.blocksPerLine * 8;
      for (let y = 0; y < height; y++) {
        const sy = Math.floor((y * c.v) / this.maxV);
        for (let x = 0; x < width; x++)
          data[(y * width + x) * n + k] = c.plane[sy * stride + Math.floor((x * c.h) / this.maxH)];
      }
    });
    if (n === 3 && this.isYCbCr()) yccToRgb(data, this.precision);
    return { data, width, height, components: n, bitsPerSample: this.precision };
  }

  private isYCbCr(): boolean {
    if (this.adobeTransform !== null) return this.adobeTransform !== 0;
    const ids = this.components.map((c) => String.fromCharCode(c.id)).join('');
    return ids !== 'RGB';
  }
}

/** JFIF YCbCr → RGB (full range), in place. */
function yccToRgb(data: Uint8Array | Uint16Array, precision: number): void {
  const max = (1 << precision) - 1;
  const mid = 1 << (precision - 1);
  const clamp = (v: number) => Math.min(max, Math.max(0, Math.round(v)));
  for (let i = 0; i < data.length; i += 3) {
    const y = data[i];
    const cb = data[i + 1] - mid;
    const cr = data[i + 2] - mid;
    data[i] = clamp(y + 1.402 * cr);
    data[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    data[i + 2] = clamp(y + 1.772 * cb);
  }
}
