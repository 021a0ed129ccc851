// #/vm-new — placeholder in the skeleton; filled in by the next commits.
import { h } from '../ui.js';

export default async function render(root) {
  root.append(h('h1', {}, 'vm-new'), h('p', { class: 'muted' }, 'Coming soon.'));
}
