// The live board: every live view of the Playground in one element, drawn frame by frame.
// Each frame (backprop/viz/frames.py) holds the specs the browser lacks ("bases") and the
// numbers that changed. Frames come over the board's own line (a WebSocket, see "the
// board's line" below) or, without it, in chunks from Streamlit script runs; this script
// queues them and draws them on its clock with one renderer, playing or paused.
const FPS = 30; // frames a second from script reruns (no line): chunks of 12, one ahead
const LINE_FPS = 60; // on the line, frames are drawn as they come, on every display refresh
const LOW = 12; // ask for the next chunk when this few frames are left (one chunk ahead)

// loadPlotly() comes from plotly_loader.js, which board.py puts in front of this file
loadPlotly(); // start fetching at once, before the first chunk is decoded

function decode(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const n = dv.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(u8.subarray(8, 8 + n)));
  const start = 8 + n + ((8 - ((8 + n) % 8)) % 8);
  // copy the binary part so that it is 8-aligned for the typed-array views
  const bin = u8.slice(start).buffer;
  return { header, bin };
}

function array(ref, bin, shape) {
  // ref = [offset, count, type (0 float32, 1 a byte between lo and hi), op, lo, hi]
  const [o, n, kind] = ref;
  let flat;
  if (kind === 1) {
    const raw = new Uint8Array(bin, o, n), lo = ref[4], k = (ref[5] - ref[4]) / 254;
    flat = new Float32Array(n);
    for (let i = 0; i < n; i++) flat[i] = raw[i] === 255 ? NaN : lo + raw[i] * k;
  } else {
    flat = new Float32Array(bin, o, n);
  }
  if (!shape || shape.length < 2) return flat;
  const cols = shape[shape.length - 1];
  const rows = [];
  for (let r = 0; r < n / cols; r++) rows.push(flat.subarray(r * cols, (r + 1) * cols));
  return rows;
}

function setPath(obj, path, value) {
  for (let i = 0; i < path.length - 1; i++) {
    if (obj[path[i]] === undefined || obj[path[i]] === null) obj[path[i]] = {};
    obj = obj[path[i]];
  }
  obj[path[path.length - 1]] = value;
}

function getPath(obj, path) {
  for (const k of path) { if (obj == null) return undefined; obj = obj[k]; }
  return obj;
}

function concat(a, b, keep) {
  // the first `keep` values of a (all of them without keep), then b
  const k = a ? Math.min(a.length, keep === undefined ? a.length : keep) : 0;
  const out = new Float32Array(k + b.length);
  if (k) out.set(a.length === k ? a : (a.subarray ? a.subarray(0, k) : a.slice(0, k)), 0);
  out.set(b, k);
  return out;
}

const TYPES = { f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array,
  i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array };

function typed(spec) {
  // Plotly's base64 typed-array spec {dtype, bdata, shape} as a typed array (rows if 2-D)
  const bin = atob(spec.bdata);
  const u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  const flat = new TYPES[spec.dtype](u8.buffer);
  if (!spec.shape) return flat;
  const dims = String(spec.shape).split(",").map(Number);
  if (dims.length < 2) return flat;
  const cols = dims[dims.length - 1], rows = [];
  for (let r = 0; r < flat.length / cols; r++) rows.push(flat.subarray(r * cols, (r + 1) * cols));
  return rows;
}

function clone(spec) {
  // a deep copy of a base spec with its typed-array specs decoded, so frames can extend them
  const walk = (v) => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      if (typeof v.bdata === "string" && TYPES[v.dtype]) return typed(v);
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(spec);
}

// Text on the board's charts: compact (one projector screen holds the board), or
// presentation mode's large high-contrast text. Every chart's top is laid out in rows (px
// from its top), so that no text runs under another or under the modebar (the toolbar Plotly
// shows on hover, 2 px from the top right, 26 px tall): the title at the left of the
// modebar's row, its subtitle (a note: how to read the figure, what it leaves out) under it,
// then what sits on the plot area's top edge (a legend above the plot, the graph's key to
// its edges, the subplots' labels); the plot starts below them. A title too wide for its
// place left of the modebar gets a smaller font (down to a floor), else a row of its own
// below the modebar, else more lines. A legend below the plot gets a margin of its own, and
// a short axis fewer ticks.
const TEXT = {
  normal: { text: 12, title: 14, titleMin: 12, sub: 12, subMin: 11, keyMin: 11, legend: 11,
    margin: { l: 48, r: 12, b: 36 } },
  present: { text: 20, title: 22, titleMin: 20, sub: 20, subMin: 20, keyMin: 20, legend: 20,
    margin: { l: 70, r: 20, b: 56 } },
};
const MODEBAR = { top: 2, h: 26, w: 176 + 8 }; // px: its six buttons (plotly_loader.js), a gap
const TITLE_TOP = 2; // px: the title's top in the modebar's row
const TITLE_X = 5; // px: the title's left (x = 0.01 of a chart's width)
const LINE = 1.3; // Plotly's line height, in em
const PLOTLY_FONT = '"Open Sans", verdana, arial, sans-serif';

function plainText(text) {
  // what Plotly shows of a label's text: one entry a line, tags out, entities decoded
  const decode = (t) => t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  return String(text).split(/<br\s*\/?>/i).map((line) => decode(line.replace(/<[^>]*>/g, "")));
}

function textWidth(text, size, family) {
  // the widest line of a label at this font, as the browser draws it (its own fonts)
  const ctx = (textWidth.ctx = textWidth.ctx || document.createElement("canvas").getContext("2d"));
  ctx.font = `${size}px ${family || PLOTLY_FONT}`;
  return Math.max(0, ...plainText(text).map((line) => ctx.measureText(line).width));
}

function fitText(text, size, min, room, family) {
  // the largest font size from `size` down to `min` at which `text` fits `room` px, or null
  const w = textWidth(text, size, family);
  if (w <= room) return size;
  const fit = Math.floor((size * room) / w);
  return fit >= min && textWidth(text, fit, family) <= room ? fit : null;
}

function wrapText(text, size, room, family) {
  // `text` broken into lines that fit `room` px at `size` (at spaces; a word wider stays)
  const lines = [];
  for (const part of String(text).split(/<br\s*\/?>/i)) {
    let line = "";
    for (const word of part.split(" ")) {
      const next = line ? line + " " + word : word;
      if (line && textWidth(next, size, family) > room) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
  }
  return lines.join("<br>");
}

function topEdgeRow(layout, s, width, family) {
  // px above the plot area taken by what sits on its top edge, bottom-anchored there; a key
  // at its left (the graph's edges) starts at the chart's left, as the title does, and is
  // fitted to the width like it
  let h = 0;
  if (layout.annotations) {
    layout.annotations = layout.annotations.map((a) => {
      if (a.yref !== "paper" || !(a.y >= 0.999) || a.yanchor !== "bottom" || !a.text) return a;
      let size = (a.font && a.font.size) || s.text, text = a.text;
      if (a.xref === "paper" && a.x === 0 && a.xanchor === "left") {
        const room = width - 2 * TITLE_X, min = Math.min(size, s.keyMin);
        const fit = fitText(text, size, min, room, family);
        size = fit === null ? min : fit;
        if (fit === null) text = wrapText(text, size, room, family);
        a = Object.assign({}, a, { text, xshift: TITLE_X - s.margin.l,
          font: Object.assign({}, a.font || {}, { size }) });
      }
      const sup = /<su[bp]>/.test(text) ? 0.4 : 0; // a superscript stands above the line
      h = Math.max(h, size * (LINE * plainText(text).length + sup));
      return a;
    });
  }
  const lg = layout.legend;
  if (lg && lg.y >= 1 && lg.orientation === "h") h = Math.max(h, LINE * s.legend + 16); // a row
  return h ? h + 4 : 0;
}

function topBand(layout, s, width, present) {
  // The top margin; sets the title's font and place and adds the rows under it (its
  // subtitle, the rest of a title too long for one line) as notes placed in px: a Plotly
  // subtitle stands 1.6 em below its title, and its titles of several lines move up.
  let title = layout.title;
  if (typeof title === "string") title = { text: title };
  const family = (title && title.font && title.font.family) || (layout.font && layout.font.family);
  const x = TITLE_X;
  const beside = width - x - MODEBAR.w; // left of the modebar
  const full = width - 2 * x;
  let bottom = MODEBAR.top + MODEBAR.h; // the modebar's row
  const rows = []; // [text, font size, top, colour] under the title
  if (title && title.text) {
    let text = title.text, rest = [], row = TITLE_TOP;
    let size = fitText(text, s.title, s.titleMin, beside, family);
    if (size === null) { // below the modebar's row
      row = bottom + 2;
      size = fitText(text, s.title, s.titleMin, full, family);
      if (size === null) {
        size = s.titleMin;
        [text, ...rest] = wrapText(text, size, full, family).split("<br>");
      }
    }
    const top = Math.round(row + 0.25 * size); // Plotly's pad: a glyph stands above it
    let end = top + size * LINE;
    const colour = present ? "#000" : (title.font && title.font.color) || undefined;
    for (const line of rest) { rows.push([line, size, end, colour]); end += size * LINE; }
    const sub = title.subtitle && title.subtitle.text;
    if (sub) {
      const room = end < bottom ? beside : full;
      let subSize = fitText(sub, s.sub, s.subMin, room, family), lines = [sub];
      if (subSize === null) {
        subSize = s.subMin;
        lines = wrapText(sub, subSize, room, family).split("<br>");
      }
      for (const line of lines) {
        rows.push([line, subSize, end, present ? "#000" : "#566573"]);
        end += subSize * LINE;
      }
    }
    layout.title = Object.assign({}, title, {
      text, subtitle: { text: "" },
      font: Object.assign({}, title.font || {}, { size }),
      x: 0.01, xref: "container", xanchor: "left",
      y: 1, yref: "container", yanchor: "top", pad: { t: top },
    });
    bottom = Math.max(bottom, end);
  }
  const t = Math.ceil(bottom + topEdgeRow(layout, s, width, family) + 2);
  const notes = rows.map(([text, size, top, color]) => ({
    text, name: "title note", showarrow: false, xref: "paper", yref: "paper", x: 0, y: 1,
    xanchor: "left", yanchor: "top", xshift: x - s.margin.l, yshift: t - top,
    font: color ? { size, color } : { size },
  }));
  if (notes.length) layout.annotations = [...(layout.annotations || []), ...notes];
  return t;
}

function legendHeight(traces, s, width, family) {
  // px of a horizontal legend: its entries packed in rows as Plotly does (each its text and
  // 40 px of symbol and gaps, in the plot area's width), rows of max(1.3 em, 16) + 3 px,
  // 10 px of padding
  const room = width - s.margin.l - s.margin.r;
  const shown = (t) => t.showlegend === true
    || (t.showlegend !== false && (t.type || "scatter") === "scatter" && t.name !== undefined);
  let rows = 0, used = 0;
  for (const t of (traces || []).filter(shown)) {
    const w = textWidth(t.name, s.legend, family) + 40;
    if (!rows || (used && used + w > room)) { rows += 1; used = 0; }
    used += w;
  }
  return rows * (Math.max(LINE * s.legend, 16) + 3) + 10;
}

function present(layout, board, box = {}, traces = []) {
  // box: the chart's size ({width, height}) and its legend's height as Plotly last drew it
  // at that size (legend), if it did
  const s = board.present ? TEXT.present : TEXT.normal;
  const width = box.width || 600, height = box.height || 360;
  layout.font = Object.assign({}, layout.font || {}, { size: s.text },
    board.present ? { color: "#000" } : {});
  if (board.present && layout.annotations) {
    layout.annotations = layout.annotations.map((a) => Object.assign({}, a,
      { font: Object.assign({}, a.font || {},
        { size: Math.max(s.text, (a.font || {}).size || 0), color: "#000" }) }));
  }
  let b = s.margin.b;
  const below = layout.legend && layout.legend.orientation === "h" && layout.legend.y < 0;
  if (layout.legend) {
    layout.legend = Object.assign({}, layout.legend, { font: { size: s.legend } });
    // above the plot: on its top edge, under the modebar's row (see topBand)
    if (layout.legend.y >= 1) Object.assign(layout.legend, { y: 1, yanchor: "bottom" });
  }
  const t = topBand(layout, s, width, board.present);
  if (below) {
    // below the x axis' tick labels and title (which the bottom margin holds), in a margin
    // of its own: placed in px (a fraction of the plot's height put it on the axis' title in
    // a short chart)
    box.reserved = box.legend || legendHeight(traces, s, width, layout.font.family);
    b += box.reserved + 14; // (Plotly keeps ~13 px below a legend, else it pushes the margin)
    const plot = Math.max(1, height - t - b);
    Object.assign(layout.legend, { y: -(s.margin.b + 2) / plot, yanchor: "top" });
  }
  layout.margin = Object.assign({}, s.margin, { t, b });
  // the room Plotly had to make beyond these (tick labels, a colour bar or a legend at the
  // right), as last drawn at this width: asked for at once (see plotlyDraw)
  for (const [k, v] of Object.entries(box.pushed || {})) layout.margin[k] = Math.max(layout.margin[k], v);
  box.plot = Math.max(1, height - t - b); // px: the plot area's height
  box.ticks = Math.min(6, mostTicks(box.plot, s)); // (a short axis' ticks follow it)
  fewerTicks(layout, s, box.plot);
  return layout;
}

function mostTicks(px, s) {
  // ticks a vertical axis of `px` has room for: two lines of text apart (Plotly's own choice
  // puts at least 5 on any axis, which overlap on a colour bar in a short chart)
  return Math.max(2, Math.floor(px / (2 * s.text)));
}

function fewerTicks(layout, s, plot) {
  // the y axes and colour axes' bars of a short chart: no more ticks than fit
  for (const [key, ax] of Object.entries(layout)) {
    if (!ax || typeof ax !== "object" || ax.tickvals || ax.nticks !== undefined) continue;
    if (/^yaxis\d*$/.test(key) && ax.visible !== false && ax.type !== "category") {
      const d = ax.domain || [0, 1], n = mostTicks(plot * (d[1] - d[0]), s);
      if (n < 6) layout[key] = Object.assign({}, ax, { nticks: n });
    }
    if (/^coloraxis\d*$/.test(key) && ax.showscale !== false) {
      const bar = colourBarTicks(ax.colorbar || {}, s, plot);
      if (bar) layout[key] = Object.assign({}, ax, { colorbar: bar });
    }
  }
}

function colourBarTicks(bar, s, plot) {
  // a colour bar with fewer ticks (null: it needs none fewer)
  if (bar.tickvals || bar.nticks !== undefined) return null;
  if (bar.lenmode && bar.lenmode !== "fraction") return null;
  const n = mostTicks(plot * (bar.len === undefined ? 1 : bar.len), s);
  return n < 6 ? Object.assign({}, bar, { nticks: n }) : null;
}

const OWN_BARS = new WeakMap(); // a trace (the board's copy) -> its colour bar as sent

function colourBars(traces, s, plot) {
  // the traces' own colour bars (a heatmap's, a contour's) with fewer ticks, as above, set
  // on the board's copy of them (Plotly draws from it again after a resize)
  for (const t of traces) {
    if (!t || (!t.colorbar && !OWN_BARS.has(t))) continue;
    if (!OWN_BARS.has(t)) OWN_BARS.set(t, t.colorbar);
    const own = OWN_BARS.get(t);
    const fewer = t.showscale !== false && !t.coloraxis && colourBarTicks(own, s, plot);
    t.colorbar = fewer || own;
  }
}

// ---------------------------------------------------------------- one renderer
// Plotly.react redraws a whole figure (axes, legend, every trace): 15-60 ms a view on a
// software-rendered browser. So Plotly draws each view's frame (axes, ticks, colour bars,
// legend, titles) and keeps the numbers for hover and exports, and the board paints the
// marks (heatmaps, contours, lines, markers) on a canvas over the plot area, in Plotly's
// own layer order, playing or paused alike; Plotly's own drawing of the marks is hidden.
// So the board looks the same playing and paused, and a frame costs a paint (about a
// millisecond a view). Plotly draws a view again when its layout changed (at once when
// paused, at most every LAYOUT_EVERY frames while playing), its data left the axes, and
// when the pointer enters it (hover needs Plotly's copy of the numbers). A view with a
// trace the painter does not know is drawn by Plotly alone, playing and paused.
const LAYOUT_EVERY = 8;
const LAYER_ORDER = { heatmap: 0, contour: 1, scatter: 2 }; // Plotly's traceLayerClasses
const ROOM = 1.3; // a growing curve's axes: room to grow by 30 %, playing and paused

function parseColour(c, alpha) {
  // any CSS colour as [r, g, b, a] (through a 1x1 canvas, cached)
  const cache = parseColour.cache || (parseColour.cache = new Map());
  const key = c + "|" + alpha;
  let out = cache.get(key);
  if (out) return out;
  const cv = parseColour.cv || (parseColour.cv = document.createElement("canvas"));
  cv.width = cv.height = 1;
  const ctx = cv.getContext("2d", { willReadFrequently: true });
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = c;
  ctx.fillRect(0, 0, 1, 1);
  const d = ctx.getImageData(0, 0, 1, 1).data;
  out = [d[0], d[1], d[2], Math.round(d[3] * alpha)];
  cache.set(key, out);
  return out;
}

function lut(scale, alpha) {
  // 256 RGBA entries of a Plotly colour scale [[0, c0], ..., [1, c1]]
  const key = JSON.stringify(scale) + alpha;
  const cache = lut.cache || (lut.cache = new Map());
  if (cache.has(key)) return cache.get(key);
  const out = new Uint8ClampedArray(256 * 4);
  const stops = scale.map(([v, c]) => [Number(v), parseColour(c, alpha)]);
  for (let i = 0; i < 256; i++) {
    const v = i / 255;
    let k = 1;
    while (k < stops.length - 1 && stops[k][0] < v) k++;
    const [v0, c0] = stops[k - 1], [v1, c1] = stops[k];
    const t = v1 > v0 ? Math.min(1, Math.max(0, (v - v0) / (v1 - v0))) : 0;
    for (let j = 0; j < 4; j++) out[4 * i + j] = c0[j] + (c1[j] - c0[j]) * t;
  }
  cache.set(key, out);
  return out;
}

function axesOf(gd, full) {
  const fl = gd._fullLayout;
  const xa = fl["xaxis" + (full.xaxis || "x").slice(1)];
  const ya = fl["yaxis" + (full.yaxis || "y").slice(1)];
  return xa && ya && xa.c2p && ya.c2p ? [xa, ya] : null;
}

function colourRange(gd, fig, trace, full, values) {
  // [lo, hi, scale] of a heatmap's z or a marker's colours: the trace's own bounds, its
  // colour axis' (as in this frame), or the values' extent
  const axis = trace.coloraxis || full.coloraxis;
  const ca = axis ? fig.layout[axis] || {} : null;
  let lo = ca ? ca.cmin : trace.zmin !== undefined ? trace.zmin : trace.cmin;
  let hi = ca ? ca.cmax : trace.zmax !== undefined ? trace.zmax : trace.cmax;
  if (lo === undefined || hi === undefined || lo === null || hi === null) {
    lo = Infinity; hi = -Infinity;
    for (const v of values) if (v === v) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const scale = axis ? (gd._fullLayout[axis] || {}).colorscale : full.colorscale;
  return [lo, hi, scale || [[0, "#000"], [1, "#fff"]]];
}

function cellEdges(arr, n, a0, da) {
  // a heatmap's outer edges along one axis: half a cell beyond the first and last centre
  if (arr && arr.length >= 2) {
    const d = (arr[arr.length - 1] - arr[0]) / (arr.length - 1);
    return [arr[0] - d / 2, arr[arr.length - 1] + d / 2];
  }
  if (arr && arr.length === 1) return [arr[0] - 0.5, arr[0] + 0.5];
  return [a0 - da / 2, a0 + da * (n - 0.5)];
}

const HEAT_CANVASES = new WeakMap(); // a heatmap trace (the board's spec object) -> its canvas

function paintHeatmap(ctx, gd, fig, trace, full) {
  const axes = axesOf(gd, full);
  const z = trace.z;
  if (!axes || !z || !z.length) return;
  const [xa, ya] = axes;
  const rows = z.length, cols = z[0].length;
  const [lo, hi, scale] = colourRange(gd, fig, trace, full, (function* () { for (const r of z) yield* r; })());
  const table = lut(scale, full.opacity === undefined ? 1 : full.opacity);
  // each heatmap its own small canvas, kept from frame to frame: one canvas redrawn and
  // resized for every heatmap made the browser copy and reallocate it each time
  let off = HEAT_CANVASES.get(trace);
  if (!off) HEAT_CANVASES.set(trace, (off = document.createElement("canvas")));
  if (off.width !== cols || off.height !== rows) { off.width = cols; off.height = rows; off.__img = null; }
  const octx = off.getContext("2d");
  const img = off.__img || (off.__img = octx.createImageData(cols, rows));
  const k = hi > lo ? 255 / (hi - lo) : 0;
  for (let r = 0; r < rows; r++) {
    const row = z[r];
    for (let c = 0; c < cols; c++) {
      const v = row[c], o = 4 * (r * cols + c);
      if (v !== v || v === null) { img.data[o + 3] = 0; continue; }
      const i = 4 * Math.max(0, Math.min(255, Math.round((v - lo) * k)));
      img.data[o] = table[i]; img.data[o + 1] = table[i + 1];
      img.data[o + 2] = table[i + 2]; img.data[o + 3] = table[i + 3];
    }
  }
  octx.putImageData(img, 0, 0);
  const [x0, x1] = cellEdges(trace.x, cols, trace.x0 !== undefined ? trace.x0 : 0, trace.dx || 1);
  const [y0, y1] = cellEdges(trace.y, rows, trace.y0 !== undefined ? trace.y0 : 0, trace.dy || 1);
  const px0 = xa._offset + xa.c2p(x0), px1 = xa._offset + xa.c2p(x1);
  const py0 = ya._offset + ya.c2p(y0), py1 = ya._offset + ya.c2p(y1);
  ctx.save();
  ctx.imageSmoothingEnabled = full.type === "contour" || (!!full.zsmooth && full.zsmooth !== "false");
  ctx.translate(px0, py0);
  ctx.scale((px1 - px0) / cols, (py1 - py0) / rows); // negative when row 0 is at the bottom
  ctx.drawImage(off, 0, 0);
  ctx.restore();
  if (full.type === "contour") paintContourLines(ctx, xa, ya, trace, full);
}

function coords(arr, n, a0, da) {
  return arr && arr.length === n ? arr : Array.from({ length: n }, (_, i) => a0 + i * da);
}

function paintContourLines(ctx, xa, ya, trace, full) {
  // the contour's lines (e.g. the decision boundary at 0.5) by marching squares
  const c = full.contours || {}, line = full.line || {};
  if (c.showlines === false || !(line.width > 0)) return;
  const z = trace.z, rows = z.length, cols = z[0].length;
  const xs = coords(trace.x, cols, trace.x0 || 0, trace.dx || 1);
  const ys = coords(trace.y, rows, trace.y0 || 0, trace.dy || 1);
  const levels = [];
  for (let v = c.start; levels.length < 50 && v <= c.end + 1e-9; v += c.size > 0 ? c.size : Infinity) levels.push(v);
  const X = (i) => xa._offset + xa.c2p(i), Y = (j) => ya._offset + ya.c2p(j);
  ctx.save();
  ctx.globalAlpha = full.opacity === undefined ? 1 : full.opacity;
  ctx.strokeStyle = line.color || "#444";
  ctx.lineWidth = line.width;
  ctx.beginPath();
  for (const level of levels) {
    for (let r = 0; r + 1 < rows; r++) {
      for (let k = 0; k + 1 < cols; k++) {
        const a = z[r][k], b = z[r][k + 1], d = z[r + 1][k], e = z[r + 1][k + 1];
        if (!(a === a && b === b && d === d && e === e)) continue;
        const pts = [];
        const cut = (v0, v1, p0, p1) => {
          if ((v0 < level) !== (v1 < level)) {
            const t = (level - v0) / (v1 - v0);
            pts.push([p0[0] + t * (p1[0] - p0[0]), p0[1] + t * (p1[1] - p0[1])]);
          }
        };
        const p00 = [xs[k], ys[r]], p01 = [xs[k + 1], ys[r]], p10 = [xs[k], ys[r + 1]], p11 = [xs[k + 1], ys[r + 1]];
        cut(a, b, p00, p01); cut(b, e, p01, p11); cut(e, d, p11, p10); cut(d, a, p10, p00);
        for (let i = 0; i + 1 < pts.length; i += 2) {
          ctx.moveTo(X(pts[i][0]), Y(pts[i][1]));
          ctx.lineTo(X(pts[i + 1][0]), Y(pts[i + 1][1]));
        }
      }
    }
  }
  ctx.stroke();
  ctx.restore();
}

function markerPath(ctx, symbol, x, y, size) {
  // the marker's outline: a circle, or for "x" symbols Plotly's cross rotated 45 degrees
  const r = size / 2;
  ctx.beginPath();
  if (symbol.startsWith("x")) {
    const t = r * 0.8 / Math.SQRT2, s = r * 0.8 * Math.SQRT2 - t; // arm half-width, reach
    ctx.moveTo(x, y - t); ctx.lineTo(x + s, y - t - s); ctx.lineTo(x + t + s, y - s);
    ctx.lineTo(x + t, y); ctx.lineTo(x + t + s, y + s); ctx.lineTo(x + s, y + t + s);
    ctx.lineTo(x, y + t); ctx.lineTo(x - s, y + t + s); ctx.lineTo(x - t - s, y + s);
    ctx.lineTo(x - t, y); ctx.lineTo(x - t - s, y - s); ctx.lineTo(x - s, y - t - s);
    ctx.closePath();
  } else {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

function paintScatter(ctx, gd, fig, trace, full) {
  const axes = axesOf(gd, full);
  if (!axes || !trace.x || !trace.y) return;
  const [xa, ya] = axes;
  const X = (v) => xa._offset + xa.c2p(v), Y = (v) => ya._offset + ya.c2p(v);
  const mode = full.mode || "";
  ctx.save();
  ctx.globalAlpha = full.opacity === undefined ? 1 : full.opacity;
  if (mode.includes("lines")) {
    const line = full.line || {};
    ctx.strokeStyle = (trace.line && trace.line.color) || line.color || "#444";
    ctx.lineWidth = (trace.line && trace.line.width) || line.width || 2;
    ctx.lineJoin = "round";
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < trace.x.length; i++) {
      const x = trace.x[i], y = trace.y[i];
      if (x !== x || y !== y || x === null || y === null) { pen = false; continue; }
      if (pen) ctx.lineTo(X(x), Y(y)); else ctx.moveTo(X(x), Y(y));
      pen = true;
    }
    ctx.stroke();
  }
  if (mode.includes("markers")) paintMarkers(ctx, gd, fig, trace, full, X, Y);
  ctx.restore();
}

function paintMarkers(ctx, gd, fig, trace, full, X, Y) {
  const m = Object.assign({}, full.marker || {}, trace.marker || {});
  const colours = m.color;
  if (typeof colours === "string" && parseColour(colours, 1)[3] === 0) return; // hover only
  let lo = 0, hi = 1, table = null;
  if (colours && typeof colours !== "string") {
    const [a, b, scale] = colourRange(gd, fig, trace.marker || {}, full.marker || {}, colours);
    lo = a; hi = b; table = lut(scale, 1);
  }
  const symbol = String(m.symbol || "circle"), open = symbol.includes("open");
  const lw = (m.line && m.line.width) || 0, ring = (m.line && m.line.color) || "#444";
  for (let i = 0; i < trace.x.length; i++) {
    const x = trace.x[i], y = trace.y[i];
    if (x !== x || y !== y || x === null || y === null) continue;
    const size = typeof m.size === "number" ? m.size : (m.size && m.size[i]) || 6;
    let fill = typeof colours === "string" ? colours : "#444";
    if (table) {
      const v = colours[i], j = 4 * Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo || 1)) * 255)));
      fill = `rgb(${table[j]},${table[j + 1]},${table[j + 2]})`;
    }
    markerPath(ctx, symbol, X(x), Y(y), size);
    if (open) { ctx.strokeStyle = fill; ctx.lineWidth = Math.max(1, lw || 1); ctx.stroke(); continue; }
    ctx.fillStyle = fill;
    ctx.fill();
    if (lw) { ctx.strokeStyle = ring; ctx.lineWidth = lw; ctx.stroke(); }
  }
}

function paintable(gd) {
  // every trace is one the painter draws as Plotly does
  return gd._fullData.every((t) => t.visible !== true || (t.type in LAYER_ORDER
    && !(t.type === "scatter" && /text/.test(t.mode || "")) && !(t.fill && t.fill !== "none")));
}

function inRange(gd, fig) {
  // false when a line leaves the axes Plotly last drew (the cost curve grows)
  for (let i = 0; i < fig.data.length; i++) {
    const t = fig.data[i], full = gd._fullData[i];
    if (!full || full.type !== "scatter" || !t.x || !t.x.length) continue;
    const axes = axesOf(gd, full);
    if (!axes) continue;
    const [xa, ya] = axes;
    const n = t.x.length - 1;
    const xr = xa.range, yr = ya.range;
    const xin = (v) => v >= Math.min(xr[0], xr[1]) && v <= Math.max(xr[0], xr[1]);
    const yin = (v) => v >= Math.min(yr[0], yr[1]) && v <= Math.max(yr[0], yr[1]);
    if (t.x[n] !== t.x[n] || t.x[n] === null) continue; // ends in a gap (edge lines)
    if (xa.type === "linear" && !xin(t.x[n])) return false;
    if (ya.type === "linear" && t.y[n] === t.y[n] && !yin(t.y[n])) return false;
  }
  return true;
}

function canvasOf(div) {
  // the canvas over Plotly's plot area, below its hover layer
  const box = div.querySelector(".svg-container");
  if (!box) return null;
  let cv = box.querySelector("canvas.bp-paint");
  if (!cv) {
    cv = document.createElement("canvas");
    cv.className = "bp-paint";
    cv.style.cssText = "position:absolute;left:0;top:0;pointer-events:none;";
    const first = box.querySelector(".main-svg");
    box.insertBefore(cv, first ? first.nextSibling : null);
  }
  // the plot's own size as Plotly laid it out (reading the DOM's would force a layout)
  const fl = div._fullLayout, r = window.devicePixelRatio || 1;
  const w = fl.width, h = fl.height;
  if (cv.width !== Math.round(w * r) || cv.height !== Math.round(h * r)) {
    cv.width = Math.round(w * r); cv.height = Math.round(h * r);
    cv.style.width = w + "px"; cv.style.height = h + "px";
  }
  const ctx = cv.getContext("2d");
  ctx.setTransform(r, 0, 0, r, 0, 0);
  return ctx;
}

function paint(div, fig) {
  // Paint every mark of the view in Plotly's layer order (heatmaps, contours, scatter; by
  // trace within a layer), each clipped to its axes
  const ctx = canvasOf(div);
  if (!ctx) return;
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const order = fig.data.map((_, i) => i).filter((i) => div._fullData[i])
    .sort((a, b) => LAYER_ORDER[div._fullData[a].type] - LAYER_ORDER[div._fullData[b].type] || a - b);
  for (const i of order) {
    const t = fig.data[i], full = div._fullData[i];
    if (full.visible !== true) continue;
    full._gd = div;
    const axes = axesOf(div, full);
    if (!axes) continue;
    const [xa, ya] = axes;
    ctx.save();
    ctx.beginPath();
    ctx.rect(xa._offset, ya._offset, xa._length, ya._length);
    ctx.clip();
    if (full.type === "scatter") paintScatter(ctx, div, fig, t, full);
    else paintHeatmap(ctx, div, fig, t, full);
    ctx.restore();
  }
}

function hideMarks(div, hidden) {
  // Plotly's own drawing of the marks: hidden where the board paints them (a class whose
  // stylesheet rule holds for the groups every Plotly draw creates anew; see _CSS)
  div.classList.toggle("bp-painted", hidden);
  const cv = div.querySelector("canvas.bp-paint");
  if (cv && !hidden) cv.getContext("2d").clearRect(0, 0, cv.width, cv.height);
}

function headroom(fig, layout, room) {
  // a growing curve gets axes with room to grow, so that the next frames and Steps are
  // painted, not redrawn
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const t of fig.data) {
    if (t.type !== "scatter" || !t.x) continue;
    for (let i = 0; i < t.x.length; i++) {
      const x = t.x[i], y = t.y[i];
      if (x === x && x !== null) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); }
      if (y === y && y !== null) { y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
  }
  if (!(x1 >= x0) || !(y1 >= y0)) return layout;
  const span = Math.max(1, x1 - x0), h = Math.max(1e-9, y1 - y0);
  layout.xaxis = Object.assign({}, layout.xaxis || {}, { range: [x0, x0 + span * room + 10], autorange: false });
  if (!layout.yaxis || layout.yaxis.type !== "log") {
    layout.yaxis = Object.assign({}, layout.yaxis || {},
      { range: [Math.min(0, y0), y1 + 0.15 * h], autorange: false });
  }
  return layout;
}

function ensureViews(board, views) {
  const names = views.map((v) => v.name).join(",");
  if (board.names === names) return;
  board.names = names;
  const Plotly = window.__bpPlotlyLib;
  for (const name of Object.keys(board.divs)) {
    if (Plotly) Plotly.purge(board.divs[name]);
  }
  board.grid.textContent = "";
  board.divs = {}; board.figs = {}; board.dirty = {}; board.since = {};
  board.layoutChanged = {}; board.stale = {};
  board.grow = new Set(views.filter((v) => v.grow).map((v) => v.name));
  board.views = views;
  for (const v of views) {
    const cell = document.createElement("div");
    cell.className = "bp-view";
    cell.dataset.key = "live_" + v.name;
    const div = document.createElement("div");
    div.className = "bp-live-plot";
    div.dataset.revision = "-1";
    div.style.height = v.height + "px";
    cell.appendChild(div);
    board.grid.appendChild(cell);
    board.divs[v.name] = div;
    if (v.name === "output") div.addEventListener("pointerdown", (e) => outputDown(board, e), true);
    if (v.name === "graph") hookGraph(board, div);
    div.addEventListener("pointerenter", () => {
      // hover needs Plotly's own copy of the numbers on screen: give it them now (the
      // marks stay painted, so nothing on screen changes)
      if (board.stale[v.name] && board.figs[v.name] && window.__bpPlotlyLib) {
        plotlyDraw(board, v.name);
        hideMarks(div, paintable(div));
      }
    });
  }
  fitHeights(board);
}

// The first row of views (the graph and the output, side by side) fits the screen: no
// taller than the window below its top when the page is scrolled to the top, so that a
// projector's 720 lines less the browser's bars (1280x640) show their labels and legends.
// Looked at again when the window's size changes and with each paused frame (what is above
// may have grown). In one column (a narrow window) only the first of them is fitted.
const FIT_MIN = 260; // px: a fitted view is never shorter

function fitHeights(board) {
  if (!board.views || !board.root.isConnected) return;
  const scroller = board.root.closest('[data-testid="stMain"]');
  const scrolled = scroller ? scroller.scrollTop : window.scrollY;
  let row = null; // the first fitted view's top, at the page's top
  for (const v of board.views) {
    const div = board.divs[v.name];
    if (!v.fit || !div) continue;
    const top = div.getBoundingClientRect().top + scrolled;
    if (row === null) row = top;
    const room = Math.floor(window.innerHeight - top - 4);
    const h = Math.abs(top - row) > 2 ? v.height : Math.max(FIT_MIN, Math.min(v.height, room));
    if (div.style.height !== h + "px") div.style.height = h + "px";
  }
}

// Hands on (backprop/ui/handson.py): a click (no drag) on the output chart sends its data
// coordinates, with data units per pixel so the server can tell a click on a point; a click
// on an edge's hover point or a node of the graph sends which weight or bias it is.
function outputDown(board, e) {
  board.down = e.button === 0 && !(e.target.closest && e.target.closest(".modebar"))
    ? [e.clientX, e.clientY, !!e.shiftKey] : null;
}

function outputUp(board, e) {
  const div = board.divs.output, start = board.down;
  board.down = null;
  if (!start || !div || !board.handsOn) return;
  if (Math.hypot(e.clientX - start[0], e.clientY - start[1]) > 4) return; // a drag (zoom)
  const full = div._fullLayout;
  if (!full || !full.xaxis || !full.xaxis.p2d || !full._size) return;
  // from the axes' own offsets: a square plot (equal axis scales) sits inside the margins,
  // ~85 px from their left edge, so measuring from the margin put a click 4 units off
  const rect = div.getBoundingClientRect(), xa = full.xaxis, ya = full.yaxis;
  const px = e.clientX - rect.left - xa._offset, py = e.clientY - rect.top - ya._offset;
  if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
  const x = xa.p2d(px), y = ya.p2d(py);
  const sx = Math.abs(xa.p2d(px + 1) - x), sy = Math.abs(ya.p2d(py + 1) - y);
  if (![x, y, sx, sy].every(Number.isFinite)) return;
  board.edits = (board.edits || 0) + 1;
  board.setTriggerValue("click", { x, y, sx, sy, shift: start[2] || !!e.shiftKey, n: board.edits });
}

// The graph's hover and pick are the board's own, from the geometry on screen: the edge
// (its whole segment) or the node (its marker, or its neuron map) nearest the pointer, within
// a few pixels. Plotly's nearest *hover point* would do neither: the points Plotly hovers
// sit at one place along each edge, and on a graph whose layers differ in size, points of two
// edges can lie 2-3 px apart (w[2][0,1] picked w[2][2,0]). Hover and click agree by taking
// the same hit.
const EDGE_SLOP = 4; // px beyond an edge's half width that still hit it
function graphHit(board, clientX, clientY) {
  const div = board.divs.graph, full = div && div._fullLayout;
  if (!full || !full.xaxis || !full.xaxis.d2p || !div.data) return null;
  const rect = div.getBoundingClientRect(), xa = full.xaxis, ya = full.yaxis;
  const px = clientX - rect.left - xa._offset, py = clientY - rect.top - ya._offset;
  if (px < -EDGE_SLOP || py < -EDGE_SLOP || px > xa._length + EDGE_SLOP || py > ya._length + EDGE_SLOP) return null;
  let node = null, edge = null;
  div.data.forEach((t, curve) => {
    const name = String(t.name || "");
    let m = /^layer (\d+)$/.exec(name);
    if (m && t.x) {
      const r = ((t.marker && +t.marker.size) || 10) / 2 + 1;
      for (let i = 0; i < t.x.length; i++) {
        const d = Math.hypot(xa.d2p(t.x[i]) - px, ya.d2p(t.y[i]) - py);
        if (d <= r && (!node || d < node.d)) node = { d, curve, point: i, layer: +m[1], i: Math.round(+t.customdata[i][0]) };
      }
      return;
    }
    m = /^map of layer (\d+), neuron (\d+)$/.exec(name);
    if (m && t.z && t.z.length) {
      // a neuron's map is its node: the bias, hovered on the node's ring
      const rows = t.z.length, cols = t.z[0].length;
      const x0 = xa.d2p(t.x0 - t.dx / 2), x1 = xa.d2p(t.x0 + (cols - 0.5) * t.dx);
      const y0 = ya.d2p(t.y0 - t.dy / 2), y1 = ya.d2p(t.y0 + (rows - 0.5) * t.dy);
      if (px >= Math.min(x0, x1) && px <= Math.max(x0, x1) && py >= Math.min(y0, y1) && py <= Math.max(y0, y1)) {
        const ring = div.data.findIndex((u) => u.name === "layer " + m[1]);
        const u = div.data[ring], i = u ? u.customdata.findIndex((c) => Math.round(+c[0]) === +m[2]) : -1;
        if (i >= 0 && !node) node = { d: 0, curve: ring, point: i, layer: +m[1], i: +m[2] };
      }
      return;
    }
    if (name === "edge hover" && t.meta && t.meta.seg) {
      const seg = t.meta.seg;
      for (let i = 0; i < t.text.length; i++) {
        const s = seg[i], ax = xa.d2p(s[0]), ay = ya.d2p(s[1]), bx = xa.d2p(s[2]), by = ya.d2p(s[3]);
        const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        const u = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
        const d = Math.hypot(ax + u * dx - px, ay + u * dy - py);
        if (d <= EDGE_SLOP + 3 && (!edge || d < edge.d)) edge = { d, curve, point: i, text: String(t.text[i]) };
      }
    }
  });
  if (node && node.layer === 0) { // an input: its feature off (where the data has features)
    const f = board.shape && board.shape.features, name = f && f.on[node.i];
    const value = name && f.on.length > 1 ? { feature: { name, on: false } } : null;
    return { curve: node.curve, point: node.point, value };
  }
  if (node) return { curve: node.curve, point: node.point, value: { layer: node.layer, i: node.i, bias: true } };
  if (!edge) return null;
  const m = /^w\[(\d+)\]\[(\d+),(\d+)\]$/.exec(edge.text);
  return { curve: edge.curve, point: edge.point, value: m ? { layer: +m[1], i: +m[2], j: +m[3] } : null };
}

function hookGraph(board, div) {
  let last = null, at = null;
  const hover = () => {
    const Plotly = window.__bpPlotlyLib;
    if (!at || !Plotly || !Plotly.Fx || !div._fullLayout) return;
    if (board.stale.graph && board.figs.graph) { // Plotly's copy of the numbers, for the label
      plotlyDraw(board, "graph");
      hideMarks(div, paintable(div));
    }
    const hit = graphHit(board, at[0], at[1]);
    const key = hit ? hit.curve + ":" + hit.point : null;
    if (key === last) return;
    last = key;
    window.__bpBoardStats.hover = hit && hit.value ? Object.assign({}, hit.value) : null;
    neuronMap(board, hit && hit.value && hit.value.bias ? [hit.value.layer, hit.value.i] : null);
    clearTimeout(board.hoverTimer);
    if (!hit) { Plotly.Fx.unhover(div); return; }
    // Plotly's hover calls share one throttle (50 ms), where the last call wins: a call of
    // Plotly's own (refused by plotly_beforehover) can take this one's place, so it is made
    // again until the label shows this point
    const shown = () => (div._hoverdata || []).some((p) => p.curveNumber === hit.curve && p.pointNumber === hit.point);
    const ask = (tries) => {
      if (last !== key || !div._fullLayout) return;
      Plotly.Fx.hover(div, [{ curveNumber: hit.curve, pointNumber: hit.point }]);
      if (tries > 0) board.hoverTimer = setTimeout(() => { if (!shown()) ask(tries - 1); }, 70);
    };
    ask(4);
  };
  // mousemove, bubbling: after Plotly's own hover call (on its drag layer), which would
  // otherwise replace this one in Plotly's hover throttle (and then be refused)
  // (where it is from pointermove, which comes first: a mouse event's clientX is whole pixels,
  // a pointer event's is the pointer's own, as the click's)
  div.addEventListener("pointermove", (e) => { at = [e.clientX, e.clientY]; });
  div.addEventListener("mousemove", () => hover());
  div.addEventListener("pointerleave", () => {
    last = at = null;
    neuronMap(board, null);
    if (window.__bpPlotlyLib && div._fullLayout) window.__bpPlotlyLib.Fx.unhover(div);
  });
  // a draw of Plotly's clears the label: hover again where the pointer is
  board.rehoverGraph = () => { last = null; hover(); };
  div.addEventListener("pointerdown", (e) => {
    board.graphDown = e.button === 0 && !(e.target.closest && e.target.closest(".modebar"))
      ? [e.clientX, e.clientY] : null;
  }, true);
}

// A hidden neuron hovered in the graph shows its map (its activation over the input plane,
// drawn small in its node) enlarged over the output view, as TensorFlow Playground does;
// the map's grid spans the output's axes (both are plane_grid over the data's range).
function neuronMap(board, which) {
  const odiv = board.divs.output, cell = odiv && odiv.parentElement;
  let over = cell && cell.querySelector(".bp-map-zoom");
  const gfig = board.figs.graph, ofig = board.figs.output, full = odiv && odiv._fullLayout;
  const t = which && gfig && gfig.data.find((u) => u.name === `map of layer ${which[0]}, neuron ${which[1]}`);
  const xr = ofig && ofig.layout.xaxis && ofig.layout.xaxis.range;
  const yr = ofig && ofig.layout.yaxis && ofig.layout.yaxis.range;
  board.zoomed = t ? which : null;
  if (!t || !full || !full.xaxis || !xr || !yr || !t.z || !t.z.length) { if (over) over.remove(); return; }
  if (!over) {
    over = document.createElement("div");
    over.className = "bp-map-zoom";
    over.innerHTML = "<canvas></canvas><div class='bp-map-caption'></div>";
    cell.appendChild(over);
  }
  const xa = full.xaxis, ya = full.yaxis, rows = t.z.length, cols = t.z[0].length;
  Object.assign(over.style, { left: xa._offset + "px", top: ya._offset + "px",
    width: xa._length + "px", height: ya._length + "px" });
  over.dataset.layer = String(which[0]); over.dataset.neuron = String(which[1]);
  const cv = over.querySelector("canvas");
  if (cv.width !== cols || cv.height !== rows) { cv.width = cols; cv.height = rows; }
  const ca = gfig.layout.coloraxis2 || {}, lo = ca.cmin, hi = ca.cmax;
  const table = lut(ca.colorscale || [[0, "#000"], [1, "#fff"]], 1);
  const ctx = cv.getContext("2d"), img = ctx.createImageData(cols, rows);
  const k = hi > lo ? 255 / (hi - lo) : 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const v = t.z[rows - 1 - r][c], o = 4 * (r * cols + c); // row 0 of z is the lowest x2
    const i = 4 * Math.max(0, Math.min(255, Math.round((v - lo) * k)));
    for (let j = 0; j < 4; j++) img.data[o + j] = v === v ? table[i + j] : 0;
  }
  ctx.putImageData(img, 0, 0);
  // cell centres at the grid's points: the image reaches half a cell beyond the range
  const dx = (xr[1] - xr[0]) / (cols - 1), dy = (yr[1] - yr[0]) / (rows - 1);
  const x0 = xa.c2p(xr[0] - dx / 2), x1 = xa.c2p(xr[1] + dx / 2);
  const y0 = ya.c2p(yr[1] + dy / 2), y1 = ya.c2p(yr[0] - dy / 2);
  Object.assign(cv.style, { left: x0 + "px", top: y0 + "px", width: x1 - x0 + "px", height: y1 - y0 + "px" });
  over.querySelector(".bp-map-caption").textContent =
    `hidden layer ${which[0]}, neuron ${which[1]}: a over the input plane`;
}

function graphUp(board, e) {
  // on the window: Plotly covers the page while a button is down (its drag cover)
  const start = board.graphDown;
  board.graphDown = null;
  if (!start || Math.hypot(e.clientX - start[0], e.clientY - start[1]) > 4) return; // a drag
  const hit = graphHit(board, e.clientX, e.clientY);
  window.__bpBoardStats.pick = hit && hit.value ? Object.assign({}, hit.value) : null;
  if (!board.handsOn || !hit || !hit.value) return;
  board.edits = (board.edits || 0) + 1;
  if (hit.value.feature) board.setTriggerValue("feature", Object.assign({}, hit.value.feature, { n: board.edits }));
  else board.setTriggerValue("pick", Object.assign({}, hit.value, { n: board.edits }));
}

// TensorFlow Playground's direct manipulation on the graph (backprop/ui/shape.py): - and +
// for the number of hidden layers (top left), for the neurons of each hidden layer (under
// it), and the input features as a column of switches left of the input nodes. A click sends
// the change; the server checks it as it checks the sidebar's and the page runs again.
function shapeControls(board) {
  const div = board.divs.graph, full = div && div._fullLayout, shape = board.shape;
  let box = div && div.parentElement.querySelector(".bp-shape");
  if (!full || !full.xaxis || !board.handsOn || !shape) { if (box) box.remove(); return; }
  if (!box) {
    box = document.createElement("div");
    box.className = "bp-shape";
    div.parentElement.appendChild(box);
    box.addEventListener("click", (e) => {
      const b = e.target.closest("button");
      if (!b || b.disabled) return;
      e.stopPropagation();
      board.edits = (board.edits || 0) + 1;
      const v = JSON.parse(b.dataset.send);
      board.setTriggerValue(b.dataset.event, Object.assign(v, { n: board.edits }));
    });
  }
  const xa = full.xaxis, ya = full.yaxis, hidden = shape.hidden;
  const key = JSON.stringify([shape, xa._offset, xa._length, ya._offset, ya._length]);
  if (box.dataset.key === key) return; // the same controls in the same places
  box.dataset.key = key;
  box.textContent = "";
  const button = (text, title, event, send, disabled = false) => {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.title = title; b.setAttribute("aria-label", title);
    b.dataset.event = event; b.dataset.send = JSON.stringify(send); b.disabled = disabled;
    return b;
  };
  const place = (el, left, top, centre = false) => {
    el.style.left = left + "px"; el.style.top = top + "px";
    if (centre) el.style.transform = "translateX(-50%)";
    box.appendChild(el);
    return el;
  };
  const layers = document.createElement("div");
  layers.className = "bp-shape-row bp-shape-layers";
  layers.append(button("−", "Remove the last hidden layer", "shape", { op: "layer-" }, !hidden.length));
  const count = document.createElement("span");
  count.textContent = hidden.length + (hidden.length === 1 ? " layer" : " layers");
  count.title = "hidden layers";
  layers.append(count, button("+", "Add a hidden layer", "shape", { op: "layer+" }));
  // under the colour bar, right of the plot: the one corner no layer's nodes or names reach
  place(layers, xa._offset + xa._length + 6, ya._offset + ya._length + 6);
  hidden.forEach((n, i) => {
    const row = document.createElement("div");
    row.className = "bp-shape-row";
    row.dataset.layer = String(i + 1);
    row.append(
      button("−", `One neuron fewer in hidden layer ${i + 1}`, "shape", { op: "neuron-", layer: i + 1 }, n <= 1),
      button("+", `One neuron more in hidden layer ${i + 1}`, "shape", { op: "neuron+", layer: i + 1 }));
    place(row, xa._offset + xa.d2p(i + 1), ya._offset + ya._length - 22, true);
  });
  if (shape.features) {
    const col = document.createElement("div");
    col.className = "bp-shape-features";
    shape.features.all.forEach((f, k) => {
      const on = shape.features.on.includes(f), label = shape.features.labels[k];
      const b = button(label, (on ? "Switch off" : "Switch on") + " the input feature " + label,
        "feature", { name: f, on: !on }, on && shape.features.on.length === 1);
      b.classList.toggle("bp-on", on);
      b.setAttribute("aria-pressed", String(on));
      b.dataset.feature = f;
      col.append(b);
    });
    place(col, 2, ya._offset + ya._length / 2).style.transform = "translateY(-50%)";
  }
}

function applyFrame(board, frame, bases, bin, paths) {
  const touched = [];
  for (const [name, ups] of Object.entries(frame.views || {})) {
    let fig = board.figs[name];
    for (const [id, val] of ups) {
      if (id === "base") {
        fig = clone(bases[val]);
        fig.layout = fig.layout || {};
        board.figs[name] = fig;
        board.dirty[name] = true;
        continue;
      }
      if (!fig) continue;
      const [path, shape] = paths[id];
      if (path[0] !== "data") board.layoutChanged[name] = true;
      if (typeof val === "number") { setPath(fig, path, val); continue; }
      const arr = array(val, bin, shape);
      setPath(fig, path, val[3] === 1 ? concat(getPath(fig, path), arr, val[4]) : arr);
    }
    if (fig) touched.push(name);
  }
  return touched;
}

function ownAxes(layout, fig) {
  // Plotly writes what it works out into the axes it is given (a square plot's constrained
  // domain): each draw gets copies with the view's own domain, so the view's spec keeps its
  // axes as sent and a draw again (refit) starts from them
  for (const k of Object.keys(layout)) {
    if (!/^[xy]axis\d*$/.test(k) || !layout[k]) continue;
    const own = (fig.layout[k] || {}).domain, ax = (layout[k] = Object.assign({}, layout[k]));
    if (own) ax.domain = own; else delete ax.domain;
  }
}

function refit(Plotly, div, fig, layout, name) {
  // Plotly works out a square plot's shape (scaleanchor: the input plane) before it widens a
  // margin for what does not fit (tick labels, a colour bar or legend at the right), and keeps
  // that shape: about 1 % off square, until a later draw (Pause's) made it square and every
  // mark moved. The margins it made are kept for the next draws (present()), and a square
  // plot is drawn again at once with them: one draw of the view, done right.
  const fl = div._fullLayout, size = fl && fl._size, asked = fl && fl.margin;
  if (!size || !asked) return;
  const pushed = {};
  for (const k of ["l", "r", "t", "b"]) if (size[k] > asked[k] + 0.5) pushed[k] = Math.ceil(size[k]);
  if (!Object.keys(pushed).length) return;
  const before = div.__bpPushed && div.__bpPushed.width === div.clientWidth ? div.__bpPushed.margin : {};
  div.__bpPushed = { width: div.clientWidth, margin: Object.assign({}, before, pushed) };
  if (!(fl.yaxis && fl.yaxis.scaleanchor)) return;
  layout.margin = Object.assign({}, layout.margin, pushed);
  ownAxes(layout, fig); // the axes as asked (Plotly wrote its domain into the first draw's)
  Plotly.react(div, fig.data, layout, chartConfig(Plotly, name));
  window.__bpBoardStats.refits = (window.__bpBoardStats.refits || 0) + 1;
}

function plotlyDraw(board, name) {
  // Plotly draws the view's frame (and the marks, where the painter does not)
  const Plotly = window.__bpPlotlyLib, div = board.divs[name], fig = board.figs[name];
  const box = sizeOf(div);
  if (div.__bpPushed && div.__bpPushed.width === div.clientWidth) box.pushed = div.__bpPushed.margin;
  let layout = present(Object.assign({}, fig.layout), board, box, fig.data);
  div.__bpReserved = box.reserved || 0; // px for a legend below the plot
  div.__bpFitted = fitted(layout, box);
  layout.datarevision = (board.drawn[name] = (board.drawn[name] || 0) + 1);
  layout.autosize = true;
  delete layout.height; delete layout.width;
  if (board.grow.has(name)) layout = headroom(fig, layout, ROOM);
  colourBars(fig.data, board.present ? TEXT.present : TEXT.normal, box.plot);
  ownAxes(layout, fig);
  Plotly.react(div, fig.data, layout, chartConfig(Plotly, name));
  refit(Plotly, div, fig, layout, name);
  if (!div.__bpHooked && div.on) {
    div.__bpHooked = true;
    // any draw of Plotly's (this one, a resize) clears what lies under the canvas' marks:
    // paint them again on top of it
    div.on("plotly_afterplot", () => {
      if (board.figs[name] && paintable(div)) paint(div, board.figs[name]);
      if (name === "graph" && board.rehoverGraph) board.rehoverGraph();
      if (name === "graph") shapeControls(board);
      // a legend below the plot: its height as drawn, if present() guessed otherwise, and
      // the view is drawn again with room for it (once a width)
      const fl = div._fullLayout, lg = fl && fl.legend;
      if (!lg || !fl.showlegend || !(lg.y < 0) || !lg._height) return;
      const h = Math.ceil(lg._effHeight || lg._height);
      div.__bpLegend = [div.clientWidth, h];
      if (Math.abs(h - div.__bpReserved) > 1 && board.figs[name]) {
        div.__bpReserved = h; // (one draw again)
        requestAnimationFrame(() => {
          if (board.figs[name] && div.isConnected) plotlyDraw(board, name);
        });
      }
    });
    // the graph's hover is the board's (hookGraph): Plotly's own would hover another edge
    if (name === "graph") div.on("plotly_beforehover", () => false);
  }
  board.layoutChanged[name] = false;
  board.since[name] = 0;
  board.dirty[name] = false;
  board.stale[name] = false;
  window.__bpBoardStats.reacts += 1;
}

function draw(board, names, whole = true) {
  // One renderer (see above): Plotly when the frame's layout needs it, then the painter.
  // whole: the frame is drawn with this (counted in the stats), not one view of it
  if (!window.__bpPlotlyLib) return;
  const stats = window.__bpBoardStats;
  names.forEach((name, i) => {
    const div = board.divs[name], fig = board.figs[name];
    if (!div || !fig) return;
    const t0 = performance.now();
    const since = board.since[name] === undefined ? i * 2 : board.since[name];
    const layoutDue = board.layoutChanged[name] && (!board.playing || since >= LAYOUT_EVERY);
    if (board.dirty[name] || !div._fullLayout || layoutDue || !inRange(div, fig)) plotlyDraw(board, name);
    else board.since[name] = since + 1;
    const painted = paintable(div);
    if (painted) {
      paint(div, fig);
      // Plotly's calculated numbers (hover) are older; its data (exports, a test) are not
      board.stale[name] = board.since[name] > 0;
      if (board.stale[name]) div.data = fig.data;
      stats.painted += 1;
    } else if (board.since[name] > 0) {
      plotlyDraw(board, name);
    }
    hideMarks(div, painted);
    div.dataset.revision = String(board.revision);
    stats.ms[name] = (stats.ms[name] || 0) + performance.now() - t0;
  });
  if (whole) stats.frames += 1;
  if (board.zoomed && (names.includes("graph") || names.includes("output"))) neuronMap(board, board.zoomed);
}

function counters(board, frame) {
  // The step, epoch, costs and accuracies of the frame on screen (texts made by the server),
  // in one row that never wraps: they change with every frame drawn, in step with the views.
  if (!frame || frame.step === undefined) return;
  board.root.dataset.step = String(frame.step);
  const items = frame.counters || [];
  const labels = items.map(([label]) => label).join("|");
  if (board.counterLabels !== labels) {
    board.counterLabels = labels;
    const note = board.counters.querySelector(".bp-findings"); // kept, last in the row
    const prog = board.counters.querySelector(".bp-progress"); // kept, before it
    board.counters.textContent = "";
    board.values = items.map(([label]) => {
      const cell = document.createElement("div");
      cell.className = "bp-counter";
      const name = document.createElement("div");
      name.className = "bp-label";
      name.textContent = label;
      const value = document.createElement("div");
      value.className = "bp-value";
      cell.appendChild(name);
      cell.appendChild(value);
      board.counters.appendChild(cell);
      return value;
    });
    if (prog) board.counters.appendChild(prog);
    if (note) board.counters.appendChild(note);
  }
  items.forEach(([, text], i) => {
    if (board.values[i].textContent !== text) board.values[i].textContent = text;
  });
}

function progress(board, p) {
  // Training to a target on the line ("train N epochs", a long Epoch, a link's replay):
  // its progress in the counters' row, with each frame (the page's bar would stand still)
  let el = board.counters.querySelector(".bp-progress");
  if (!Array.isArray(p)) { if (el) el.remove(); return; }
  if (!el) {
    el = document.createElement("div");
    el.className = "bp-progress";
    el.setAttribute("role", "status");
  }
  const note = board.counters.querySelector(".bp-findings");
  const at = note && note.parentNode === board.counters ? note : null;
  if (el.parentNode !== board.counters || el.nextSibling !== at) {
    board.counters.insertBefore(el, at); // before the findings, after the counters
  }
  const text = `${p[1]}: ${Math.round(100 * p[0])} %`;
  if (el.textContent !== text) el.textContent = text;
}

function findings(board, items) {
  // The diagnoses in one line at the end of the counters' row (it never wraps: it is cut
  // with an ellipsis); a click scrolls to the Diagnoses panel with their evidence.
  let el = board.counters.querySelector(".bp-findings");
  if (!Array.isArray(items)) { if (el) el.remove(); return; }
  if (!el) {
    el = document.createElement("div");
    el.className = "bp-findings";
    el.title = "Diagnoses: the evidence and what to try are in the panel below";
    el.addEventListener("click", () => {
      const panel = document.querySelector(".st-key-diagnoses-panel");
      if (panel) panel.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  }
  // last in the row, after counters drawn anew (moved only when it is not: a move is a
  // change of the page the browser lays out again, with every frame)
  if (board.counters.lastChild !== el) board.counters.appendChild(el);
  const text = items.length
    ? "\u26a0 " + items.map(([, title]) => title).join(" \u00b7 ")
    : "\u2713 No problems found";
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle("bp-problem", items.length > 0);
  el.classList.toggle("bp-healthy", items.length === 0);
}

function urlStep(step) {
  // A Step the board took: its step goes into the URL in place (backprop/ui/moment.py). A
  // query-parameter change from the server would add a history entry per Step and
  // re-render the whole page. Only the step parameter is touched, as written.
  if (typeof step !== "number") return;
  const parts = window.location.search.replace(/^\?/, "").split("&")
    .filter((p) => p && !p.startsWith("step="));
  if (step > 0) parts.push("step=" + step);
  const search = parts.length ? "?" + parts.join("&") : "";
  if (search !== window.location.search) {
    window.history.replaceState(window.history.state, "", window.location.pathname + search + window.location.hash);
  }
}

function wake(board) {
  // the clock runs only while there are frames to play: paused, the board costs nothing
  if (board.raf === null) board.raf = requestAnimationFrame((t) => tick(board, t));
  board.root.dataset.clock = "on";
}

function tick(board, now) {
  if (!board.playing && !board.queue.length) {
    board.raf = null;
    board.root.dataset.clock = "off";
    return;
  }
  board.raf = requestAnimationFrame((t) => tick(board, t));
  if (!window.__bpPlotlyLib || !board.queue.length) {
    if (board.playing && !board.queue.length && board.started) window.__bpBoardStats.starved += 1;
    maybeAsk(board);
    return;
  }
  // at most LINE_FPS (or FPS) frames a second on average, on the display's refresh ticks
  const period = 1000 / (lineOpen(board) ? LINE_FPS : FPS);
  if (board.playing && now - board.last < period - 8) return;
  board.last = Math.max(board.last + period, now - period);
  const item = board.queue.shift();
  board.revision = item.revision;
  const names = applyFrame(board, item.frame, item.bases, item.bin, item.paths);
  draw(board, names);
  counters(board, item.frame);
  shown(board, item);
  board.started = true;
  maybeAsk(board);
}

function maybeAsk(board) {
  if (lineOpen(board)) return; // the line sends frames as the board draws them
  if (!board.playing || board.asked === board.seq || board.queue.length > LOW) return;
  board.asked = board.seq;
  board.setTriggerValue("need", board.seq);
}

function resize(board) {
  // a new width: Plotly lays each view out again, and a view whose text is fitted otherwise
  // at this width (see present) is drawn anew
  const Plotly = window.__bpPlotlyLib;
  if (!Plotly) return;
  for (const [name, div] of Object.entries(board.divs)) {
    if (!div._fullLayout) continue;
    Promise.resolve(Plotly.Plots.resize(div)).then(() => {
      const fig = board.figs[name];
      if (!fig || !div.isConnected || !div._fullLayout) return;
      const box = sizeOf(div);
      const again = present(Object.assign({}, fig.layout), board, box, fig.data);
      if (fitted(again, box) !== div.__bpFitted) plotlyDraw(board, name);
    }).catch(() => {});
  }
}

function sizeOf(div) {
  // a view's size for present(), with its legend's height as Plotly drew it at this width
  const width = div.clientWidth, legend = div.__bpLegend;
  return { width, height: div.clientHeight, legend: legend && legend[0] === width ? legend[1] : 0 };
}

function fitted(layout, box) {
  // what present() fitted to a chart's size: the title, the margins, the legend's place,
  // the ticks of short axes
  const { title, margin, legend, annotations } = layout;
  return JSON.stringify([title, margin, legend, annotations, box.ticks]);
}

// ---------------------------------------------------------------- the board's line
// Where the server serves the board's line (backprop/ui/line.py), Step, Epoch, Play and
// Pause go over a WebSocket of the board's own, not through a Streamlit script run: the
// board takes the toolbar's clicks (and Enter or space on its buttons), the server trains in
// a worker thread and sends each frame as it is ready, at most a few ahead of the screen
// (the board says which frame it drew). Pause keeps the frame on screen: the board stops at
// the click and tells the server that frame, which puts the trainer back to it; the paused
// frame then asks for one script run ("sync") so the rest of the page follows. If the
// socket does not open, or closes, the board falls back to script reruns.
const LINE_OPEN_MS = 3000; // a socket not open by then: the board stays on script reruns
const LINE_RETRY_MS = 1500; // after the server went away: the line is tried again

function lineOpen(board) {
  return !!(board.ws && board.ws.readyState === 1 && board.lineReady);
}

function send(board, op, seq = 0) {
  if (!lineOpen(board)) return false;
  board.ws.send(JSON.stringify({ op, seq, token: board.line.token }));
  return true;
}

function connect(board, line) {
  if (board.ws && board.line && board.line.token === line.token && board.ws.readyState <= 1) return;
  if (board.line && board.line.token !== line.token) board.lost = null; // a new session's line
  if (board.ws) { const old = board.ws; board.ws = null; old.close(); }
  board.line = line;
  board.lineReady = false;
  const url = new URL(line.path.replace(/^\//, ""), document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  let ws;
  try { ws = new WebSocket(url.href); } catch (e) { board.root.dataset.line = "failed"; return; }
  ws.binaryType = "arraybuffer";
  board.ws = ws;
  board.root.dataset.line = "connecting";
  const timer = setTimeout(() => { if (!board.lineReady) ws.close(); }, LINE_OPEN_MS);
  ws.onopen = () => {
    // seq: the script's paused frame this board drew, if it has drawn nothing since: the
    // line then sends only what changed since it (on a first visit, nothing)
    ws.send(JSON.stringify({ op: "hello", seq: board.scriptSeq || 0, token: line.token }));
  };
  ws.onmessage = (e) => {
    if (typeof e.data === "string") { board.root.dataset.lineError = e.data; return; }
    if (!board.lineReady) { board.lineReady = true; clearTimeout(timer); board.root.dataset.line = "open"; }
    const { header, bin } = decode(e.data);
    window.__bpBoardStats.lineFrames = (window.__bpBoardStats.lineFrames || 0) + 1;
    fromLine(board, header, bin);
  };
  ws.onclose = (e) => {
    clearTimeout(timer);
    const was = board.lineReady;
    if (board.ws !== ws) return; // replaced by a newer socket
    board.ws = null; board.lineReady = false;
    board.root.dataset.line = "closed:" + e.code;
    if (e.code === 4403 && board.lost === line.token) { sessionGone(board, line.token); return; }
    if (!was) return;
    if (e.code === 1006 || e.code === 1001 || e.code === 1011 || e.code === 1012) {
      // the server went away: try the line again; if the server no longer knows the token,
      // the session went with it (see sessionGone)
      board.lost = line.token;
      setTimeout(() => { if (board.line === line && !board.ws) connect(board, line); }, LINE_RETRY_MS);
    }
    // playing on the line when it closed: go on with script reruns from the server's state
    if (board.playing) { board.asked = -1; board.setTriggerValue("need", ++board.needs); }
  };
}

function sessionGone(board, token) {
  // The server that held this page's session is gone (a worker restarted) and Streamlit's
  // frontend, reconnected, runs nothing until the next click. Unless a run of the new
  // session gives the board its new token meanwhile, the page loads again from its link,
  // which replays the run to the step in it and says so (backprop/ui/reconnect.py).
  setTimeout(() => {
    if (board.line && board.line.token !== token) return; // the new session took over
    const url = new URL(location.href);
    url.searchParams.set("reconnected", "1");
    location.replace(url.href);
  }, LINE_RETRY_MS);
}

function fromLine(board, header, bin) {
  // A frame the line sent: while the board plays, queued and drawn on the clock; paused
  // (a Step, an Epoch, Pause), drawn at once. Between a click and its reply ("holding"),
  // frames of Play still on their way are dropped.
  if (header.reply) board.holding = false;
  if (board.holding) return;
  board.scriptSeq = 0; // what it draws now came over the line
  board.present = !!header.present;
  board.handsOn = !!header.handsOn;
  board.shape = header.shape || null;
  findings(board, header.findings);
  progress(board, header.progress);
  ensureViews(board, header.views);
  if (header.full) board.queue.length = 0;
  const items = header.frames.map((frame) => ({
    frame, bases: header.bases || {}, bin, paths: header.paths, revision: header.revision,
    seq: header.seq, line: true,
  }));
  if (header.playing) {
    if (!board.playing) { board.playing = true; playLabel(board, true); }
    board.queue.push(...items);
    wake(board);
    return;
  }
  board.playing = false;
  playLabel(board, !!header.resume);
  drawNow(board, items, header);
  // one run of the whole page (board.py's sync_point; else this fragment's, which reruns it)
  if (header.sync) (window.__bpSync || (() => board.setTriggerValue("sync", ++board.syncs)))();
  if (header.resume) { board.playing = true; send(board, "play"); wake(board); }
}

function shown(board, item) {
  // the frame on screen now (Pause keeps it); the line trains ahead of it by a few frames
  board.shownSeq = item.seq;
  if (item.frame && item.frame.step !== undefined) board.root.dataset.drawn = String(item.frame.step);
  if (item.line) send(board, "shown", item.seq);
}

function playLabel(board, playing) {
  // The toolbar's Play/Pause button follows Play on the line without a script run (the
  // sync run after Pause renders it as the server has it)
  const button = document.querySelector(".st-key-play button");
  if (!button) return;
  const p = button.querySelector("p"), icon = button.querySelector('[data-testid="stIconMaterial"]');
  if (p) p.textContent = playing ? "Pause" : "Play";
  if (icon) icon.textContent = playing ? "pause" : "play_arrow";
}

function lineClick(board, e) {
  // Play/Pause, Step and Epoch on the line: the board takes the click (capture phase)
  const t = e.target && e.target.closest && e.target.closest(".st-key-play button, .st-key-step button, .st-key-epoch button");
  if (!t || t.disabled) return false;
  const key = t.closest(".st-key-play") ? "play" : t.closest(".st-key-step") ? "step" : "epoch";
  if (!lineOpen(board)) return key === "play" && scriptPlay(board, e);
  // a paused Step that opens the Pass tab ("Animate the pass after each Step") goes the
  // button's own way: a script run (header.fastStep is false then)
  if (key === "step" && !board.fastStep && !board.playing) return false;
  e.preventDefault();
  e.stopPropagation();
  const wasPlaying = board.playing || board.pausedAt !== null;
  const seq = board.pausedAt !== null ? board.pausedAt : board.shownSeq;
  board.pausedAt = null;
  if (key === "play" && !wasPlaying) {
    board.playing = true;
    playLabel(board, true);
    send(board, "play");
    wake(board);
    return true;
  }
  board.playing = false;
  board.holding = true; // until the server's reply: late frames of Play are dropped
  board.queue.length = 0;
  if (key === "play") { playLabel(board, false); send(board, "pause", seq); return true; }
  if (wasPlaying) send(board, "pause", seq); // Step or Epoch while playing: pause there first
  send(board, key);
  return true;
}

// Without the line, Play and Pause are the board's own trigger too, carrying the state
// wanted (a second delivery cannot undo it): the button's own click, a rerun of the toolbar's
// fragment, was lost now and then while the board's fragment reran for frames (the toolbar
// kept saying Pause, or Play did not start). The board says the new state at once, and asks
// again until a payload of the server says it did (header.asked: the last ask it did).
const WANT_RETRY_MS = 1500;

function scriptPlay(board, e) {
  if (board.seq < 0 || !board.root.isConnected) return false; // no payload yet: the button's way
  e.stopImmediatePropagation(); // one board takes a click, even if an old one is still here
  // the other state than the one the board shows: the one asked for while the server has
  // not shown it yet, else the server's latest (the button's label may be older: a page run
  // of an earlier ask can draw it after a newer payload came)
  const pending = board.want && !board.want.done;
  const playing = !(pending ? board.want.playing : board.serverPlaying);
  e.preventDefault();
  board.want = { playing, n: (board.want ? board.want.n : 0) + 1 };
  playLabel(board, playing);
  if (!playing) { board.playing = false; board.queue.length = 0; }
  askWanted(board);
  return true;
}

function askWanted(board) {
  const want = board.want;
  if (!want || want.done || board.gone || !board.root.isConnected) return;
  want.asked = performance.now();
  board.id = board.id || Math.random().toString(36).slice(2, 10); // this board's asks
  board.setTriggerValue("play", { playing: want.playing, n: want.n, id: board.id });
  clearTimeout(board.wantTimer);
  board.wantTimer = setTimeout(() => askWanted(board), WANT_RETRY_MS);
}

function wanted(board, header) {
  // a payload of the server: it shows the state the board asked for, or the board asks again;
  // the button says the state asked for, else the server's (a page run may have drawn it
  // with an older one)
  board.serverPlaying = !!header.playing;
  const want = board.want;
  if (want && !want.done && typeof header.asked === "number" && header.asked >= want.n) {
    want.done = true; // the server has done it (a payload of a run before may say otherwise)
    clearTimeout(board.wantTimer);
  }
  const pending = want && !want.done;
  playLabel(board, pending ? want.playing : board.serverPlaying);
}

function drawNow(board, items, header) {
  // paused: draw everything queued and given now (normally one frame), without the clock
  const names = new Set();
  let last = null;
  for (const item of [...board.queue.splice(0), ...items]) {
    board.revision = item.revision;
    for (const n of applyFrame(board, item.frame, item.bases, item.bin, item.paths)) names.add(n);
    last = item;
  }
  const detail = header.detail;
  if (last) counters(board, last.frame); // at once, before plotly.js has loaded on a first visit
  fitHeights(board); // below the counters, which may have grown
  if (header.urlStep && last) urlStep(last.frame.step);
  loadPlotly().then(() => {
    const finish = () => {
      if (last) shown(board, last);
      // a Step the board took: the Layers tab's chart, outside the board, follows
      const sink = detail && (window.__bpSinks || {})[detail.key];
      if (sink) sink(JSON.parse(detail.figure), detail.revision);
    };
    if (board.turns || !Object.values(board.divs).some((d) => d._fullLayout)) {
      drawInTurns(board, names, finish);
    } else {
      draw(board, [...names]);
      finish();
    }
  }).catch((e) => { board.grid.textContent = "Could not load plotly.js: " + e.message; });
}

function drawInTurns(board, names, done) {
  // The board's first drawing (a page's first frame): one view a display frame, in the
  // page's order (the graph first), so the first chart shows when it is drawn, not when all
  // four are (Plotly lays out each anew: ~0.4 s for the four on a first visit). A frame that
  // comes meanwhile (the line's first) joins the turns.
  if (board.turns) {
    for (const n of names) board.turns.names.add(n);
    board.turns.done.push(done);
    return;
  }
  const turns = (board.turns = { names: new Set(names), done: [done] });
  const order = (board.names || "").split(",");
  const next = () => {
    const name = order.find((n) => turns.names.has(n)) || turns.names.values().next().value;
    turns.names.delete(name);
    if (name !== undefined && board.figs[name]) draw(board, [name], false);
    if (turns.names.size) { requestAnimationFrame(() => setTimeout(next, 0)); return; }
    board.turns = null;
    for (const f of turns.done) f();
  };
  next();
}

function fromScript(board, header, bin) {
  // A payload of a script run: frames (no line), or only settings and "pull" (the frame
  // comes over the line)
  board.present = !!header.present;
  board.fastStep = !!header.fastStep;
  board.handsOn = !!header.handsOn;
  board.shape = header.shape || null;
  board.root.classList.toggle("bp-present", board.present);
  if (header.seq === board.seq) return; // a rerun that sent the same payload again
  board.seq = header.seq;
  if (header.pull === undefined) wanted(board, header); // without the line
  findings(board, header.findings);
  progress(board, header.pull !== undefined ? header.progress : null); // on the line only
  ensureViews(board, header.views);
  if (header.line) connect(board, header.line);
  if (header.pull !== undefined) { // on the line
    if (header.pull) send(board, "frame");
    else if (header.playing && !board.playing) { board.playing = true; playLabel(board, true); send(board, "play"); wake(board); }
    return;
  }
  if (header.full || !header.playing) board.queue.length = 0; // drawn as sent, at once
  board.playing = !!header.playing;
  board.scriptSeq = board.playing ? 0 : header.seq;
  const items = header.frames.map((frame) => ({
    frame, bases: header.bases || {}, bin, paths: header.paths, revision: header.revision, seq: header.seq,
  }));
  if (board.playing) {
    board.queue.push(...items);
    if (lineOpen(board)) send(board, "play"); // Play began without the line: it goes on on it
    wake(board);
  } else {
    drawNow(board, items, header);
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  window.__bpBoardStats = window.__bpBoardStats || { frames: 0, painted: 0, reacts: 0, starved: 0, chunks: 0, bytes: 0, ms: {} };
  let board = parentElement.__bpBoard;
  if (!board) {
    const root = document.createElement("div");
    root.className = "bp-board";
    const counterRow = document.createElement("div");
    counterRow.className = "bp-counters";
    const grid = document.createElement("div");
    grid.className = "bp-grid";
    root.appendChild(counterRow);
    root.appendChild(grid);
    parentElement.appendChild(root);
    board = parentElement.__bpBoard = {
      root, grid, counters: counterRow, values: [], counterLabels: null, divs: {}, figs: {}, drawn: {}, names: null,
      dirty: {}, since: {}, grow: new Set(), layoutChanged: {}, stale: {},
      queue: [], seq: -1, asked: -1, playing: false, last: 0, revision: 0, started: false,
      ws: null, line: null, lineReady: false, shownSeq: 0, pausedAt: null, syncs: 0, needs: 0,
    };
    // Pause answers at once, before the server hears of it: the board stops playing out its
    // queue on the click itself (the server's paused frame follows and is drawn exactly).
    board.onClick = (e) => {
      if (!board.root.isConnected) return; // a board that went (see teardown)
      const t = e.target && e.target.closest && e.target.closest(".st-key-play, .st-key-step, .st-key-epoch");
      if (t && board.playing) {
        board.playing = false;
        board.queue.length = 0;
        if (lineOpen(board)) board.pausedAt = board.shownSeq; // the frame on screen now
      }
    };
    document.addEventListener("pointerdown", board.onClick, true);
    // Step, paused: the board takes the click (a trigger that reruns only its fragment, so
    // the widgets around it are not sent and drawn again). Keyboard and tests that press
    // the button without the board go the button's own way, which trains the same step.
    board.onStep = (e) => {
      if (!board.root.isConnected) return;
      if (lineClick(board, e)) return;
      const t = e.target && e.target.closest && e.target.closest(".st-key-step button");
      if (!t || board.playing || !board.fastStep || t.disabled) return;
      e.preventDefault();
      e.stopPropagation();
      board.steps = (board.steps || 0) + 1;
      board.setTriggerValue("step", board.steps);
    };
    document.addEventListener("click", board.onStep, true);
    board.onUp = (e) => { if (board.root.isConnected) { outputUp(board, e); graphUp(board, e); } };
    window.addEventListener("pointerup", board.onUp, true);
    board.onResize = () => { if (board.root.isConnected) fitHeights(board); };
    window.addEventListener("resize", board.onResize);
    board.observer = new ResizeObserver(() => resize(board));
    board.observer.observe(root);
    board.raf = null;
  }
  board.setTriggerValue = setTriggerValue;
  if (!data) return;
  const { header, bin } = decode(data);
  window.__bpBoardStats.chunks += 1;
  window.__bpBoardStats.bytes += data.byteLength || data.length || 0;
  fromScript(board, header, bin);
  // Streamlit calls this before each new render and when the board goes; it may still be on
  // the page then, so whether it went is looked at again once the page has changed: a board
  // left behind would go on taking the toolbar's clicks beside the new one.
  return () => {
    if (!board.root.isConnected) teardown(board, parentElement);
    else setTimeout(() => { if (!board.root.isConnected) teardown(board, parentElement); }, 0);
  };
}

function teardown(board, parentElement) {
  if (board.gone) return;
  board.gone = true;
  if (board.raf !== null) cancelAnimationFrame(board.raf);
  clearTimeout(board.wantTimer);
  board.observer.disconnect();
  document.removeEventListener("pointerdown", board.onClick, true);
  document.removeEventListener("click", board.onStep, true);
  window.removeEventListener("pointerup", board.onUp, true);
  window.removeEventListener("resize", board.onResize);
  if (board.ws) board.ws.close();
  for (const div of Object.values(board.divs)) {
    if (window.__bpPlotlyLib) window.__bpPlotlyLib.purge(div);
  }
  if (parentElement.__bpBoard === board) delete parentElement.__bpBoard;
}
