export declare const REQUIRED_SECRETS: string[];
export declare const PROVIDER_SECRETS: Record<string, Record<string, string[]>>;
export declare function parseSecretList(output: string): string[];
export declare function envVarsFromToml(toml: string, envName: string): Record<string, string>;
export declare function requiredSecrets(vars?: Record<string, string>): string[];
export declare function checkSecrets(present: string[], required?: string[]): { ok: boolean; missing: string[] };
export declare const REQUIRED_VARS: string[];
export declare const PROVIDER_VARS: Record<string, Record<string, string[]>>;
export declare function checkSettings(
  vars: Record<string, string> | undefined,
  envName: string,
): { ok: boolean; problems: string[] };
