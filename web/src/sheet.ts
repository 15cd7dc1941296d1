// On a narrow screen the planner's controls, legend, panel and list live in a sheet
// over the bottom of the map, so the map fills the first screen. One button opens and
// closes it; the sheet also opens by itself when something in it is shown (an area's
// panel) or reached with the keyboard (the skip link).

export const NARROW = window.matchMedia('(max-width: 760px)');

export interface Sheet {
  open(): void;
  close(): void;
}

export function setupSheet(sheet: HTMLElement, toggle: HTMLButtonElement): Sheet {
  const set = (open: boolean) => {
    sheet.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', String(open));
    toggle.querySelector('.lade-pijl')!.textContent = open ? '▼' : '▲';
  };
  toggle.addEventListener('click', () => set(!sheet.classList.contains('open')));
  // Keyboard focus inside a closed sheet would be out of sight.
  sheet.addEventListener('focusin', (e) => {
    if (NARROW.matches && e.target !== toggle) set(true);
  });
  set(false);
  return {
    open: () => NARROW.matches && set(true),
    close: () => NARROW.matches && set(false),
  };
}
