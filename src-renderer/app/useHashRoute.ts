import { useEffect, useState } from 'react';
import { sectionFromHash, type SectionId } from './routes';

/** Hash routes (#/contacts) work the same from file:// in Electron and http:// in the browser host. */
export function useHashRoute(): SectionId {
  const [section, setSection] = useState<SectionId>(() => sectionFromHash(location.hash));
  useEffect(() => {
    const onChange = (): void => setSection(sectionFromHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return section;
}

export function navigate(section: SectionId): void {
  location.hash = `#/${section}`;
}
