// The report's only scripts, inlined and allowed by their hash alone: a narrow screen starts with the inline diff,
// printing opens the disclosures that hold the answer, and a live report (`culprit serve`) refreshes as verdicts arrive.

export const REPORT_SCRIPT = `(() => {
  const narrow = () => {
    if (!window.matchMedia('(max-width: 760px)').matches) return;
    for (const input of document.querySelectorAll('.diff-switch input[value="inline"]')) input.checked = true;
  };
  narrow();
  const opened = [];
  addEventListener('beforeprint', () => {
    for (const details of document.querySelectorAll('details[data-print-open]:not([open])')) { details.open = true; opened.push(details); }
  });
  addEventListener('afterprint', () => { for (const details of opened.splice(0)) details.open = false; });
})();`;

/** Follows the server's events: on each change the page's main part is fetched again and swapped in place. */
export const LIVE_SCRIPT = `(() => {
  const status = document.getElementById('live-status');
  let busy = Promise.resolve();
  const refresh = () => fetch(location.pathname, { cache: 'no-store' }).then((response) => response.text()).then((text) => {
    const next = new DOMParser().parseFromString(text, 'text/html');
    const main = document.querySelector('main');
    const fresh = next.querySelector('main');
    if (!main || !fresh) return;
    // What the reader opened and chose stays as it was.
    const open = new Set([...main.querySelectorAll('details[open]')].map((details) => details.closest('[id]')?.id));
    const chosen = new Map([...main.querySelectorAll('.diff-switch input:checked')].map((input) => [input.name, input.value]));
    main.replaceWith(fresh);
    for (const details of fresh.querySelectorAll('details')) if (open.has(details.closest('[id]')?.id)) details.open = true;
    const narrow = window.matchMedia('(max-width: 760px)').matches;
    for (const input of fresh.querySelectorAll('.diff-switch input')) {
      if (chosen.has(input.name)) input.checked = chosen.get(input.name) === input.value;
      else if (narrow) input.checked = input.value === 'inline';
    }
    // The header's status and the section links follow the hunt too.
    const huntStatus = document.getElementById('hunt-status');
    const freshStatus = next.getElementById('hunt-status');
    if (huntStatus && freshStatus) huntStatus.textContent = freshStatus.textContent;
    const nav = document.querySelector('header nav');
    const freshNav = next.querySelector('header nav');
    if (nav && freshNav) nav.replaceWith(freshNav);
    document.title = next.title;
  });
  const events = new EventSource('events');
  events.addEventListener('changed', () => { busy = busy.then(refresh, refresh); });
  events.addEventListener('finished', () => {
    busy = busy.then(refresh, refresh).then(() => { if (status) status.textContent = 'live: the hunt has ended'; });
    events.close();
  });
  events.addEventListener('error', () => {
    if (!status || status.textContent.includes('ended')) return;
    status.textContent = events.readyState === EventSource.CLOSED ? 'live: disconnected from culprit serve' : 'live: reconnecting to culprit serve…';
  });
  events.addEventListener('open', () => { if (status) status.textContent = 'live: refreshing as verdicts arrive'; });
})();`;
