// Every page of the web UI, in one list. One file per page under js/pages/; the router loads it on demand.
//   path   hash route, ':name' segments become ctx.params.name (e.g. '#/vms/:id')
//   load   () => import('./pages/x.js'); the module's default export is render(root, ctx) → optional dispose()
//   nav    label in the top navigation (omit for pages reached by links)
//   admin  true: only shown to administrators (the server enforces the rule; this only hides the link)
//   public true: reachable without logging in
// Keep user pages first; admin pages (js/pages/admin-*.js) go in the admin block at the end.
export const routes = [
  { path: '/login', load: () => import('./pages/login.js'), public: true },
  { path: '/vms', load: () => import('./pages/vms.js'), nav: 'My VMs' },
  { path: '/vms/new', load: () => import('./pages/vm-new.js'), nav: 'Create VM' },
  { path: '/vms/:id', load: () => import('./pages/vm.js') },
  { path: '/vms/:id/console', load: () => import('./pages/vm-console.js') },
  { path: '/policies', load: () => import('./pages/policies.js'), nav: 'My policies' },
  { path: '/tasks', load: () => import('./pages/tasks.js'), nav: 'Tasks' },
  { path: '/profile', load: () => import('./pages/profile.js') }, // linked from the header ("Profile" beside the user's name)

  // ---- admin pages (append below) ----
  { path: '/admin/hosts', load: () => import('./pages/admin-hosts.js'), nav: 'Hosts', admin: true },
  { path: '/admin/hosts/:id', load: () => import('./pages/admin-host.js'), admin: true },
  { path: '/admin/power', load: () => import('./pages/admin-power.js'), nav: 'Power', admin: true },
  { path: '/admin/vms', load: () => import('./pages/admin-vms.js'), nav: 'All VMs', admin: true },
  { path: '/admin/users', load: () => import('./pages/admin-users.js'), nav: 'Users', admin: true },
  { path: '/admin/audit', load: () => import('./pages/admin-audit.js'), nav: 'Audit', admin: true },
  { path: '/admin/policies', load: () => import('./pages/admin-policies.js'), nav: 'All policies', admin: true },
];

/** Where '#/' and unknown logged-in routes go. */
export const home = '/vms';
