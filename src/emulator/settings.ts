import { z } from 'zod';
import { SettingError, settingProblems } from '../startup.js';

const port = z.coerce.number().int().min(0).max(65535);

const settingsSchema = z.object({
  EMULATOR_FAL_PORT: port.optional(),
  EMULATOR_DIFY_PORT: port.optional(),
  EMULATOR_FAL_LEGACY_PORT: port.optional(),
  EMULATOR_SEED: z.coerce.number().int().optional(),
  EMULATOR_SCALE: z.coerce.number().positive().optional(),
  EMULATOR_ANCHOR: z.coerce.number().int().min(0).optional(),
  EMULATOR_LIVE: z.stringbool().default(true),
  EMULATOR_CONTROL: z.stringbool().default(false),
  EMULATOR_CONTROL_PORT: port.default(0),
});

export type EmulatorSettings = z.infer<typeof settingsSchema>;

/** The emulators' settings (`EMULATOR_*`); a bad value throws a SettingError naming it. */
export function emulatorSettings(
  env: Record<string, string | undefined> = process.env,
): EmulatorSettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => name.startsWith('EMULATOR_') && value !== ''),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) throw new SettingError(settingProblems(parsed.error.issues, env));
  return parsed.data;
}
