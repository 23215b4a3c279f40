// The donate form's "cover the processing fee" label shows the figure for the
// amount the donor picks, by the server's rule (src/domain/fees.ts): total =
// ⌈(gift + fixed) ÷ (1 − percentage)⌉ in minor units, fee cover = total − gift,
// in BigInt. Progressive: without this script the label names the rate, and
// the server computes the fee from what is sent either way; the checkout page
// shows the total it charges.
(() => {
  const box = document.querySelector('[data-fee-cover]');
  const label = document.querySelector('[data-fee-label]');
  const form = box?.form;
  if (!box || !label || !form) return;
  let fee;
  try {
    fee = JSON.parse(box.getAttribute('data-fee-cover') ?? '');
  } catch {
    return;
  }
  const locale = box.getAttribute('data-locale') || 'en';
  const template = label.getAttribute('data-template') ?? '';
  const byRate = label.getAttribute('data-rate') ?? label.textContent;
  const million = 1000000n;
  // As the server reads amounts: comma groups thousands, dot separates decimals.
  const number = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;

  /** Minor units of what the donor typed or picked; null when the server would refuse it. */
  function minorUnits(text, currency) {
    const exponent = fee.exponents[currency];
    if (exponent === undefined) return null;
    const cleaned = text.trim().replace(/^[\p{L}\p{Sc}\s]+/u, '').replace(/[\p{L}\p{Sc}\s]+$/u, '');
    const m = number.exec(cleaned);
    if (!m) return null;
    const fraction = (m[2] ?? '').replace(/0+$/, '');
    if (fraction.length > exponent) return null;
    const units = BigInt(m[1].replace(/,/g, '') + fraction.padEnd(exponent, '0'));
    return units > 0n ? units : null;
  }

  function chosen() {
    const other = form.elements.namedItem('amount_other');
    const currency = form.elements.namedItem('currency');
    if (other && other.value.trim() !== '') return currency ? { text: other.value, currency: currency.value } : null;
    const preset = form.querySelector('input[name="amount"]:checked');
    if (!preset) return null;
    const [text, code] = preset.value.split(' ');
    return { text: text ?? '', currency: code ?? '' };
  }

  const formatters = new Map();
  function format(units, currency) {
    const exponent = fee.exponents[currency];
    let f = formatters.get(currency);
    if (!f) formatters.set(currency, (f = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent })));
    const digits = units.toString().padStart(exponent + 1, '0');
    const cut = digits.length - exponent;
    return f.format(exponent === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`);
  }

  function update() {
    const c = chosen();
    const gift = c ? minorUnits(c.text, c.currency) : null;
    if (!c || gift === null) {
      label.textContent = byRate;
      return;
    }
    const keep = million - BigInt(fee.millionths);
    const total = ((gift + BigInt(fee.fixed[c.currency] ?? 0)) * million + keep - 1n) / keep;
    label.textContent = template.replace('{fee}', format(total - gift, c.currency));
  }

  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
})();
