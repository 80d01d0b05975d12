export const sections = [
  { id: 'inbox', label: 'Inbox', shortcut: '1' },
  { id: 'campaigns', label: 'Campaigns', shortcut: '2' },
  { id: 'contacts', label: 'Contacts', shortcut: '3' },
  { id: 'templates', label: 'Templates', shortcut: '4' },
  { id: 'chatbots', label: 'Chatbots', shortcut: '5' },
  { id: 'settings', label: 'Settings', shortcut: '6' },
] as const;

export type SectionId = (typeof sections)[number]['id'];

export function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return sections.find((s) => s.id === id)?.id ?? 'inbox';
}
