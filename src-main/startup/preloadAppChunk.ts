// A build step of the renderer (electron.vite.config.ts): the page's entry (src-renderer/main.tsx) is
// small and loads the app (React and the screens) with import(), so it can ask for its first data before
// that bulk arrives. The browser would only start fetching the app's chunk once the entry has run; these
// hints in index.html start it together with the entry, and its stylesheets with them.
import type { Plugin } from 'vite';

/** The module main.tsx imports dynamically, as the bundle names it (ends with). */
const APP_MODULE = 'src-renderer/app/mount.tsx';

interface BundledChunk {
  type: 'chunk';
  fileName: string;
  facadeModuleId: string | null;
  isEntry: boolean;
  imports: string[];
  viteMetadata?: { importedCss: Set<string> };
}

export function preloadAppChunk(): Plugin {
  return {
    name: 'bellhop:preload-app-chunk',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter(
          (item): item is BundledChunk & typeof item => item.type === 'chunk',
        );
        const app = chunks.find((chunk) => chunk.facadeModuleId?.replaceAll('\\', '/').endsWith(APP_MODULE));
        if (!app) throw new Error(`preloadAppChunk: no chunk built for ${APP_MODULE}`);
        // The app's chunk and every chunk it imports statically, each once; the entry (which it imports
        // too) and the entry's stylesheets are in the page already.
        const files: string[] = [];
        const css = new Set<string>();
        const visit = (fileName: string): void => {
          if (files.includes(fileName)) return;
          const chunk = chunks.find((c) => c.fileName === fileName);
          if (!chunk || chunk.isEntry) return;
          files.push(fileName);
          for (const sheet of chunk.viteMetadata?.importedCss ?? []) css.add(sheet);
          chunk.imports.forEach(visit);
        };
        visit(app.fileName);
        return [
          ...files.map((file) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` },
            injectTo: 'head' as const,
          })),
          ...[...css].map((file) => ({
            tag: 'link',
            attrs: { rel: 'preload', as: 'style', crossorigin: true, href: `./${file}` },
            injectTo: 'head' as const,
          })),
        ];
      },
    },
  };
}
