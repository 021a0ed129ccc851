// Light or dark (issue 18): follows the system's prefers-color-scheme, live, unless the user chose with the header's
// "Dark mode" toggle; the choice is kept in localStorage ('octopus-theme': 'dark' or 'light'). Choosing what the system
// already asks for forgets the choice, so the page follows the system again. A classic script loaded in <head> (not a
// module, which would run after the first paint): the theme is set before anything is drawn, without a flash.
(() => {
  const key = 'octopus-theme';
  const system = window.matchMedia('(prefers-color-scheme: dark)');
  const stored = () => { try { return localStorage.getItem(key); } catch { return null; } };
  const isDark = () => (stored() ?? (system.matches ? 'dark' : 'light')) === 'dark';
  const apply = () => {
    const dark = isDark();
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    const toggle = document.getElementById('theme-toggle');
    if (toggle) toggle.setAttribute('aria-pressed', String(dark));
  };
  apply();
  system.addEventListener('change', apply);
  window.addEventListener('storage', (e) => { if (e.key === key) apply(); }); // another tab chose
  document.addEventListener('DOMContentLoaded', () => {
    const toggle = document.getElementById('theme-toggle');
    toggle.hidden = false;
    toggle.addEventListener('click', () => {
      const dark = !isDark();
      try {
        if (dark === system.matches) localStorage.removeItem(key); else localStorage.setItem(key, dark ? 'dark' : 'light');
      } catch { /* storage refused (private mode): the choice lasts for this page only */ document.documentElement.dataset.theme = dark ? 'dark' : 'light'; }
      apply();
    });
    apply();
  });
})();
