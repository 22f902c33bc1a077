import { SETTING_NAMES, flagOf, optionOf, type SettingName, type Settings } from './config.js'

export type Environment = Record<string, string | undefined>

/**
 * The command line's flags and the programmatic API's options are the
 * environment variables under other names; both become an environment record
 * for loadConfig, so there is one parser and one set of error messages.
 */
function toEnvironment(values: Record<string, unknown>, keyOf: (name: SettingName) => string, base: Environment): Environment {
  const env: Environment = { ...base }
  for (const name of SETTING_NAMES) {
    const value = values[keyOf(name)]
    if (value !== undefined) env[name] = String(value)
  }
  return env
}

export function settingsToEnvironment(settings: Settings, base: Environment = {}): Environment {
  return toEnvironment(settings, optionOf, base)
}

export function flagsToEnvironment(flags: Record<string, string | boolean | undefined>, base: Environment = {}): Environment {
  return toEnvironment(flags, flagOf, base)
}
