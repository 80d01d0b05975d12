import { useRef, type KeyboardEvent } from 'react';
import { WorkspaceSwitcher } from '../components/WorkspaceSwitcher';
import { sections, type SectionId } from './routes';
import { navigate } from './useHashRoute';

const isMac = navigator.platform.toLowerCase().includes('mac');

export function Sidebar({ current }: { current: SectionId }) {
  const links = useRef<(HTMLAnchorElement | null)[]>([]);

  // Arrow keys move between sections (a roving focus list); Enter follows the focused link.
  const onKeyDown = (event: KeyboardEvent<HTMLElement>): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const index = links.current.findIndex((el) => el === document.activeElement);
    const step = event.key === 'ArrowDown' ? 1 : -1;
    const next = (index + step + sections.length) % sections.length;
    links.current[next]?.focus();
    event.preventDefault();
  };

  return (
    <nav className="sidebar" aria-label="Sections" onKeyDown={onKeyDown}>
      <div className="brand">Bellhop</div>
      <WorkspaceSwitcher />
      <ul>
        {sections.map((section, i) => (
          <li key={section.id}>
            <a
              ref={(el) => {
                links.current[i] = el;
              }}
              href={`#/${section.id}`}
              aria-current={current === section.id ? 'page' : undefined}
              aria-keyshortcuts={`${isMac ? 'Meta' : 'Control'}+${section.shortcut}`}
              title={`${section.label} (${isMac ? '⌘' : 'Ctrl+'}${section.shortcut})`}
              onClick={(event) => {
                event.preventDefault();
                navigate(section.id);
              }}
            >
              {section.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Ctrl/⌘ + 1…6 jumps to a section from anywhere. */
export function installSectionShortcuts(): () => void {
  const onKey = (event: globalThis.KeyboardEvent): void => {
    if (!(isMac ? event.metaKey : event.ctrlKey) || event.altKey || event.shiftKey) return;
    const section = sections.find((s) => s.shortcut === event.key);
    if (!section) return;
    event.preventDefault();
    navigate(section.id);
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
