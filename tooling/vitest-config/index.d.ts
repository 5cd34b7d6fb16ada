import type { UserWorkspaceConfig } from 'vitest/config';

export declare function spindleProject(
  name: string,
  overrides?: UserWorkspaceConfig['test'],
  project?: Omit<UserWorkspaceConfig, 'test'>,
): UserWorkspaceConfig;
