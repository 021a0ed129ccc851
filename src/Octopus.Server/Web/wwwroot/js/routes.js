// Every page of the web UI, in one list. One file per page under js/pages/; the router loads it on demand.
//   path   hash route, ':name' segments become ctx.params.name (e.g. '#/vms/:id')
//   load   () => import('./pages/x.js'); the module's default export is render(root, ctx) → optional dispose()
//   nav    message key (js/i18n/*.json) of its label in the top navigation (omit for pages reached by links)
//   admin  true: only shown to administrators (the server enforces the rule; this only hides the link)
//   public true: reachable without logging in
// Keep user pages first; admin pages (js/pages/admin-*.js) go in the admin block at the end.
export const routes = [
  { path: '/login', load: () => import('./pages/login.js'), public: true },
  { path: '/vms', load: () => import('./pages/vms.js'), nav: 'nav.vms' },
  { path: '/vms/new', load: () => import('./pages/vm-new.js'), nav: 'nav.create' },
  { path: '/vms/:id', load: () => import('./pages/vm.js') },
  { path: '/vms/:id/console', load: () => import('./pages/vm-console.js') },
  { path: '/policies', load: () => import('./pages/policies.js'), nav: 'nav.policies' },
  { path: '/networks', load: () => import('./pages/networks.js'), nav: 'nav.networks' }, // admins also create and delete here
  { path: '/networks/:id', load: () => import('./pages/network.js') },
  { path: '/tasks', load: () => import('./pages/tasks.js'), nav: 'nav.tasks' },
  { path: '/profile', load: () => import('./pages/profile.js') }, // linked from the header ("Profile" beside the user's name)

  // ---- admin pages (append below) ----
  { path: '/admin/hosts', load: () => import('./pages/admin-hosts.js'), nav: 'nav.hosts', admin: true },
  { path: '/admin/hosts/:id', load: () => import('./pages/admin-host.js'), admin: true },
  { path: '/admin/power', load: () => import('./pages/admin-power.js'), nav: 'nav.power', admin: true },
  { path: '/admin/vms', load: () => import('./pages/admin-vms.js'), nav: 'nav.allVms', admin: true },
  { path: '/admin/users', load: () => import('./pages/admin-users.js'), nav: 'nav.users', admin: true },
  { path: '/admin/audit', load: () => import('./pages/admin-audit.js'), nav: 'nav.audit', admin: true },
  { path: '/admin/policies', load: () => import('./pages/admin-policies.js'), nav: 'nav.allPolicies', admin: true },
];

/** Where '#/' and unknown logged-in routes go. */
export const home = '/vms';
