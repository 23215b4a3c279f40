// Door check-in, made easier with JavaScript: "Scan with camera" reads a
// ticket's QR code with qr-scanner (served by Lantern, decoder included), puts
// the code in the form and sends it; the counts refresh every 5 seconds. The
// page works without any of this: typing the code and pressing Check in is
// the same form.
const root = document.querySelector('.check-in');
const form = root?.querySelector('form.check-in-form');
const field = form?.querySelector('input[name="code"]');

// The camera stays on from one ticket to the next: the answer reloads the
// page, and this flag starts the camera again (the permission is kept).
const SCANNING = 'lantern.check-in.scanning';
// The code sent last: the ticket is usually still in front of the camera when
// it starts again, and reading it twice would turn the green answer red.
const LAST = 'lantern.check-in.last';
// A code anywhere in what the QR code holds: 16 letters and digits, dashes optional.
const CODE = /[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}/i;

function text(name) {
  return root.querySelector('.scan-messages')?.dataset[name] ?? '';
}

function store(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Private browsing may refuse storage: the camera then just waits for a tap.
  }
}

function stored(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function setUpScanner() {
  const start = root.querySelector('.scan-start');
  const stop = root.querySelector('.scan-stop');
  const view = root.querySelector('.scan-view');
  const video = view?.querySelector('video');
  const status = root.querySelector('.scan-status');
  if (!start || !stop || !view || !video || !status || !navigator.mediaDevices?.getUserMedia) return;
  let scanner = null;

  async function load() {
    const { default: QrScanner } = await import(root.dataset.scannerUrl);
    const workerUrl = root.dataset.workerUrl;
    // The library would start its decoder from a blob: URL, which the page's
    // Content-Security-Policy refuses; use the browser's own detector where
    // there is one, else the same decoder served from our origin.
    QrScanner.createQrEngine = async () => {
      if ('BarcodeDetector' in window) {
        try {
          const formats = await window.BarcodeDetector.getSupportedFormats();
          if (formats.includes('qr_code')) return new window.BarcodeDetector({ formats: ['qr_code'] });
        } catch {
          // Fall through to the decoder.
        }
      }
      return new Worker(workerUrl);
    };
    return QrScanner;
  }

  function stopScanning() {
    store(SCANNING, null);
    store(LAST, null);
    scanner?.destroy();
    scanner = null;
    view.hidden = true;
    stop.hidden = true;
    start.hidden = false;
    status.textContent = '';
  }

  async function startScanning() {
    store(SCANNING, '1');
    start.hidden = true;
    stop.hidden = false;
    // Shown before the scanner is made: it refuses to play into a hidden video.
    view.hidden = false;
    status.textContent = text('starting');
    field.blur();
    try {
      const QrScanner = await load();
      scanner = new QrScanner(
        video,
        (result) => {
          const data = String(result.data ?? '');
          const code = (CODE.exec(data)?.[0] ?? data.trim()).toUpperCase();
          if (code.replace(/-/g, '') === stored(LAST)) {
            status.textContent = text('again');
            return;
          }
          scanner?.stop();
          store(LAST, code.replace(/-/g, ''));
          field.value = code;
          if (form.requestSubmit) form.requestSubmit();
          else form.submit();
        },
        { preferredCamera: 'environment', maxScansPerSecond: 8, returnDetailedScanResult: true, onDecodeError: () => {} },
      );
      await scanner.start();
      status.textContent = text('scanning');
    } catch (err) {
      const denied = err && typeof err === 'object' && 'name' in err && err.name === 'NotAllowedError';
      stopScanning();
      status.textContent = text(denied || String(err).includes('denied') ? 'denied' : 'failed');
    }
  }

  start.hidden = false;
  start.addEventListener('click', () => void startScanning());
  stop.addEventListener('click', stopScanning);
  if (stored(SCANNING) === '1') void startScanning();
}

function setUpCounts() {
  const url = root.dataset.countsUrl;
  if (!url) return;
  async function refresh() {
    if (document.hidden) return;
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', redirect: 'error' });
      if (!res.ok) return;
      const counts = await res.json();
      for (const el of root.querySelectorAll('[data-count]')) {
        const value = counts[el.dataset.count];
        el.textContent = value === null || value === undefined ? '—' : String(value);
      }
    } catch {
      // Offline for a moment at the door: the next refresh tries again.
    }
  }
  setInterval(() => void refresh(), 5000);
  document.addEventListener('visibilitychange', () => void refresh());
}

if (root && form && field) {
  setUpScanner();
  setUpCounts();
}
