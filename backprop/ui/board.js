// The live board: every live view of the Playground in one element, drawn from frame chunks.
// The server sends a chunk of frames (backprop/viz/frames.py): the specs the browser lacks
// ("bases") and, per frame, only the numbers that changed. This script queues the frames
// and draws them at a steady rate with Plotly.react on figures it keeps, while the server
// trains the next chunk; it asks for that chunk (a trigger) when its queue runs low.
const FPS = 30;
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

function concat(a, b) {
  const out = new Float32Array((a ? a.length : 0) + b.length);
  if (a) out.set(a, 0);
  out.set(b, a ? a.length : 0);
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

function present(layout, board) {
  // compact text and margins on the board (one projector screen holds it), or presentation
  // mode's large high-contrast text
  if (!board.present) {
    layout.margin = { l: 48, r: 12, t: 40, b: 36 };
    layout.font = Object.assign({}, layout.font || {}, { size: 12 });
    if (layout.title && typeof layout.title === "object") {
      layout.title = Object.assign({}, layout.title,
        { font: Object.assign({}, layout.title.font || {}, { size: 14 }) });
    }
    if (layout.legend) {
      layout.legend = Object.assign({}, layout.legend, { font: { size: 11 } });
      if (layout.legend.orientation === "h" && layout.legend.y < 0) layout.legend.y = -0.2;
    }
    return layout;
  }
  const size = 20;
  layout.font = Object.assign({}, layout.font || {}, { size, color: "#000" });
  if (layout.annotations) {
    layout.annotations = layout.annotations.map((a) => Object.assign({}, a,
      { font: Object.assign({}, a.font || {}, { size: Math.max(size, (a.font || {}).size || 0), color: "#000" }) }));
  }
  if (layout.legend) {
    layout.legend = Object.assign({}, layout.legend, { font: { size } });
    // below the x axis' 20 px title, not on it
    if (layout.legend.orientation === "h" && layout.legend.y < 0) layout.legend.y = -0.3;
  }
  layout.margin = { l: 70, r: 20, t: 56, b: 56 };
  if (layout.title) {
    if (typeof layout.title === "string") layout.title = { text: layout.title };
    layout.title.font = Object.assign({}, layout.title.font || {}, { size: size + 2 });
  }
  return layout;
}

// ---------------------------------------------------------------- the frame painter
// Plotly.react redraws a whole figure (its axes, legend, every trace): 15-60 ms a view on a
// software-rendered browser. While playing, the board instead paints the figure's traces
// on a canvas laid over Plotly's own plot area, with the axes Plotly last drew (heatmaps as
// scaled images, lines and markers as paths): about a millisecond a view. Plotly redraws a
// view in full when its layout changed, its data left the axes, every REFRESH frames (for
// colour bars and tick labels), and when paused, so hover shows exact numbers.
const REFRESH = 32;
const EXACT_MS = 1000;

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
  return xa && ya && xa.l2p && ya.l2p ? [xa, ya] : null;
}

function colourRange(fig, trace, full, values) {
  const axis = trace.coloraxis || full.coloraxis;
  const ca = axis ? fig.layout[axis] || {} : null;
  let lo = ca ? ca.cmin : trace.zmin !== undefined ? trace.zmin : (trace.marker || {}).cmin;
  let hi = ca ? ca.cmax : trace.zmax !== undefined ? trace.zmax : (trace.marker || {}).cmax;
  if (lo === undefined || hi === undefined || lo === null || hi === null) {
    lo = Infinity; hi = -Infinity;
    for (const v of values) if (v === v) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const scale = axis ? gd_colourscale(full, axis) : full.colorscale || (full.marker || {}).colorscale;
  return [lo, hi, scale];
}

function gd_colourscale(full, axis) {
  return full._gd && full._gd._fullLayout[axis] ? full._gd._fullLayout[axis].colorscale : null;
}

function paintHeatmap(ctx, gd, fig, trace, full) {
  const axes = axesOf(gd, full);
  const z = trace.z;
  if (!axes || !z || !z.length) return;
  const [xa, ya] = axes;
  const rows = z.length, cols = z[0].length;
  let [lo, hi, scale] = colourRange(fig, trace, full, (function* () { for (const r of z) yield* r; })());
  scale = scale || (gd._fullLayout.coloraxis || {}).colorscale || [[0, "#000"], [1, "#fff"]];
  const table = lut(scale, trace.opacity === undefined ? 1 : trace.opacity);
  const off = paintHeatmap.off || (paintHeatmap.off = document.createElement("canvas"));
  off.width = cols; off.height = rows;
  const octx = off.getContext("2d");
  const img = octx.createImageData(cols, rows);
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
  const edges = (arr, n, a0, da) => {
    if (arr && arr.length >= 2) {
      const d = (arr[arr.length - 1] - arr[0]) / (arr.length - 1);
      return [arr[0] - d / 2, arr[arr.length - 1] + d / 2];
    }
    if (arr && arr.length === 1) return [arr[0] - 0.5, arr[0] + 0.5];
    return [a0 - da / 2, a0 + da * (n - 0.5)];
  };
  const [x0, x1] = edges(trace.x, cols, trace.x0 !== undefined ? trace.x0 : 0, trace.dx || 1);
  const [y0, y1] = edges(trace.y, rows, trace.y0 !== undefined ? trace.y0 : 0, trace.dy || 1);
  const px0 = xa._offset + xa.l2p(x0), px1 = xa._offset + xa.l2p(x1);
  const py0 = ya._offset + ya.l2p(y0), py1 = ya._offset + ya.l2p(y1);
  ctx.save();
  ctx.imageSmoothingEnabled = full.type === "contour" || (full.zsmooth && full.zsmooth !== false);
  ctx.translate(px0, py0);
  ctx.scale((px1 - px0) / cols, (py1 - py0) / rows); // negative when row 0 is at the bottom
  ctx.drawImage(off, 0, 0);
  ctx.restore();
}

function paintScatter(ctx, gd, fig, trace, full) {
  const axes = axesOf(gd, full);
  if (!axes || !trace.x || !trace.y) return;
  const [xa, ya] = axes;
  const X = (v) => xa._offset + xa.l2p(v), Y = (v) => ya._offset + ya.l2p(v);
  const mode = full.mode || "";
  ctx.globalAlpha = full.opacity === undefined ? 1 : full.opacity;
  if (mode.includes("lines")) {
    const line = full.line || {};
    ctx.strokeStyle = (trace.line && trace.line.color) || line.color || "#444";
    ctx.lineWidth = (trace.line && trace.line.width) || line.width || 2;
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
  if (mode.includes("markers")) {
    const m = Object.assign({}, full.marker || {}, trace.marker || {});
    const colours = m.color;
    if (typeof colours === "string" && parseColour(colours, 1)[3] === 0) { ctx.globalAlpha = 1; return; }
    let lo = 0, hi = 1, table = null;
    if (colours && typeof colours !== "string") {
      const [a, b, scale] = colourRange(fig, trace.marker || {}, full.marker || {}, colours);
      const cs = scale || (gd._fullLayout[(full.marker || {}).coloraxis] || {}).colorscale;
      lo = a; hi = b; table = lut(cs || [[0, "#000"], [1, "#fff"]], 1);
    }
    const open = String(m.symbol || "").includes("open");
    const lw = (m.line && m.line.width) || 0;
    ctx.strokeStyle = (m.line && m.line.color) || "#444";
    ctx.lineWidth = lw;
    for (let i = 0; i < trace.x.length; i++) {
      const x = trace.x[i], y = trace.y[i];
      if (x !== x || y !== y) continue;
      const size = typeof m.size === "number" ? m.size : (m.size && m.size[i]) || 6;
      let fill = typeof colours === "string" ? colours : "#444";
      if (table) {
        const v = colours[i], j = 4 * Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo || 1)) * 255)));
        fill = `rgb(${table[j]},${table[j + 1]},${table[j + 2]})`;
      }
      ctx.beginPath();
      ctx.arc(X(x), Y(y), size / 2, 0, 2 * Math.PI);
      if (open) { ctx.strokeStyle = fill; ctx.lineWidth = 1.5; ctx.stroke(); continue; }
      ctx.fillStyle = fill;
      ctx.fill();
      if (lw) ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
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

function canvasOf(div, cls) {
  // one of two canvases over Plotly's plot area: "bp-paint-lo" below "bp-paint-hi"
  let cv = div.querySelector("canvas." + cls);
  const box = div.querySelector(".svg-container");
  if (!box) return null;
  if (!cv) {
    cv = document.createElement("canvas");
    cv.className = "bp-paint " + cls;
    cv.style.cssText = "position:absolute;left:0;top:0;pointer-events:none;";
    const first = box.querySelector(".main-svg");
    const lo = box.querySelector("canvas.bp-paint-lo");
    const after = cls === "bp-paint-hi" && lo ? lo : first;
    box.insertBefore(cv, after ? after.nextSibling : null);
  }
  // the plot's own size as Plotly laid it out (reading the DOM's would force a layout)
  const fl = div._fullLayout, r = window.devicePixelRatio || 1;
  const w = fl.width, h = fl.height;
  if (cv.width !== Math.round(w * r) || cv.height !== Math.round(h * r)) {
    cv.width = Math.round(w * r); cv.height = Math.round(h * r);
    cv.style.width = w + "px"; cv.style.height = h + "px";
    div.__bpStatic = null;
  }
  const ctx = cv.getContext("2d");
  ctx.setTransform(r, 0, 0, r, 0, 0);
  return ctx;
}

function paintTraces(ctx, gd, fig, indices) {
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  for (const i of indices) {
    const t = fig.data[i], full = gd._fullData[i];
    if (!full || full.visible !== true) continue;
    full._gd = gd;
    const axes = axesOf(gd, full);
    if (!axes) continue;
    const [xa, ya] = axes;
    ctx.save();
    ctx.beginPath();
    ctx.rect(xa._offset, ya._offset, xa._length, ya._length);
    ctx.clip();
    if (full.type === "heatmap" || full.type === "contour") paintHeatmap(ctx, gd, fig, t, full);
    else if (full.type === "scatter") paintScatter(ctx, gd, fig, t, full);
    ctx.restore();
  }
}

function paint(div, fig, dyn, layoutChanged) {
  // Paint the figure's traces; false if it cannot be painted (Plotly must draw it). The
  // traces no frame changed since Plotly last drew ("static", e.g. the data points) are
  // painted once on their own canvas, when they all lie above or all below the changing
  // ones; otherwise every trace is painted every frame.
  const gd = div;
  if (!gd._fullData || !gd._fullLayout || gd._fullData.length !== fig.data.length) return false;
  if (!inRange(gd, fig)) return false;
  const lo = canvasOf(div, "bp-paint-lo"), hi = canvasOf(div, "bp-paint-hi");
  if (!lo || !hi) return false;
  const all = fig.data.map((_, i) => i);
  const moving = all.filter((i) => dyn.has(i)), still = all.filter((i) => !dyn.has(i));
  let mode = "mixed";
  if (!still.length || !moving.length) mode = "mixed";
  else if (Math.max(...moving) < Math.min(...still)) mode = "still-above";
  else if (Math.max(...still) < Math.min(...moving)) mode = "still-below";
  if (mode === "mixed" || layoutChanged) {
    paintTraces(lo, gd, fig, all);
    hi.clearRect(0, 0, hi.canvas.width, hi.canvas.height);
    div.__bpStatic = null;
  } else {
    const [stillCtx, movingCtx] = mode === "still-above" ? [hi, lo] : [lo, hi];
    const key = mode + still.join(",");
    if (div.__bpStatic !== key) {
      paintTraces(stillCtx, gd, fig, still);
      div.__bpStatic = key;
    }
    paintTraces(movingCtx, gd, fig, moving);
  }
  div.classList.add("bp-painting");
  return true;
}

function unpaint(div) {
  div.classList.remove("bp-painting");
  div.__bpStatic = null;
  for (const cv of div.querySelectorAll("canvas.bp-paint")) {
    cv.getContext("2d").clearRect(0, 0, cv.width, cv.height);
  }
}

function headroom(fig, layout, room) {
  // a growing curve gets axes with room to grow (more while playing), so that the next
  // frames and Steps are painted, not redrawn
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
  board.dyn = {}; board.layoutChanged = {};
  board.grow = new Set(views.filter((v) => v.grow).map((v) => v.name));
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
    div.addEventListener("pointerenter", () => {
      // hover needs Plotly's own drawing of the current numbers: draw this view exactly now
      if (!board.playing && board.exactPending && board.exactPending.has(v.name)) {
        board.exactPending.delete(v.name);
        draw(board, [v.name]);
      }
    });
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
  const rect = div.getBoundingClientRect(), size = full._size;
  const px = e.clientX - rect.left - size.l, py = e.clientY - rect.top - size.t;
  if (px < 0 || py < 0 || px > size.w || py > size.h) return;
  const xa = full.xaxis, ya = full.yaxis;
  const x = xa.p2d(px), y = ya.p2d(py);
  const sx = Math.abs(xa.p2d(px + 1) - x), sy = Math.abs(ya.p2d(py + 1) - y);
  if (![x, y, sx, sy].every(Number.isFinite)) return;
  board.edits = (board.edits || 0) + 1;
  board.setTriggerValue("click", { x, y, sx, sy, shift: start[2] || !!e.shiftKey, n: board.edits });
}

function graphPick(board, ev) {
  const p = ev && ev.points && ev.points[0];
  if (!board.handsOn || !p || !p.data) return;
  const name = String(p.data.name || "");
  let value = null;
  if (name === "edge hover") {
    const m = /^w\[(\d+)\]\[(\d+),(\d+)\]$/.exec(String(p.text || ""));
    if (m) value = { layer: +m[1], i: +m[2], j: +m[3] };
  } else {
    const m = /^layer (\d+)$/.exec(name);
    if (m && +m[1] > 0 && p.customdata) value = { layer: +m[1], i: Math.round(+p.customdata[0]), bias: true };
  }
  if (!value) return;
  board.edits = (board.edits || 0) + 1;
  value.n = board.edits;
  board.setTriggerValue("pick", value);
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
      if (path[0] === "data") (board.dyn[name] || (board.dyn[name] = new Set())).add(path[1]);
      else board.layoutChanged[name] = true;
      if (typeof val === "number") { setPath(fig, path, val); continue; }
      const arr = array(val, bin, shape);
      setPath(fig, path, val[3] === 1 ? concat(getPath(fig, path), arr) : arr);
    }
    if (fig) touched.push(name);
  }
  return touched;
}

function draw(board, names, fast = false) {
  // Paint the views (playing, or ``fast``: a paused frame shown at once), or let Plotly draw
  // them in full (see the painter above).
  const Plotly = window.__bpPlotlyLib;
  if (!Plotly) return;
  const stats = window.__bpBoardStats;
  names.forEach((name, i) => {
    const div = board.divs[name], fig = board.figs[name];
    if (!div || !fig) return;
    const t0 = performance.now();
    const since = board.since[name] === undefined ? i * 8 : board.since[name];
    const full = (!board.playing && !fast) || board.dirty[name] || since >= REFRESH;
    const dyn = board.dyn[name] || new Set();
    if (!full && paint(div, fig, dyn, !!board.layoutChanged[name])) {
      board.layoutChanged[name] = false;
      board.since[name] = since + 1;
      stats.painted += 1;
    } else {
      let layout = present(Object.assign({}, fig.layout), board);
      layout.datarevision = (board.drawn[name] = (board.drawn[name] || 0) + 1);
      layout.autosize = true;
      delete layout.height; delete layout.width;
      if (board.grow.has(name)) layout = headroom(fig, layout, board.playing ? 1.5 : 1.15);
      unpaint(div);
      Plotly.react(div, fig.data, layout, chartConfig(Plotly, name));
      if (name === "graph" && !div.__bpPick && div.on) {
        div.__bpPick = true;
        div.on("plotly_click", (ev) => graphPick(board, ev));
      }
      board.dyn[name] = new Set(); // Plotly has drawn every trace as it now is
      board.layoutChanged[name] = false;
      board.since[name] = 0;
      board.dirty[name] = false;
      stats.reacts += 1;
    }
    div.dataset.revision = String(board.revision);
    stats.ms[name] = (stats.ms[name] || 0) + performance.now() - t0;
  });
  stats.frames += 1;
}

function exactSoon(board, names) {
  // A paused frame (a Step) is painted at once; Plotly then draws the views in full, with
  // exact hover numbers, once no new frame has come for EXACT_MS (rapid Steps stay cheap),
  // or at once for a view the pointer enters (see ensureViews).
  board.exactPending = board.exactPending || new Set();
  for (const n of names) board.exactPending.add(n);
  clearTimeout(board.exactTimer);
  board.exactTimer = setTimeout(() => {
    if (board.playing) return;
    const todo = [...board.exactPending];
    board.exactPending.clear();
    draw(board, todo);
  }, EXACT_MS);
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
    if (note) board.counters.appendChild(note);
  }
  items.forEach(([, text], i) => {
    if (board.values[i].textContent !== text) board.values[i].textContent = text;
  });
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
  board.counters.appendChild(el); // last in the row, after counters drawn anew
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
  if (board.playing && now - board.last < 1000 / FPS - 2) return;
  board.last = now;
  const item = board.queue.shift();
  board.revision = item.revision;
  const names = applyFrame(board, item.frame, item.bases, item.bin, item.paths);
  draw(board, names);
  counters(board, item.frame);
  board.started = true;
  maybeAsk(board);
}

function maybeAsk(board) {
  if (!board.playing || board.asked === board.seq || board.queue.length > LOW) return;
  board.asked = board.seq;
  board.setTriggerValue("need", board.seq);
}

function resize(board) {
  const Plotly = window.__bpPlotlyLib;
  if (!Plotly) return;
  for (const div of Object.values(board.divs)) {
    if (div._fullLayout) Plotly.Plots.resize(div);
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
      dirty: {}, since: {}, grow: new Set(), dyn: {}, layoutChanged: {},
      queue: [], seq: -1, asked: -1, playing: false, last: 0, revision: 0, started: false,
    };
    // Pause answers at once, before the server hears of it: the board stops playing out its
    // queue on the click itself (the server's paused frame follows and is drawn exactly).
    board.onClick = (e) => {
      const t = e.target && e.target.closest && e.target.closest(".st-key-play, .st-key-step");
      if (t && board.playing) { board.playing = false; board.queue.length = 0; }
    };
    document.addEventListener("pointerdown", board.onClick, true);
    // Step, paused: the board takes the click (a trigger that reruns only its fragment, so
    // the widgets around it are not sent and drawn again). Keyboard and tests that press
    // the button without the board go the button's own way, which trains the same step.
    board.onStep = (e) => {
      const t = e.target && e.target.closest && e.target.closest(".st-key-step button");
      if (!t || board.playing || !board.fastStep || t.disabled) return;
      e.preventDefault();
      e.stopPropagation();
      board.steps = (board.steps || 0) + 1;
      board.setTriggerValue("step", board.steps);
    };
    document.addEventListener("click", board.onStep, true);
    board.onUp = (e) => outputUp(board, e);
    window.addEventListener("pointerup", board.onUp, true);
    board.observer = new ResizeObserver(() => resize(board));
    board.observer.observe(root);
    board.raf = null;
  }
  board.setTriggerValue = setTriggerValue;
  if (!data) return;
  const { header, bin } = decode(data);
  window.__bpBoardStats.chunks += 1;
  window.__bpBoardStats.bytes += data.byteLength || data.length || 0;
  board.present = !!header.present;
  board.fastStep = !!header.fastStep;
  board.handsOn = !!header.handsOn;
  board.root.classList.toggle("bp-present", board.present);
  if (header.seq === board.seq) return; // a rerun that sent the same chunk again
  findings(board, header.findings);
  ensureViews(board, header.views);
  if (header.full || !header.playing) board.queue.length = 0; // drawn as sent, at once
  board.seq = header.seq;
  board.playing = !!header.playing;
  for (const frame of header.frames) {
    board.queue.push({
      frame, bases: header.bases || {}, bin, paths: header.paths, revision: header.revision,
    });
  }
  if (board.playing) {
    wake(board);
  } else {
    // paused: draw everything queued now (normally one frame), no waiting for the clock
    let names = new Set();
    let lastFrame = null;
    while (board.queue.length) {
      const item = board.queue.shift();
      board.revision = item.revision;
      for (const n of applyFrame(board, item.frame, item.bases, item.bin, item.paths)) names.add(n);
      lastFrame = item.frame;
    }
    const detail = header.detail;
    counters(board, lastFrame); // at once, before plotly.js has loaded on a first visit
    if (header.urlStep && lastFrame) urlStep(lastFrame.step);
    loadPlotly().then(() => {
      draw(board, [...names], true);
      exactSoon(board, names);
      // a Step the board took: the Layers tab's chart, outside this fragment, follows
      const sink = detail && (window.__bpSinks || {})[detail.key];
      if (sink) sink(JSON.parse(detail.figure), detail.revision);
    }).catch((e) => { board.grid.textContent = "Could not load plotly.js: " + e.message; });
  }
  return () => {
    if (!board.root.isConnected) {
      if (board.raf !== null) cancelAnimationFrame(board.raf);
      board.observer.disconnect();
      document.removeEventListener("pointerdown", board.onClick, true);
      document.removeEventListener("click", board.onStep, true);
      window.removeEventListener("pointerup", board.onUp, true);
      for (const div of Object.values(board.divs)) {
        if (window.__bpPlotlyLib) window.__bpPlotlyLib.purge(div);
      }
      delete parentElement.__bpBoard;
    }
  };
}
