// The page: picks a bundle (file picker, drag and drop, or URL), hands it to
// the verifier worker and shows what the worker reports.
const $ = (id) => document.getElementById(id);

// At most this many epochs stay listed; older ones are summarised in one line
// so a million-epoch bundle does not grow the page without bound.
const MAX_LISTED_EPOCHS = 500;

// The page redraws at most this often while a bundle streams. Every DOM
// change costs the page's thread and the compositor CPU time that the
// proof-checking workers would otherwise get: redrawing on every message
// held two workers at 1.35–1.42× of one on a 245-epoch bundle, against
// 1.45–1.64× now (docs/benchmarks.md, § Parallel verification).
const RENDER_INTERVAL_MS = 100;

let worker = null;
let state = null;
// Whether the worker is in the middle of a bundle: a new one replaces it
// (terminating the worker is the only way to stop a verification at once).
let running = false;

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (msg) => onWorkerMessage(msg.data);
  worker.onerror = (e) => fail(`the verifier worker failed to start: ${e.message || 'unknown error'}`);
}

function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function reset(title) {
  state = {
    total: null, bytes: 0, buffered: 0, epochs: 0, cycles: 0, hidden: 0, jobs: null,
    started: performance.now(), samples: [], pending: [], renderScheduled: false, lastRender: 0,
  };
  $('rate').textContent = '';
  drawChart();
  const status = $('status');
  status.hidden = false;
  status.className = 'running';
  $('status-title').textContent = title;
  $('failure').hidden = true;
  $('failure').textContent = '';
  $('summary').hidden = true;
  $('header-info').textContent = '';
  $('epochs').replaceChildren();
  $('bytes-bar').value = 0;
  $('epochs-bar').value = 0;
  $('bytes-text').textContent = '';
  $('epochs-text').textContent = '0 epochs';
}

function verify(job) {
  if (running) {
    worker.terminate();
    startWorker();
  }
  running = true;
  reset(job.file ? `Verifying ${job.file.name}…` : `Verifying ${job.url}…`);
  const imageId = $('image-id').value.trim();
  // ?jobs=N picks the number of proof-checking workers.
  const jobs = Number(new URLSearchParams(location.search).get('jobs')) || undefined;
  worker.postMessage({ type: 'verify', imageId: imageId || undefined, jobs, ...job });
}

// The live chart: bytes received and epochs verified against time, each on
// its own scale (bytes: the bundle's size when known; epochs: the most so
// far). At most MAX_SAMPLES points: when full, every other one is dropped.
const MAX_SAMPLES = 400;

// Records a point of the chart (cheap: the chart is drawn at the next
// render).
function sample() {
  const t = (performance.now() - state.started) / 1000;
  state.samples.push({ t, bytes: state.bytes, epochs: state.epochs });
  if (state.samples.length > MAX_SAMPLES) state.samples = state.samples.filter((_, i) => i % 2 === 0 || i === state.samples.length - 1);
}

function showRate() {
  const t = (performance.now() - state.started) / 1000;
  const jobs = state.jobs ? ` · ${state.jobs} worker${state.jobs === 1 ? '' : 's'}` : '';
  if (t > 0) $('rate').textContent = `${fmtBytes(Math.round(state.bytes / t))}/s · ${(state.epochs / t).toFixed(1)} epochs/s · ${t.toFixed(1)} s${jobs}`;
}

// Asks for one redraw of everything that changed, at the next frame at
// least RENDER_INTERVAL_MS after the last one.
function scheduleRender() {
  if (state.renderScheduled) return;
  state.renderScheduled = true;
  const forState = state;
  const wait = Math.max(0, RENDER_INTERVAL_MS - (performance.now() - state.lastRender));
  setTimeout(() => requestAnimationFrame(() => {
    if (state === forState) render();
  }), wait);
}

// Brings the page up to date with `state`: the rate and chart, the bars,
// and the epochs verified since the last redraw.
function render() {
  state.renderScheduled = false;
  state.lastRender = performance.now();
  sample();
  showRate();
  showBars();
  const list = $('epochs');
  if (state.pending.length > 0) {
    const fragment = document.createDocumentFragment();
    for (const { ev, info } of state.pending) fragment.append(epochItem(ev, info));
    state.pending = [];
    list.append(fragment);
  }
  while (list.children.length > MAX_LISTED_EPOCHS) {
    list.firstElementChild.remove();
    state.hidden += 1;
  }
  const hidden = state.hidden > 0 ? ` (earliest ${state.hidden} not listed)` : '';
  $('epochs-text').textContent = `${state.epochs} epoch${state.epochs === 1 ? '' : 's'}, ${state.cycles.toLocaleString('en')} cycles${hidden}`;
  drawChart();
}

function drawChart() {
  const canvas = $('chart');
  const ctx = canvas.getContext('2d');
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const points = state ? state.samples : [];
  if (points.length < 2) return;
  const pad = 4;
  const tMax = Math.max(points.at(-1).t, 0.001);
  const bytesMax = state.total || Math.max(1, points.at(-1).bytes);
  const epochsMax = Math.max(1, ...points.map((p) => p.epochs));
  const line = (color, value) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach((p, i) => {
      const x = pad + ((w - 2 * pad) * p.t) / tMax;
      const y = h - pad - (h - 2 * pad) * value(p);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  };
  line('#3a6ea5', (p) => p.bytes / bytesMax);
  line('#2e8b57', (p) => p.epochs / epochsMax);
  ctx.fillStyle = '#444';
  ctx.font = '11px sans-serif';
  ctx.fillText(`${fmtBytes(bytesMax)}`, pad + 2, 12);
  const label = `${epochsMax} epochs`;
  ctx.fillText(label, w - pad - 2 - ctx.measureText(label).width, 12);
  ctx.fillText(`${tMax.toFixed(1)} s`, w - pad - 40, h - pad - 2);
}

function showProgress(bytes, buffered) {
  state.bytes = bytes;
  state.buffered = buffered;
  sample();
  scheduleRender();
}

function showBars() {
  const { total, bytes, buffered } = state;
  if (total) {
    $('bytes-bar').max = total;
    $('bytes-bar').value = bytes;
    $('bytes-text').textContent = `${fmtBytes(bytes)} / ${fmtBytes(total)}`;
    // Bytes behind the last verified record: everything read minus what the
    // verifier still buffers for the record it is reading.
    // (buffered is null after a rejection: the verified bar stays where it was.)
    if (buffered !== null) {
      $('epochs-bar').max = total;
      $('epochs-bar').value = Math.max(0, bytes - buffered);
    }
  } else {
    $('bytes-bar').removeAttribute('value');
    $('bytes-text').textContent = fmtBytes(bytes);
  }
}

function addEpoch(ev, info) {
  state.epochs += 1;
  state.cycles += ev.cycles;
  state.pending.push({ ev, info });
  sample();
  // Only the last MAX_LISTED_EPOCHS can stay listed: drop older ones now.
  if (state.pending.length > MAX_LISTED_EPOCHS) {
    state.pending.shift();
    state.hidden += 1;
  }
  scheduleRender();
}

function epochItem(ev, info) {
  const li = document.createElement('li');
  li.textContent = `epoch ${ev.index}: ${ev.cycles.toLocaleString('en')} cycles, ${ev.outputLen} output bytes${ev.halted ? ', halted' : ''} ✓`;
  if (info) {
    const where = document.createElement('span');
    where.className = 'where';
    where.textContent = ` — ${info.verifyMs.toFixed(0)} ms on ${info.worker === 0 ? 'the coordinator' : `worker ${info.worker}`}`;
    li.append(where);
  }
  if (ev.halted) li.className = 'halt';
  return li;
}

function showSummary(s, ms) {
  $('status').className = 'ok';
  $('status-title').textContent = 'Verified';
  if (state.total) $('epochs-bar').value = state.total;
  $('s-image-id').textContent = s.imageId;
  $('s-epochs').textContent = String(s.epochs);
  $('s-cycles').textContent = s.cycles.toLocaleString('en');
  $('s-exit-code').textContent = String(s.exitCode);
  $('s-zk').textContent = s.zeroKnowledge ? 'yes' : 'no';
  $('s-output-text').textContent =
    s.outputText === null ? '(not printable text; see hex)' : s.outputText === '' ? '(empty)' : s.outputText;
  $('s-output-hex').textContent =
    (s.outputHex || '(empty)') + (s.outputTruncated ? ` … (${s.outputLen} bytes in all)` : '');
  $('s-output-sha256').textContent = s.outputSha256;
  $('s-time').textContent = `${(ms / 1000).toFixed(2)} s`;
  $('s-proof-verifier').textContent = s.proofVerifier;
  $('summary').hidden = false;
}

function fail(text) {
  $('status').hidden = false;
  $('status').className = 'bad';
  $('status-title').textContent = 'Rejected';
  $('failure').textContent = text;
  $('failure').hidden = false;
}

function onWorkerMessage(m) {
  switch (m.type) {
    case 'ready': {
      const kind = $('verifier-kind');
      if (m.proofVerifier === 'test-double') {
        kind.textContent = 'Test build: epoch proofs are checked with the test double, not the STARK verifier.';
        kind.hidden = false;
      } else if (m.proofVerifier !== 'stark') {
        kind.textContent = `This build has no STARK epoch verifier yet (${m.proofVerifier}): it rejects every epoch.`;
        kind.hidden = false;
      }
      document.body.dataset.ready = 'true';
      break;
    }
    case 'start':
      state.total = m.total;
      document.body.dataset.jobs = String(m.jobs);
      state.jobs = m.jobs;
      showProgress(0, 0);
      break;
    case 'progress':
      showProgress(m.bytes, m.buffered);
      break;
    case 'event':
      if (m.event.type === 'header') {
        const e = m.event;
        $('header-info').textContent = `Program ${e.imageId} · epochs of 2^${e.epochSizeLog2} cycles · ${e.securityBits} bits of conjectured security · zero-knowledge: ${e.zeroKnowledge ? 'yes' : 'no'}`;
      } else if (m.event.type === 'epoch') {
        addEpoch(m.event, m.info);
      }
      break;
    case 'summary':
      running = false;
      render();
      showSummary(m.summary, m.ms);
      break;
    case 'rejected': {
      running = false;
      render();
      const where = m.epoch === null || m.epoch === undefined ? 'in the bundle header or framing' : `at epoch ${m.epoch}`;
      if (m.epochsVerified > state.epochs) {
        $('epochs-text').textContent = `${m.epochsVerified} epoch${m.epochsVerified === 1 ? '' : 's'} verified before the failure`;
      }
      const before = m.epochsVerified > 0 ? ` (epochs 0–${m.epochsVerified - 1} verified before it)` : '';
      fail(`Verification failed ${where}: check "${m.check}" — ${m.message}${before}`);
      break;
    }
    case 'failed':
      running = false;
      render();
      $('status-title').textContent = 'Could not verify';
      $('status').className = 'bad';
      $('failure').textContent = `Could not verify: ${m.message}`;
      $('failure').hidden = false;
      break;
  }
}

function setUp() {
  startWorker();
  $('file').addEventListener('change', () => {
    const file = $('file').files[0];
    if (file) verify({ file });
    $('file').value = '';
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) verify({ file });
  });
  $('url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = $('url').value.trim();
    if (url) verify({ url: new URL(url, location.href).href });
  });
  // ?url=… starts verifying a bundle straight away (links to a proof).
  const fromQuery = new URLSearchParams(location.search).get('url');
  if (fromQuery) {
    $('url').value = fromQuery;
    verify({ url: new URL(fromQuery, location.href).href });
  }
}

setUp();
