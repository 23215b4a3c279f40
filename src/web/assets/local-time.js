// Shows an event's time in the viewer's own time zone, next to the event's
// zone. Progressive: without JavaScript the page says where to find it.
(() => {
  for (const el of document.querySelectorAll('[data-local-start]')) {
    const start = new Date(el.getAttribute('data-local-start') ?? '');
    const end = new Date(el.getAttribute('data-local-end') ?? '');
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) continue;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
    const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
    const sameDay = start.toDateString() === end.toDateString();
    el.textContent = `${el.getAttribute('data-label') ?? ''} ${day.format(start)} – ${sameDay ? time.format(end) : day.format(end)} (${zone})`;
    el.hidden = false;
  }
  for (const el of document.querySelectorAll('[data-local-fallback]')) el.hidden = true;
})();
