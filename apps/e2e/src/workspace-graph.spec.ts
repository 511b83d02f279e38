import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { WORKSPACE } from './support/processes';

/**
 * Nx does not read our TypeScript imports here, so each project names the projects it imports in
 * `implicitDependencies`; without them a cached app build would survive a change to a lib it uses.
 */
describe('the Nx project graph', () => {
  const projects = ['apps', 'libs'].flatMap((group) =>
    readdirSync(join(WORKSPACE, group)).map((name) => {
      const root = join(WORKSPACE, group, name);
      return { root, config: JSON.parse(readFileSync(join(root, 'project.json'), 'utf8')) as { name: string; implicitDependencies?: string[] } };
    }),
  );
  const names = new Set(projects.map((project) => project.config.name));

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
    });
  }

  it.each(projects.filter((project) => project.config.name !== 'e2e').map((project) => [project.config.name, project] as const))(
    '%s names every project its sources import',
    (_name, project) => {
      const imported = new Set<string>();
      for (const file of sourceFiles(join(project.root, 'src'))) {
        for (const [, name] of readFileSync(file, 'utf8').matchAll(/from '@codcall\/([a-z-]+)'/g)) {
          if (names.has(name) && name !== project.config.name) imported.add(name);
        }
      }
      expect({ project: relative(WORKSPACE, project.root), dependsOn: [...imported].sort() }).toEqual({
        project: relative(WORKSPACE, project.root),
        dependsOn: [...(project.config.implicitDependencies ?? [])].sort(),
      });
    },
  );
});
