/**
 * The App's secrets on Lambda: APP_ID, PRIVATE_KEY and WEBHOOK_SECRET come from the environment
 * when set there, else from SSM Parameter Store (SecureString) named by `<NAME>_SSM`, read once
 * per container with one GetParameters call. Secrets never sit in the CloudFormation template.
 * LEDGER_KEY and LEDGER_KEYS_OLD are optional: read only when set or named (`<NAME>_SSM`).
 */
export const SECRET_NAMES = ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"] as const;
export const OPTIONAL_SECRET_NAMES = ["LEDGER_KEY", "LEDGER_KEYS_OLD"] as const;
export type SecretName = (typeof SECRET_NAMES)[number] | (typeof OPTIONAL_SECRET_NAMES)[number];

/** Reads SSM parameters by name, decrypted: parameter name → value. */
export type ParameterReader = (names: readonly string[]) => Promise<Readonly<Record<string, string>>>;

export async function resolveSecrets<Name extends SecretName = (typeof SECRET_NAMES)[number]>(
  env: NodeJS.ProcessEnv,
  read: ParameterReader,
  required: readonly Name[] = SECRET_NAMES as readonly SecretName[] as readonly Name[],
  optional: readonly SecretName[] = [],
): Promise<Record<Name, string> & Partial<Record<SecretName, string>>> {
  const present = optional.filter((name) => env[name] || env[`${name}_SSM`]);
  const names: readonly SecretName[] = [...required, ...present];
  const wanted = names.filter((name) => !env[name]);
  const parameterOf = (name: SecretName) => env[`${name}_SSM`];
  const unnamed = wanted.filter((name) => !parameterOf(name));
  if (unnamed.length > 0) throw new Error(`missing secrets: set ${unnamed.map((name) => `${name} or ${name}_SSM`).join(", ")}`);
  const values = wanted.length > 0 ? await read(wanted.map((name) => parameterOf(name)!)) : {};
  const secrets = {} as Record<Name, string> & Partial<Record<SecretName, string>>;
  for (const name of names) {
    const value = env[name] || values[parameterOf(name) ?? ""];
    if (!value) throw new Error(`SSM parameter ${parameterOf(name)} (for ${name}) was not found`);
    secrets[name] = value;
  }
  return secrets;
}

/** The real reader: the AWS SDK that the Lambda Node.js runtime ships (kept out of the bundle). */
export const ssmParameterReader: ParameterReader = async (names) => {
  const { SSMClient, GetParametersCommand } = await import("@aws-sdk/client-ssm");
  const { Parameters = [], InvalidParameters = [] } = await new SSMClient({}).send(
    new GetParametersCommand({ Names: [...names], WithDecryption: true }),
  );
  if (InvalidParameters.length > 0) throw new Error(`SSM parameters not found: ${InvalidParameters.join(", ")}`);
  return Object.fromEntries(Parameters.map((parameter) => [parameter.Name ?? "", parameter.Value ?? ""]));
};
